"""How OK answers are read: every answer, 2xx included, may carry ``error_code`` (reference 3.3).

OK marks a failed call with the ``invocation-error`` header and a top-level JSON body ``{"error_code",
"error_msg", "error_data"}``; the HTTP status of such answers is not documented (the sandbox answers 200), so
the policy looks at both the header and the body of every answer, whatever its status.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SocialApiError,
    ValidationError,
    error_body,
)
from airflow_provider_social.core.policy import Accept, CallContext, Decision, Fail, Renew, ResponsePolicy, Retry
from airflow_provider_social.core.tokens import InvalidGrantError

if TYPE_CHECKING:
    import requests

SESSION_EXPIRED = 102

#: API error code -> (error class, hint). Codes and names: apiok.ru/en/dev/errors (reference 3.3).
OK_ERRORS: dict[int, tuple[type[SocialApiError], str]] = {
    2: (ServerError, "OK's service is temporarily unavailable; retried"),
    3: (ValidationError, "the method does not exist; check its name"),
    7: (PermissionDeniedError, "OK blocked this action for the user for a while; try later"),
    8: (RateLimitError, "OK blocked the user for flooding (too many actions); wait before posting again"),
    9: (PermissionDeniedError, "OK blocked requests from this IP address"),
    10: (PermissionDeniedError, "a permission is missing: request it from api-support@ok.ru (application ID and "
                                "use case), add it to the connection's permissions and re-authorise"),
    11: (RateLimitError, "the application's call limit is reached; try later"),
    21: (ValidationError, "the upload was not multipart/form-data"),
    24: (PermissionDeniedError, "the user is not the owner of this object"),
    50: (PermissionDeniedError, "the user is not an administrator of the group"),
    100: (ValidationError, "a parameter is missing or wrong"),
    101: (AuthenticationError, "the application public key (application_key) is wrong or missing"),
    102: (AuthenticationError, "the session (access token) expired"),
    103: (AuthenticationError, "the access token is invalid or revoked; re-authorise"),
    104: (AuthenticationError, "the signature was refused: check the application secret key (connection "
                               "password) and the application public key"),
    105: (AuthenticationError, "the re-signature was refused"),
    120: (ValidationError, "the album id is wrong"),
    121: (ValidationError, "a photo id or upload token is wrong, expired or already used; upload the photo again"),
}


def ok_error_info(body: Any, header: str | None = None) -> ApiErrorInfo | None:
    """The error an OK answer carries (body ``error_code`` or the ``invocation-error`` header), or None."""
    code: Any = body.get("error_code") if isinstance(body, dict) else None
    if code is None and header:
        code = header
    if code is None:
        return None
    try:
        code = int(code)
    except (TypeError, ValueError):
        pass
    message = str(body.get("error_msg") or "") if isinstance(body, dict) else ""
    cls, hint = OK_ERRORS.get(code, (SocialApiError, "")) if isinstance(code, int) else (SocialApiError, "")
    return ApiErrorInfo(code=code, message=message or f"OK error {code}", error_class=cls, hint=hint)


class OkPolicy(ResponsePolicy):
    """102 renews the session once; 2 (SERVICE) is retried; every other API error fails with its mapped class."""

    renew_statuses = frozenset()  # OK says "expired" with code 102, not with an HTTP status

    def parse_error_info(self, response: requests.Response) -> ApiErrorInfo | None:
        """The error of a non-2xx answer: body ``error_code`` or the ``invocation-error`` header.

        :param response: the answer."""
        body = error_body(response)
        if isinstance(body, ApiErrorInfo):  # not JSON: the invocation-error header still names the error
            return ok_error_info(None, response.headers.get("invocation-error")) or body
        return ok_error_info(body, response.headers.get("invocation-error")) or ApiErrorInfo(message=str(body)[:300])

    def decide(self, response: requests.Response, context: CallContext) -> Decision:
        """Read an answer of any status: an OK error with the ``invocation-error`` header is mapped whatever the status.

        :param response: the answer.
        :param context: the call's service, operation and clock."""
        # Tolerant: OK's status for API errors is undocumented, so an error body means the same at any status.
        if not 200 <= response.status_code < 300 and response.headers.get("invocation-error"):
            info = self.parse_error_info(response)
            if info is not None and info.code is not None:
                return self._decide_api_error(response, context, info)
        return super().decide(response, context)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """A 2xx answer: the parsed JSON, or the decision for the OK error it carries.

        :param response: the answer.
        :param context: the call's service, operation and clock."""
        header = response.headers.get("invocation-error")
        try:
            body = response.json()
        except ValueError:
            if header_info := ok_error_info(None, header):  # the header alone names the error, whatever the body
                return self._decide_api_error(response, context, header_info)
            return Fail(self.error(response, context, ApiErrorInfo(
                message=f"OK answered without JSON: {(response.text or '')[:200]!r}")))
        info = ok_error_info(body, header)
        if info is None:
            return Accept(body)
        return self._decide_api_error(response, context, info)

    def _decide_api_error(self, response: requests.Response, context: CallContext, info: ApiErrorInfo) -> Decision:
        error = self.error(response, context, info)
        if info.code == SESSION_EXPIRED:
            return Renew(error)
        if info.code == 2:
            return Retry(error)
        return Fail(error)


class OkTokenPolicy(ResponsePolicy):
    """``oauth/token.do``: RFC 6749 errors by status, and (tolerant: OK's wording is UNCONFIRMED) the same
    ``{"error": ...}`` body inside a 200; ``invalid_grant`` becomes :class:`InvalidGrantError`."""

    def parse_error_info(self, response: requests.Response) -> ApiErrorInfo | None:
        """The RFC 6749 error of a non-2xx ``token.do`` answer.

        :param response: the answer."""
        from airflow_provider_social.core.oauth import token_error_parser

        return token_error_parser(response)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """A 2xx ``token.do`` answer: the tokens, or the ``{"error"}`` it carries.

        :param response: the answer.
        :param context: the call's service, operation and clock."""
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("error") and not body.get("access_token"):
            cls = InvalidGrantError if body["error"] == "invalid_grant" else AuthenticationError
            info = ApiErrorInfo(code=body["error"], message=str(body.get("error_description") or body["error"]),
                                error_class=cls)
            return Fail(self.error(response, context, info))
        return Accept(response)
