"""VK's response policy: every answer is HTTP 200 with either ``{"response": ...}`` or ``{"error": {...}}``.

The error table (codes from VK's schema ``errors.json``, reference section 1.3)::

    5            -> Renew: a VK ID token is refreshed once; then an auth error naming `airflow social auth vk`
    6            -> Retry (not processed: VK refused it before acting, so even wall.post may be repeated)
    9            -> RateLimitError naming the method, no retry (flood control: identical or too frequent actions)
    219, 224     -> RateLimitError, no retry (too many posts marked as advertising)
    29           -> CallQuotaError naming the method and the reset (00:00 Moscow time), no retry; the transport
                    holds the method for that token until then, in every process sharing the token store
    10           -> Retry (internal server error; create-calls are not repeated unless safe, e.g. with a guid)
    14           -> CaptchaRequired carrying captcha_sid/captcha_img or the new redirect_uri; never retried
    7/15/27/203/214/200/210/212 -> PermissionDeniedError naming the missing scope or the token kind
    100          -> ValidationError naming the parameter
    113/114/104  -> NotFoundError; 118/121/129 -> UploadRejected (a failed upload step)
    600 of ads.* -> PermissionDeniedError: the ads account is not the token owner's (a section's own code)

The table is :data:`ERRORS` (code -> :class:`ErrorRule`) plus :data:`SECTION_ERRORS` for codes a method section
gives its own meaning; hints name the call context's re-authorisation command. The 200-body reading itself is the
shared :class:`~airflow_provider_social.core.policy.JsonBodyPolicy`, used here for the API and the upload hosts.

HTTP statuses other than 200 (a proxy, an outage) follow the shared policy: 5xx and 429 retried.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    CallQuotaError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    SocialApiError,
    ValidationError,
    error_body,
)
from airflow_provider_social.core.masking import redact
from airflow_provider_social.core.policy import (
    Accept,
    CallContext,
    Decision,
    Fail,
    JsonBodyPolicy,
    Renew,
    ResponsePolicy,
    Retry,
    significant_skew,
)
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
UPLOAD_CODES = {
    118: "the upload server was refused; get a fresh upload URL and upload again",
    121: "the upload hash was refused: pass server, photo/photos_list and hash from the same upload, unchanged",
    129: "VK refused the photo (format JPG/PNG/GIF, width + height <= 14000, side ratio up to 1:20, <= 50 MB)",
}
_PARAM_RE = re.compile(r"(?:invalid|missing|parameter)[^:]*:\s*'?([A-Za-z_][A-Za-z0-9_]*)", re.IGNORECASE)


def missing_scope(method: str) -> str:
    return SCOPES.get(method.split(".", 1)[0], "")


def request_params(error: Mapping[str, Any]) -> list[dict[str, str]]:
    """``request_params`` ({key, value} pairs), never the token, with secrets redacted."""
    pairs = error.get("request_params")
    if not isinstance(pairs, list):
        return []
    return [
        {"key": str(p.get("key")), "value": redact(str(p.get("value")))}
        for p in pairs
        if isinstance(p, dict) and p.get("key") not in ("access_token", "client_secret")
    ]


@dataclass(frozen=True)
class ErrorFacts:
    """What a hint may name about one VK error: the method, the scope its section needs, the re-auth command.

    :param error: VK's error object (``error_code``, ``error_msg``, ...).
    :param method: the method that failed.
    :param reauth_command: the command that re-authorises the connection.
    :param now: the call's clock when the answer was read, epoch seconds (a quota's reset is counted from it).
    :param skew: seconds VK's clock (its ``Date`` header) is ahead of ours: the quota day is VK's.
    """

    error: Mapping[str, Any]
    method: str
    reauth_command: str
    now: float | None = None
    skew: float = 0.0

    @property
    def quota_resets_at(self) -> float | None:
        """When a daily quota spent now resets, on our clock (epoch seconds); None without a time."""
        if self.now is None:
            return None
        resets_at = quota_resets_at(self.now + self.skew)
        return None if resets_at is None else resets_at - self.skew

    @property
    def scope(self) -> str:
        return missing_scope(self.method)

    @property
    def message(self) -> str:
        return str(self.error.get("error_msg") or f"VK error {self.error.get('error_code')}")


@dataclass(frozen=True)
class ErrorRule:
    """One row of VK's error table: the error raised, its hint, and what the transport does with it.

    :param error_class: the shared error type raised.
    :param hint: a fixed hint, or one built from the :class:`ErrorFacts`.
    :param decision: :class:`Fail` (final), :class:`Retry` or :class:`Renew` (refresh the token once).
    :param retry_after: seconds to wait before the retry (also the rate-limit error's ``retry_after``).
    :param processed: False when VK certainly did not act (a create-call may then be repeated).
    :param fields: extra constructor arguments read from VK's error object (a captcha's sid and image).
    """

    error_class: type[SocialApiError]
    hint: str | Callable[[ErrorFacts], str] = ""
    decision: type[Fail] | type[Retry] | type[Renew] = Fail
    retry_after: float | None = None
    processed: bool | None = None
    fields: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None

    def decide(self, facts: ErrorFacts, kwargs: dict[str, Any]) -> Decision:
        """The transport's decision: this row's error, built from VK's error object.

        :param facts: the error object, the method and the re-authorisation command.
        :param kwargs: what every mapped error carries (service, operation, API code, request_params).
        """
        hint = self.hint(facts) if callable(self.hint) else self.hint
        extra = self.fields(facts.error) if self.fields is not None else {}
        if issubclass(self.error_class, RateLimitError):
            extra["retry_after"] = self.retry_after
        if issubclass(self.error_class, CallQuotaError):
            extra["resets_at"] = facts.quota_resets_at
        error = self.error_class(facts.message, hint=hint, **extra, **kwargs)
        if self.decision is Retry:
            return Retry(error, self.retry_after, processed=self.processed)
        return self.decision(error)


#: VK's quota day starts at 00:00 Moscow time (UTC+3, no daylight saving). UNCONFIRMED: VK's error 29 says neither
#: when nor in which zone a method's daily quota resets; the hold ends then, and a refusal after it holds again.
QUOTA_DAY_OFFSET = 3 * 3600


def quota_resets_at(now: float | None) -> float | None:
    """When a daily quota spent at ``now`` resets: the next 00:00 Moscow time (epoch seconds); None without a time.

    :param now: epoch seconds.
    """
    if now is None:
        return None
    return (int((now + QUOTA_DAY_OFFSET) // 86400) + 1) * 86400 - QUOTA_DAY_OFFSET


def _quota_hint(facts: ErrorFacts) -> str:
    from datetime import datetime, timezone

    resets_at = facts.quota_resets_at
    when = (f"at {datetime.fromtimestamp(resets_at, timezone.utc):%Y-%m-%d %H:%M} UTC (00:00 Moscow time)"
            if resets_at is not None else "at 00:00 Moscow time")
    return (f"{facts.method} reached its daily quota for this token; it resets {when}: until then no worker "
            f"sharing the token store calls {facts.method} with this token; spread the calls over days or use "
            f"another token")


def _flood_hint(facts: ErrorFacts) -> str:
    return (f"VK's flood control refused {facts.method}: too many identical actions, or too frequent ones (posts, "
            "comments, messages) with this token; not sent again (a repeat of the same text is refused too): "
            "change the text or wait before acting again; VK does not say how long")


def _renew_hint(facts: ErrorFacts) -> str:
    return (f"the token is invalid, expired or revoked; re-authorise with `{facts.reauth_command}` (a user token) "
            f"or store a new community key with `{facts.reauth_command} --community-token`")


def _captcha_fields(error: Mapping[str, Any]) -> dict[str, Any]:
    sid = error.get("captcha_sid")
    return {"captcha_sid": None if sid is None else str(sid), "captcha_img": error.get("captcha_img"),
            "redirect_uri": error.get("redirect_uri")}


def _captcha_hint(facts: ErrorFacts) -> str:
    img = facts.error.get("captcha_img")
    how = (f"open {img} and repeat the call with captcha_sid={facts.error.get('captcha_sid')} and "
           "captcha_key=<the text>" if img else
           "open the error's redirect_uri (VK ID captcha) and repeat the call with success_token")
    return f"VK wants a captcha solved by a person: {how}; posting less often avoids it"


def _community_token_hint(facts: ErrorFacts) -> str:
    return (f"{facts.method} is unavailable with a community token: fill the connection's access_token field "
            f"(a user token of a community admin; `{facts.reauth_command}`)")


def _admin_hint(facts: ErrorFacts) -> str:
    return ("the token's user may not do this in the community: use a token of a community admin"
            + (f" with the '{facts.scope}' scope" if facts.scope else ""))


def _scope_hint(facts: ErrorFacts) -> str:
    if not facts.scope:
        return "the token's owner may not do this"
    return (f"the token lacks the '{facts.scope}' scope or the right to do this; re-authorise with that scope "
            f"(`{facts.reauth_command}`)")


def _parameter_hint(facts: ErrorFacts) -> str:
    match = _PARAM_RE.search(facts.message)
    if match:
        return f"check the parameter {match.group(1)!r} of {facts.method}"
    return f"check the parameters of {facts.method}"


_DENIED = ErrorRule(PermissionDeniedError, _scope_hint)
_ADMIN = ErrorRule(PermissionDeniedError, _admin_hint)
_NOT_FOUND = ErrorRule(NotFoundError)

#: VK's error codes (schema ``errors.json``, reference 1.3) -> what they mean here.
ERRORS: Mapping[int, ErrorRule] = MappingProxyType({
    1: ErrorRule(ServerError, "VK's unknown error; retried as far as safe", Retry),
    5: ErrorRule(AuthenticationError, _renew_hint, Renew),
    6: ErrorRule(RateLimitError, "more than the per-token limit (3/s for a user token, 20/s for a community token) "
                 "reached VK", Retry, retry_after=1.0, processed=False),
    7: _DENIED,
    9: ErrorRule(RateLimitError, _flood_hint),
    10: ErrorRule(ServerError, "VK's internal error; retried as far as safe", Retry),
    14: ErrorRule(CaptchaRequired, _captcha_hint, fields=_captcha_fields),
    15: _DENIED,
    27: ErrorRule(PermissionDeniedError, _community_token_hint),
    28: ErrorRule(AuthenticationError, "the application's authorization failed; check app_id"),
    29: ErrorRule(CallQuotaError, _quota_hint),
    100: ErrorRule(ValidationError, _parameter_hint),
    104: _NOT_FOUND,
    113: _NOT_FOUND,
    114: _NOT_FOUND,
    **{code: ErrorRule(UploadRejected, hint) for code, hint in UPLOAD_CODES.items()},
    200: _DENIED,
    203: _ADMIN,
    210: _DENIED,
    212: _DENIED,
    214: _ADMIN,
    # mark_as_ads (wall.post, wall.repost): VK allows "no more than five ads posts a day, of which no more than three
    # outside the VK exchange"; the post was not made, so nothing is retried.
    219: ErrorRule(RateLimitError, "VK refuses another post marked as advertising this soon after the last one; "
                   "post it later or without mark_as_ads"),
    224: ErrorRule(RateLimitError, "VK allows a community at most five posts marked as advertising a day, three of "
                   "them outside the VK exchange; post it tomorrow or without mark_as_ads"),
})

#: The ads cabinet's hint for error 600: the account is not the token owner's.
ACCOUNT_HINT = ("the token's user has no access to this ads account: use an account id from ads.getAccounts "
                "(hook.ad_accounts()) and a token with the 'ads' scope of its owner")

#: Codes a method section gives its own meaning (VK numbers section errors from 600 up) -> (section, code) rule.
SECTION_ERRORS: Mapping[tuple[str, int], ErrorRule] = MappingProxyType({
    ("ads", 600): ErrorRule(PermissionDeniedError, ACCOUNT_HINT),
})


def error_rule(code: Any, method: str) -> ErrorRule | None:
    """The table's row for ``code`` raised by ``method`` (a section's own meaning first), or None.

    :param code: VK's ``error_code``.
    :param method: the method that failed (its section picks section-specific codes).
    """
    if not isinstance(code, int) or isinstance(code, bool):
        return None
    return SECTION_ERRORS.get((method.split(".", 1)[0], code)) or ERRORS.get(code)


def reauth_command_of(context: CallContext) -> str:
    """The command that re-authorises the call's connection (the transport fills it from the hook)."""
    return context.reauth_command or f"airflow social auth vk --conn-id {context.conn_id or '<conn_id>'}"


