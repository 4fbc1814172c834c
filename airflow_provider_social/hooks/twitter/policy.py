"""X's answers: the service name, its error classes and how its error bodies read."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    SocialApiError,
    ValidationError,
    error_body,
)
from airflow_provider_social.core.policy import CallContext, Decision, ResponsePolicy, Retry, server_skew

if TYPE_CHECKING:
    import requests

    from airflow_provider_social.core.ratelimit.windows import Window


SERVICE = "X"



class DuplicateTweetError(ConflictError):
    """X refused the post because the account already posted the same text (HTTP 403, v1.1 code 187)."""


class MediaProcessingError(SocialApiError):
    """X could not process an uploaded GIF or video (``processing_info.state == "failed"``)."""



_PROBLEM_RE = re.compile(r"^https?://api\.(?:twitter|x)\.com/2/problems/(?P<name>[a-z0-9-]+)$")


#: problem+json ``type`` names (either host) -> error class.
X_PROBLEMS: dict[str, type[SocialApiError]] = {
    "invalid-request": ValidationError,
    "resource-not-found": NotFoundError,
    "not-authorized-for-resource": PermissionDeniedError,
    "client-forbidden": PermissionDeniedError,
    "disallowed-resource": PermissionDeniedError,
    "unsupported-authentication": AuthenticationError,
    "usage-capped": RateLimitError,
    "duplicate-rules": ConflictError,
    "rule-cap": QuotaExceededError,
    "streaming-connection": ConflictError,
    "resource-unavailable": PermissionDeniedError,
}


#: v1.1 ``errors[].code`` -> error class.
X_V1_CODES: dict[int, type[SocialApiError]] = {
    32: AuthenticationError,
    89: AuthenticationError,
    135: AuthenticationError,
    215: AuthenticationError,
    220: PermissionDeniedError,
    88: RateLimitError,
    187: DuplicateTweetError,
    324: ValidationError,
    34: NotFoundError,
}


_HINTS = {
    "duplicate": "X refuses identical text from one account; change the text or delete the earlier post",
    "unsupported-authentication": "this endpoint needs user context (OAuth 2.0 user token or OAuth 1.0a)",
    "usage-capped": "the app's monthly post cap is spent; see the X developer portal",
    "client-forbidden": "the app is not attached to a project or lacks access to this endpoint",
}



#: A refused credential (HTTP 401), by the ``Authorization`` scheme sent -> what to do about it. ``{renewed}`` says
#: whether the token was refused again after the one refresh, ``{command}`` names the re-authorisation command.
_REFUSED: dict[str, str] = {
    "OAuth": "the OAuth 1.0a keys were refused; check the consumer key/secret and access token/secret",
    "Bearer": "the token was refused{renewed}; run `{command}`",
}


def refused_hint(response: requests.Response, context: CallContext) -> str:
    """What to do when X refuses the credentials a call sent (OAuth 1.0a keys or an OAuth 2.0 token).

    :param response: the 401 answer (its request says which credentials were sent).
    :param context: the call: whether the token was already refreshed once, and the command that re-authorises.
    """
    request = getattr(response, "request", None)
    sent = getattr(request, "headers", {}).get("Authorization") or ""
    scheme = "OAuth" if (sent.decode() if isinstance(sent, bytes) else str(sent)).startswith("OAuth ") else "Bearer"
    return _REFUSED[scheme].format(renewed=" even after a refresh" if context.renewed else "",
                                   command=context.reauth_command)


def twitter_error_parser(response: requests.Response, context: CallContext | None = None) -> ApiErrorInfo | None:
    """problem+json (``https://api.x.com/2/problems/...`` or ``https://api.twitter.com/...``), ``about:blank``
    problems, and v1.1 ``{"errors": [{"code", "message"}]}`` bodies.

    :param response: the unsuccessful answer.
    :param context: the call it answers; with it, a refused credential (401) says what to do about it.
    """
    info = _parse_error_body(response)
    if context is not None and response.status_code == 401 and info is not None:
        if issubclass(info.error_class or AuthenticationError, AuthenticationError):
            info.hint = refused_hint(response, context)
    return info


def _parse_error_body(response: requests.Response) -> ApiErrorInfo | None:
    body = error_body(response)
    if isinstance(body, ApiErrorInfo):
        return body
    if isinstance(body.get("errors"), list) and "title" not in body and "detail" not in body:
        first = body["errors"][0] if body["errors"] and isinstance(body["errors"][0], dict) else {}
        code = first.get("code")
        message = "; ".join(str(e.get("message", "")) for e in body["errors"] if isinstance(e, dict))
        cls = X_V1_CODES.get(code) if isinstance(code, int) else None
        return ApiErrorInfo(code=code, message=message[:500], error_class=cls,
                            hint=_HINTS["duplicate"] if cls is DuplicateTweetError else "")
    kind = str(body.get("type") or "")
    detail = str(body.get("detail") or body.get("title") or body.get("error_description") or "")
    extra = [str(e.get("message")) for e in body.get("errors") or [] if isinstance(e, dict) and e.get("message")]
    message = "; ".join([detail, *extra]) if extra else detail
    match = _PROBLEM_RE.match(kind)
    if match:
        name = match.group("name")
        return ApiErrorInfo(code=name, message=message[:500], error_class=X_PROBLEMS.get(name),
                            hint=_HINTS.get(name, ""))
    if "duplicate content" in detail.lower():
        return ApiErrorInfo(code="duplicate", message=detail, error_class=DuplicateTweetError,
                            hint=_HINTS["duplicate"])
    if body.get("error"):  # an OAuth 2.0 token endpoint error
        return ApiErrorInfo(code=body["error"], message=message or str(body["error"]))
    return ApiErrorInfo(code=body.get("title"), message=message[:500])


class TwitterPolicy(ResponsePolicy):
    """X's answers: HTTP statuses decide (401 renews once, 429 waits for ``x-rate-limit-reset``); the error body is
    problem+json, a v1.1 ``errors`` list or an OAuth error, read by :func:`twitter_error_parser`."""

    #: What the error body says without the call's context.
    parse_error_info = staticmethod(twitter_error_parser)

    def error_info(self, response: requests.Response, context: CallContext) -> ApiErrorInfo | None:
        """What X's error body says, read with the call: a refused credential's hint depends on it.

        :param response: the unsuccessful answer.
        :param context: the call it answers (the re-authorisation command; whether the token was refreshed).
        """
        return twitter_error_parser(response, context)


    def decide(self, response: requests.Response, context: CallContext) -> Decision:
        """As the HTTP-status policy decides, but a 429 waits for the latest reset of the windows it says are spent:
        a spent 24-hour window outlasts the 15-minute one its ``x-rate-limit-reset`` names.

        :param response: the answer.
        :param context: the call it answers.
        """
        decision = super().decide(response, context)
        if not isinstance(decision, Retry) or response.status_code != 429:
            return decision
        spent = [window.resets_at for window in rate_windows(response) if window.remaining <= 0]
        if not spent:
            return decision
        wait = max(0.0, max(spent) - (context.clock() + server_skew(response, context.clock)))
        if decision.wait is not None and wait <= decision.wait:
            return decision
        if isinstance(decision.error, RateLimitError):
            decision.error.retry_after = wait
        return replace(decision, wait=wait)


#: The service's policy, set on the hook's transport once.
POLICY = TwitterPolicy()


#: The windows X announces: (what it is, whose, header prefix). The 24-hour ones are read by many clients but are
#: not in X's docs and reportedly absent under pay-per-use (UNCONFIRMED): the client learns from them when they
#: come, and honours a 429 and its ``x-rate-limit-reset`` when they do not.
X_WINDOWS = (
    ("15-minute window", "user", "x-rate-limit"),
    ("app 24-hour window", "app", "x-app-limit-24hour"),
    ("user 24-hour window", "user", "x-user-limit-24hour"),
)


def rate_windows(response: requests.Response) -> list[Window]:
    """The windows an X answer announces: the endpoint's 15-minute window (``x-rate-limit-remaining`` / ``-reset``)
    and, where the endpoint has them, the app's 24-hour window (``x-app-limit-24hour-remaining`` / ``-reset``,
    shared by every connection of the app) and the user's (``x-user-limit-24hour-*``).

    :param response: any answer of X's API.
    """
    from airflow_provider_social.core.ratelimit.windows import Window

    windows: list[Window] = []
    for name, scope, prefix in X_WINDOWS:
        try:
            windows.append(Window(name, int(response.headers[f"{prefix}-remaining"]),
                                  float(response.headers[f"{prefix}-reset"]), scope))
        except (KeyError, ValueError):
            continue
    return windows
