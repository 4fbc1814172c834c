"""VK's response policy: every answer is HTTP 200 with either ``{"response": ...}`` or ``{"error": {...}}``.

The error table (codes from VK's schema ``errors.json``, reference section 1.3)::

    5            -> Renew: a VK ID token is refreshed once; then an auth error naming `airflow social auth vk`
    6            -> Retry (not processed: VK refused it before acting, so even wall.post may be repeated)
    9, 29        -> RateLimitError with a hint, no retry (flood control; a method's daily quota)
    10           -> Retry (internal server error; create-calls are not repeated unless safe, e.g. with a guid)
    14           -> CaptchaRequired carrying captcha_sid/captcha_img or the new redirect_uri; never retried
    7/15/27/203/214/200/210/212 -> PermissionDeniedError naming the missing scope or the token kind
    100          -> ValidationError naming the parameter
    113/114/104  -> NotFoundError; 118/121/129 -> UploadRejected (a failed upload step)

HTTP statuses other than 200 (a proxy, an outage) follow the shared policy: 5xx and 429 retried.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SocialApiError,
    ValidationError,
    error_body,
)
from airflow_provider_social.core.masking import redact
from airflow_provider_social.core.policy import Accept, CallContext, Decision, Fail, Renew, ResponsePolicy, Retry
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME

if TYPE_CHECKING:
    import requests

SERVICE = SERVICE_NAME


class CaptchaRequired(SocialApiError):
    """VK asks a person to solve a captcha (error 14). Never retried automatically.

    Legacy form: open :attr:`captcha_img`, then repeat the call with ``captcha_sid`` and ``captcha_key`` (the
    text). New form: open :attr:`redirect_uri` (VK ID captcha), then repeat with ``success_token``.

    :param message: VK's error message.
    :param captcha_sid: the legacy captcha's id.
    :param captcha_img: the legacy captcha image URL.
    :param redirect_uri: the new (VK ID) captcha page.
    """

    def __init__(self, message: str, *, captcha_sid: str | None = None, captcha_img: str | None = None,
                 redirect_uri: str | None = None, **kwargs: Any) -> None:
        self.captcha_sid = captcha_sid
        self.captcha_img = captcha_img
        self.redirect_uri = redirect_uri
        super().__init__(message, **kwargs)


class UploadRejected(ValidationError):
    """An upload step was refused (118 invalid server, 121 invalid hash, 129 invalid photo)."""


#: Method section -> the scope a user token needs for it (dev.vk.com/en/reference/access-rights).
SCOPES = {
    "wall": "wall", "polls": "wall", "photos": "photos", "video": "video", "docs": "docs", "stories": "stories",
    "stats": "stats", "groups": "groups", "messages": "messages", "market": "market", "ads": "ads",
    "utils": "", "users": "", "execute": "",
}
PERMISSION_CODES = frozenset({7, 15, 27, 200, 203, 210, 212, 214})
NOT_FOUND_CODES = frozenset({104, 113, 114})
UPLOAD_CODES = {
    118: "the upload server was refused; get a fresh upload URL and upload again",
    121: "the upload hash was refused: pass server, photo/photos_list and hash from the same upload, unchanged",
    129: "VK refused the photo (format JPG/PNG/GIF, width + height <= 14000, side ratio up to 1:20, <= 50 MB)",
}
_PARAM_RE = re.compile(r"(?:invalid|missing|parameter)[^:]*:\s*'?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def missing_scope(method: str) -> str:
    return SCOPES.get(method.split(".", 1)[0], "")


def request_params(error: dict[str, Any]) -> list[dict[str, str]]:
    """``request_params`` ({key, value} pairs), never the token, with secrets redacted."""
    pairs = error.get("request_params")
    if not isinstance(pairs, list):
        return []
    return [
        {"key": str(p.get("key")), "value": redact(str(p.get("value")))}
        for p in pairs
        if isinstance(p, dict) and p.get("key") not in ("access_token", "client_secret")
    ]


class VkResponsePolicy(ResponsePolicy):
    """Reads VK API answers. ``reauth_command`` names the command that re-authorises the connection.

    :param reauth_command: the command that re-authorises the connection.
    """

    def __init__(self, reauth_command: str = "airflow social auth vk --conn-id <conn_id>") -> None:
        super().__init__()
        self.reauth_command = reauth_command

    def parse_error_info(self, response: requests.Response) -> ApiErrorInfo | None:
        """VK's error code and message from an error body (for the shared error types).

        :param response: the HTTP response.
        """
        body = error_body(response)
        if isinstance(body, ApiErrorInfo):
            return body
        error = body.get("error")
        if isinstance(error, dict):
            return ApiErrorInfo(code=error.get("error_code"), message=str(error.get("error_msg") or ""))
        return ApiErrorInfo(code=error, message=str(body.get("error_description") or error or body)[:300])

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """The decision for one VK API answer: Accept the body, or the error table's decision.

        :param response: the HTTP response.
        :param context: the call being judged (service, operation, clock).
        """
        try:
            body = response.json()
        except ValueError:
            return Fail(ServerError("VK answered with a body that is not JSON", service=SERVICE,
                                    operation=context.operation, status_code=response.status_code,
                                    hint="check api_base_url: it should be https://api.vk.ru"))
        if not isinstance(body, dict):
            return Fail(ServerError("VK answered with an unexpected body", service=SERVICE,
                                    operation=context.operation))
        error = body.get("error")
        if isinstance(error, dict):
            return self.decide_error(error, context)
        if "response" not in body:
            return Fail(ServerError("VK answered without a response or an error", service=SERVICE,
                                    operation=context.operation))
        return Accept(body)

    def decide_error(self, error: dict[str, Any], context: CallContext) -> Decision:
        """The decision for one ``{"error_code", "error_msg", ...}`` object (also used for execute_errors).

        :param error: VK's error object (``error_code``, ``error_msg``, ...).
        :param context: the call being judged (service, operation, clock).
        """
        return decision_for(error, context.operation, self.reauth_command)


def decision_for(error: dict[str, Any], method: str, reauth_command: str) -> Decision:
    code = error.get("error_code")
    message = str(error.get("error_msg") or f"VK error {code}")
    kwargs: dict[str, Any] = {"service": SERVICE, "operation": method, "api_code": code,
                              "details": {"request_params": request_params(error)}}
    scope = missing_scope(method)
    if code == 5:
        return Renew(AuthenticationError(
            message, hint=f"the token is invalid, expired or revoked; re-authorise with `{reauth_command}` (a "
                          f"user token) or store a new community key with `{reauth_command} --community-token`",
            **kwargs))
    if code == 6:
        return Retry(RateLimitError(message, retry_after=1.0, hint="more than the per-token limit (3/s for a "
                                    "user token, 20/s for a community token) reached VK", **kwargs),
                     1.0, processed=False)
    if code in (9, 29):
        hint = ("flood control: too many identical actions (posts, comments) in a short time; wait before "
                "posting again" if code == 9 else
                f"{method} reached its daily quota for this token; try again tomorrow or spread the calls")
        return Fail(RateLimitError(message, hint=hint, **kwargs))
    if code == 10:
        return Retry(ServerError(message, hint="VK's internal error; retried as far as safe", **kwargs))
    if code == 14:
        sid = error.get("captcha_sid")
        img = error.get("captcha_img")
        redirect = error.get("redirect_uri")
        how = (f"open {img} and repeat the call with captcha_sid={sid} and captcha_key=<the text>" if img else
               "open the error's redirect_uri (VK ID captcha) and repeat the call with success_token")
        return Fail(CaptchaRequired(message, captcha_sid=None if sid is None else str(sid), captcha_img=img,
                                    redirect_uri=redirect, hint=f"VK wants a captcha solved by a person: {how}; "
                                    "posting less often avoids it", **kwargs))
    if code in PERMISSION_CODES:
        if code == 27:
            hint = (f"{method} is unavailable with a community token: fill the connection's access_token field "
                    f"(a user token of a community admin; `{reauth_command}`)")
        elif code in (203, 214):
            hint = ("the token's user may not do this in the community: use a token of a community admin"
                    + (f" with the '{scope}' scope" if scope else ""))
        else:
            hint = (f"the token lacks the '{scope}' scope or the right to do this; re-authorise with that scope "
                    f"(`{reauth_command}`)" if scope else "the token's owner may not do this")
        return Fail(PermissionDeniedError(message, hint=hint, **kwargs))
    if code == 100:
        match = _PARAM_RE.search(message)
        param = match.group(1) if match else None
        hint = f"check the parameter {param!r} of {method}" if param else f"check the parameters of {method}"
        return Fail(ValidationError(message, hint=hint, **kwargs))
    if code in NOT_FOUND_CODES:
        return Fail(NotFoundError(message, **kwargs))
    if code in UPLOAD_CODES:
        return Fail(UploadRejected(message, hint=UPLOAD_CODES[code], **kwargs))
    if code == 28:
        return Fail(AuthenticationError(message, hint="the application's authorization failed; check app_id",
                                        **kwargs))
    if code == 1:
        return Retry(ServerError(message, hint="VK's unknown error; retried as far as safe", **kwargs))
    return Fail(SocialApiError(message, **kwargs))


def error_from(error: dict[str, Any], method: str, reauth_command: str) -> SocialApiError:
    """The mapped exception for one error object (an ``execute_errors`` entry)."""
    decision = decision_for(error, method, reauth_command)
    assert isinstance(decision, (Fail, Retry, Renew))
    return decision.error


class VkIdPolicy(ResponsePolicy):
    """VK ID's token endpoint: ``{access_token, refresh_token, ...}`` or ``{error, error_description}``.

    Whether VK ID answers errors with a 4xx or a 200 is not documented (UNCONFIRMED): both are read as errors.
    """

    def __init__(self) -> None:
        from airflow_provider_social.core.oauth import token_error_parser

        super().__init__(token_error_parser)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """The decision for a VK ID token answer: Accept the tokens, or Fail on ``{"error"}``.

        :param response: the HTTP response.
        :param context: the call being judged (service, operation, clock).
        """
        try:
            body = response.json()
        except ValueError:
            body = None
        if isinstance(body, dict) and body.get("error"):
            return Fail(self.error(response, context))
        return Accept(body)


__all__ = [
    "CaptchaRequired",
    "SCOPES",
    "UploadRejected",
    "VkIdPolicy",
    "VkResponsePolicy",
    "decision_for",
    "error_from",
    "missing_scope",
]