class VkResponsePolicy(JsonBodyPolicy):
    """Reads VK API answers: ``{"response": ...}`` is accepted, ``{"error": {...}}`` goes through the error table;
    the re-authorisation command in hints is the call context's."""

    answered_by = "VK"
    not_json_hint = "check api_base_url: it should be https://api.vk.ru"

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

    def body_error(self, body: Any) -> Any:
        """VK's ``error`` object of a 200 body, or None.

        :param body: the parsed JSON body.
        """
        error = body.get("error") if isinstance(body, dict) else None
        return error if isinstance(error, dict) else None

    def decide_body_error(self, error: Any, context: CallContext) -> Decision:
        """The error table's decision for VK's error object.

        :param error: VK's error object (``error_code``, ``error_msg``, ...).
        :param context: the call being judged (its operation is the method).
        """
        return decision_for(error, context.operation, reauth_command_of(context), now=context.clock(),
                            skew=context.server_skew)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """Read the 200 body, with VK's clock offset known (a daily quota resets at VK's midnight).

        :param response: the HTTP response.
        :param context: the call being judged.
        """
        return super().accept(response, replace(context, server_skew=significant_skew(response, context.clock)))

    def accept_body(self, body: Any, context: CallContext) -> Decision:
        """``{"response": ...}`` is accepted whole (``execute`` adds ``execute_errors`` beside it).

        :param body: the parsed JSON body.
        :param context: the call being judged.
        """
        if not isinstance(body, dict):
            return Fail(ServerError("VK answered with an unexpected body", service=SERVICE,
                                    operation=context.operation))
        if "response" not in body:
            return Fail(ServerError("VK answered without a response or an error", service=SERVICE,
                                    operation=context.operation))
        return Accept(body)


