"""How OK answers are read: every answer, 2xx included, may carry ``error_code`` (reference 3.3).

OK marks a failed call with the ``invocation-error`` header and a top-level JSON body ``{"error_code",
"error_msg", "error_data"}``; the HTTP status of such answers is not documented (the sandbox answers 200), so
the policy looks at both the header and the body of every answer, whatever its status.

Every mapping happens here, from :data:`OK_ERRORS`: the error class, the hint, and for the codes in
:data:`REAUTHORISE` the command that re-authorises the connection (``CallContext.reauth_command``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core import errors
from airflow_provider_social.core.errors import ApiErrorInfo, SocialApiError, error_body
from airflow_provider_social.core.policy import Accept, CallContext, Decision, Fail, Renew, ResponsePolicy, Retry
from airflow_provider_social.core.tokens import InvalidGrantError

if TYPE_CHECKING:
    import requests

SESSION_EXPIRED = 102

#: API error code -> (error class, hint). Codes and names: apiok.ru/en/dev/errors (reference 3.3).
OK_ERRORS: dict[int, tuple[type[SocialApiError], str]] = {
    2: (errors.ServerError, "OK's service is temporarily unavailable; retried"),
    3: (errors.ValidationError, "the method does not exist; check its name"),
    7: (errors.PermissionDeniedError, "OK blocked this action for the user for a while; try later"),
    8: (errors.RateLimitError, "OK blocked the user for flooding (too many actions); wait before posting again"),
    9: (errors.PermissionDeniedError, "OK blocked requests from this IP address"),
    10: (errors.PermissionDeniedError, "a permission is missing: request it from api-support@ok.ru (application ID and "
                                "use case), add it to the connection's permissions and re-authorise"),
    11: (errors.RateLimitError, "the application's call limit is reached; try later"),
    21: (errors.ValidationError, "the upload was not multipart/form-data"),
    24: (errors.PermissionDeniedError, "the user is not the owner of this object"),
    50: (errors.PermissionDeniedError, "the user is not an administrator of the group"),
    100: (errors.ValidationError, "a parameter is missing or wrong"),
    101: (errors.AuthenticationError, "the application public key (application_key) is wrong or missing"),
    102: (errors.AuthenticationError, "the session (access token) expired and could not be renewed"),
    103: (errors.AuthenticationError, "the access token is invalid or revoked; re-authorise"),
    104: (errors.AuthenticationError, "the signature was refused: check the application secret key (connection "
                               "password) and the application public key"),
    105: (errors.AuthenticationError, "the re-signature was refused"),
    120: (errors.ValidationError, "the album id is wrong"),
    121: (errors.ValidationError, "a photo id or upload token is wrong, expired or already used; upload the photo "
                                  "again"),
}

#: Codes that only a new grant cures: their hint names the command that re-authorises the connection. (A 102 that
#: reaches the caller survived the one renewal, or the connection cannot renew: no refresh token, or a test.)
REAUTHORISE = frozenset({SESSION_EXPIRED, 103})


def ok_error_info(body: Any, header: str | None = None, reauth_command: str = "") -> ApiErrorInfo | None:
    """The error an OK answer carries (body ``error_code`` or the ``invocation-error`` header), or None.

    :param body: the parsed JSON body (anything else counts as no body).
    :param header: the ``invocation-error`` header.
    :param reauth_command: the command that re-authorises the connection, named in the hint of
        :data:`REAUTHORISE` codes ("" names none)."""
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
    if code in REAUTHORISE and reauth_command:
        hint = f"{hint}; run `{reauth_command}`"
    return ApiErrorInfo(code=code, message=message or f"OK error {code}", error_class=cls, hint=hint)


class OkPolicy(ResponsePolicy):
    """102 renews the session once; 2 (SERVICE) is retried; every other API error fails with its mapped class."""

    renew_statuses = frozenset()  # OK says "expired" with code 102, not with an HTTP status

    def parse_error_info(self, response: requests.Response) -> ApiErrorInfo | None:
        """The error of a non-2xx answer: body ``error_code`` or the ``invocation-error`` header.

        :param response: the answer."""
        return self._error_info(response, "")

    def _error_info(self, response: requests.Response, reauth_command: str) -> ApiErrorInfo:
        header = response.headers.get("invocation-error")
        body = error_body(response)
        if isinstance(body, ApiErrorInfo):  # not JSON: the invocation-error header still names the error
            return ok_error_info(None, header, reauth_command) or body
        return ok_error_info(body, header, reauth_command) or ApiErrorInfo(message=str(body)[:300])

    def error(self, response: requests.Response, context: CallContext,
              info: ApiErrorInfo | None = None) -> SocialApiError:
        """The mapped error of ``response``, its hint naming the re-authorisation command where a new grant is due.

        :param response: the answer.
        :param context: the call's service, operation, clock and re-authorisation command.
        :param info: what the answer says, when already read."""
        return super().error(response, context, info or self._error_info(response, context.reauth_command))

    def decide(self, response: requests.Response, context: CallContext) -> Decision:
        """Read an answer of any status: an OK error with the ``invocation-error`` header is mapped whatever the status.

        :param response: the answer.
        :param context: the call's service, operation and clock."""
        # Tolerant: OK's status for API errors is undocumented, so an error body means the same at any status.
        if not 200 <= response.status_code < 300 and response.headers.get("invocation-error"):
            info = self._error_info(response, context.reauth_command)
            if info.code is not None:
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
            # The header alone names the error, whatever the body.
            if header_info := ok_error_info(None, header, context.reauth_command):
                return self._decide_api_error(response, context, header_info)
            return Fail(self.error(response, context, ApiErrorInfo(
                message=f"OK answered without JSON: {(response.text or '')[:200]!r}")))
        info = ok_error_info(body, header, context.reauth_command)
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
            cls = InvalidGrantError if body["error"] == "invalid_grant" else errors.AuthenticationError
            info = ApiErrorInfo(code=body["error"], message=str(body.get("error_description") or body["error"]),
                                error_class=cls)
            return Fail(self.error(response, context, info))
        return Accept(response)
