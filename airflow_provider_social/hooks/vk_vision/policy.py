"""How Vision answers: an envelope ``{"status", "body", "htmlencoded", "last_modified"}`` on every response.

``status`` 200 carries the result object in ``body``; 400/403/500 carry a string. Whether the HTTP status mirrors
the envelope's is UNCONFIRMED, so the policy reads the envelope on every answer, 2xx included, and falls back to
the HTTP status only when there is no envelope (a proxy's page, a load balancer's 502).

The token endpoint (:class:`.auth.VkCloudTokenClient`) answers RFC 6749-style errors (UNCONFIRMED for VK Cloud),
read by :func:`token_error_parser`. Both mappings are tables: :data:`ENVELOPE_ERRORS`, :data:`TOKEN_ERRORS`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    ServerError,
    SocialApiError,
    ValidationError,
    default_error_parser,
    error_body,
)
from airflow_provider_social.core.policy import (
    RETRYABLE_STATUSES,
    Accept,
    CallContext,
    Decision,
    Fail,
    Renew,
    ResponsePolicy,
    Retry,
    build_error,
)
from airflow_provider_social.core.tokens import InvalidGrantError

from .params import SERVICE

if TYPE_CHECKING:
    import requests

TOKEN_HINT = ("the token is wrong, expired or was deleted: check the service token (console -> AI API -> Vision "
              "API) or the OAuth client of the connection; the service is paid, so a project without funds is "
              "refused too")
CLIENT_HINT = "check the OAuth client ID and secret of the connection (console -> AI API -> Vision API)"

#: Envelope ``status`` -> (error class, hint); any other status >= 500 is a :class:`ServerError`.
ENVELOPE_ERRORS: dict[int, tuple[type[SocialApiError], str]] = {
    400: (ValidationError, ""),
    403: (AuthenticationError, TOKEN_HINT),
}
#: The token endpoint's ``error`` -> (error class, hint); a 401 without one of these is the client's too.
TOKEN_ERRORS: dict[str, tuple[type[SocialApiError], str]] = {
    "invalid_grant": (InvalidGrantError, ""),
    "invalid_client": (AuthenticationError, CLIENT_HINT),
    "unauthorized_client": (AuthenticationError, CLIENT_HINT),
}


def envelope(response: requests.Response) -> dict[str, Any] | None:
    try:
        data = response.json()
    except ValueError:
        return None
    if isinstance(data, dict) and isinstance(data.get("status"), int) and "body" in data:
        return data
    return None


def vision_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """The error an answer carries: the envelope's ``status`` and string ``body``, else the HTTP body.

    :param response: the HTTP answer.
    """
    data = envelope(response)
    if data is None:
        body = error_body(response)
        return body if isinstance(body, ApiErrorInfo) else ApiErrorInfo(message=str(body)[:300])
    return _info(int(data["status"]), data["body"])


def _info(status: int, body: Any) -> ApiErrorInfo:
    message = body if isinstance(body, str) else str(body)[:300]
    cls, hint = ENVELOPE_ERRORS.get(status, (ServerError if status >= 500 else None, ""))
    return ApiErrorInfo(code=status, message=message, error_class=cls, hint=hint)


def token_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """RFC 6749-style errors of the token endpoint (UNCONFIRMED for VK Cloud: a bare message is accepted too).

    :param response: the HTTP answer."""
    info = default_error_parser(response) or ApiErrorInfo()
    known = TOKEN_ERRORS.get(str(info.code)) or (
        (AuthenticationError, CLIENT_HINT) if response.status_code == 401 else None)
    if known is not None:
        info.error_class, hint = known
        info.hint = hint or info.hint
    return info


class VisionPolicy(ResponsePolicy):
    """Envelope 200 -> Accept(body); 403 -> Renew (an OAuth token is fetched again once); 5xx -> Retry;
    anything else -> Fail with the envelope's text."""

    renew_statuses = frozenset({401, 403})

    def __init__(self) -> None:
        super().__init__(vision_error_parser)

    def decide(self, response: requests.Response, context: CallContext) -> Decision:
        """Read the envelope (every answer, 2xx included) and decide.

        :param response: the HTTP answer.
        :param context: the call being made.
        """
        data = envelope(response)
        if data is None:
            return super().decide(response, context)
        status = int(data["status"])
        if status == 200:
            body = data["body"]
            response.close()
            return Accept(body if isinstance(body, dict) else {})
        response.close()
        error = build_error(_info(status, data["body"]), status, context)
        if status in self.renew_statuses:
            return Renew(error)
        if status in RETRYABLE_STATUSES:
            return Retry(error)
        return Fail(error)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """A 2xx without an envelope: refused (see below).

        :param response: the HTTP answer.
        :param context: the call being made.
        """
        # A 2xx without an envelope is not a Vision answer (a captive portal, a misconfigured base URL).
        error = build_error(ApiErrorInfo(message="the answer is not a Vision envelope; check api_base_url"),
                            response.status_code, context)
        response.close()
        return Fail(error)


__all__ = ["ENVELOPE_ERRORS", "SERVICE", "TOKEN_ERRORS", "VisionPolicy", "envelope", "token_error_parser",
           "vision_error_parser"]