class VkUploadPolicy(JsonBodyPolicy):
    """Upload hosts answer JSON: the upload's fields, or ``{"error": "..."}`` when the file was refused."""

    answered_by = "the upload server"

    def body_error(self, body: Any) -> Any:
        """The ``error`` of an upload host's answer, or None.

        :param body: the parsed JSON body.
        """
        return (body.get("error") or None) if isinstance(body, dict) else None

    def decide_body_error(self, error: Any, context: CallContext) -> Decision:
        """UploadRejected with the host's message.

        :param error: the host's ``error`` (a text or ``{"error_msg"}``).
        :param context: the call being judged.
        """
        message = str(error.get("error_msg") if isinstance(error, dict) else error)
        return Fail(UploadRejected(f"the upload was refused: {message}", service=SERVICE, operation=context.operation,
                                   hint="the upload URL expired or was used, or VK refused the file: check its format "
                                        "and limits (docs/services/vk.md, Limits)"))


def decision_for(error: Mapping[str, Any], method: str, reauth_command: str, *, now: float | None = None,
                 skew: float = 0.0) -> Decision:
    """The error table's decision for one VK error object raised by ``method``.

    :param error: VK's error object (``error_code``, ``error_msg``, ...).
    :param method: the method that failed.
    :param reauth_command: the command that re-authorises the connection (named in hints).
    :param now: the call's clock, epoch seconds (when a daily quota resets is counted from it).
    :param skew: seconds VK's clock is ahead of ``now``'s (its ``Date`` header).
    """
    code = error.get("error_code")
    kwargs: dict[str, Any] = {"service": SERVICE, "operation": method, "api_code": code,
                              "details": {"request_params": request_params(error)}}
    facts = ErrorFacts(error, method, reauth_command, now, skew)
    rule = error_rule(code, method)
    if rule is None:
        return Fail(SocialApiError(facts.message, **kwargs))
    return rule.decide(facts, kwargs)


def error_from(error: Mapping[str, Any], method: str, reauth_command: str) -> SocialApiError:
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
    "ACCOUNT_HINT",
    "ERRORS",
    "SECTION_ERRORS",
    "CaptchaRequired",
    "ErrorRule",
    "SCOPES",
    "UploadRejected",
    "VkIdPolicy",
    "VkResponsePolicy",
    "VkUploadPolicy",
    "decision_for",
    "error_from",
    "error_rule",
    "missing_scope",
    "quota_resets_at",
]
