"""Response policies: one object per service reads every answer (2xx included) and returns one decision.

The transport sends; the service's policy decides what the answer means::

    Accept(value)      -> the call succeeded; ``value`` is what the caller gets (the response, or parsed data)
    Fail(error)        -> a final, mapped error
    Retry(error, wait) -> try again after ``wait`` seconds (None: the transport's backoff); ``processed=False``
                          says the service certainly did not act on it, so even a create-call may be repeated
    Renew(error)       -> the credential was refused: renew it once (refresh the token) and send again

VK's error 6 inside a 200 body, X's problem+json, Yandex's 202 and OK's ``error_code`` are all decisions of their
service's policy; errors inside a 2xx JSON body are read by one piece, :class:`JsonBodyPolicy`. Hooks never pass
flags to change the transport's behaviour; a call whose answers mean something else (a token endpoint, an upload
host) is declared with its own policy (see :mod:`core.calls`).
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    ErrorParser,
    RateLimitError,
    ServerError,
    SocialApiError,
    default_error_parser,
    error_class_for_status,
)
from airflow_provider_social.core.masking import redact

if TYPE_CHECKING:
    import requests

#: Statuses that are worth another attempt by default.
RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})


def server_skew(response: requests.Response, now: Callable[[], float] = time.time) -> float:
    """How many seconds the service's clock (its ``Date`` header) is ahead of ``now``; 0 without a readable one.

    Moments a service counts on its own clock (a reset header, a quota day) are moved onto ours by this much.
    """
    if date := response.headers.get("Date"):
        try:
            return email.utils.parsedate_to_datetime(date).timestamp() - now()
        except (TypeError, ValueError):
            pass
    return 0.0


#: Seconds of clock difference a ``Date`` header cannot show (it counts whole seconds; the answer travels too).
DATE_RESOLUTION = 2.0


def significant_skew(response: requests.Response, now: Callable[[], float] = time.time) -> float:
    """:func:`server_skew` when it is more than a ``Date`` header can resolve (:data:`DATE_RESOLUTION`), else 0: a
    moment moved by it is not made up to a second late by the header's rounding."""
    skew = server_skew(response, now)
    return skew if abs(skew) >= DATE_RESOLUTION else 0.0


def retry_after_seconds(response: requests.Response, now: Callable[[], float] = time.time) -> float | None:
    """Seconds to wait from ``Retry-After`` (seconds or HTTP date) or ``x-rate-limit-reset`` (epoch seconds).

    Absolute times are measured against the server's own ``Date`` header when present, so a skewed local clock
    (or the sandbox's controllable one) does not distort the wait.
    """
    headers = response.headers
    local_now = now()
    server_now = local_now + server_skew(response, lambda: local_now)
    if (value := headers.get("Retry-After")) is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, email.utils.parsedate_to_datetime(value).timestamp() - server_now)
            except (TypeError, ValueError):
                return None
    for name in ("x-rate-limit-reset", "x-ratelimit-reset"):
        if (value := headers.get(name)) is not None:
            try:
                return max(0.0, float(value) - server_now)
            except ValueError:
                return None
    return None


@dataclass(frozen=True)
class Accept:
    value: Any


@dataclass(frozen=True)
class Fail:
    error: SocialApiError


@dataclass(frozen=True)
class Retry:
    error: SocialApiError
    wait: float | None = None
    #: False when the service certainly did not act on the request (429, VK error 6): safe to repeat a create.
    processed: bool | None = None


@dataclass(frozen=True)
class Renew:
    error: SocialApiError


Decision = Accept | Fail | Retry | Renew


@dataclass(frozen=True)
class CallContext:
    """What a policy may want to know about the call it judges: the service and operation (named in errors), the
    clock (for reset headers), the connection and the command that re-authorises it (named in auth errors), and
    whether the credentials were already renewed once for this call (the answer judged came after the renewal)."""

    service: str
    operation: str
    clock: Callable[[], float]
    conn_id: str | None = None
    reauth_command: str = ""
    renewed: bool = False
    #: Seconds the service's clock is ahead of ``clock`` (:func:`server_skew`), where a policy reads it.
    server_skew: float = 0.0


class ResponsePolicy:
    """The HTTP-status policy most REST APIs need; services subclass it and override what differs.

    * 2xx (and ``accept_statuses``) -> :meth:`accept` (the response itself by default)
    * 401 -> :class:`Renew` (the transport renews once if the auth can)
    * ``retry_statuses`` -> :class:`Retry` after ``Retry-After`` / ``x-rate-limit-reset``
    * anything else -> :class:`Fail` with the error :meth:`parse_error` reads from the body
    """

    accept_statuses: frozenset[int] = frozenset()
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES
    renew_statuses: frozenset[int] = frozenset({401})

    def __init__(self, error_parser: ErrorParser | None = None) -> None:
        if error_parser is not None:
            self.parse_error_info = error_parser  # type: ignore[method-assign]

    # -------------------------------------------------------------------------------------- what subclasses change
    def parse_error_info(self, response: requests.Response) -> ApiErrorInfo | None:
        """What the service's error body says (code, message, error class, hint)."""
        return default_error_parser(response)

    def error_info(self, response: requests.Response, context: CallContext) -> ApiErrorInfo | None:
        """What the error body says about this call: :meth:`parse_error_info`, unless the service's reading depends
        on the call (a hint that names the connection's re-authorisation command, or a refresh already made)."""
        return self.parse_error_info(response)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """A successful status. Services whose errors come inside 2xx bodies look at the body here."""
        return Accept(response)

    # -------------------------------------------------------------------------------------- the decision
    def decide(self, response: requests.Response, context: CallContext) -> Decision:
        status = response.status_code
        if 200 <= status < 300 or status in self.accept_statuses:
            return self.accept(response, context)
        error = self.error(response, context)
        if status in self.renew_statuses:
            return Renew(error)
        if status in self.retry_statuses:
            wait = retry_after_seconds(response, context.clock)
            if isinstance(error, RateLimitError):
                error.retry_after = wait
            # 429 means "not processed"; a 5xx may have been processed, so create-calls are not repeated.
            return Retry(error, wait, processed=False if status == 429 else None)
        return Fail(error)

    def error(
        self, response: requests.Response, context: CallContext, info: ApiErrorInfo | None = None
    ) -> SocialApiError:
        """Build the mapped error for ``response`` (closing it): service, operation, API code, message, hint."""
        status = response.status_code
        if info is None:
            try:
                info = self.error_info(response, context) or ApiErrorInfo()
            except Exception:  # a broken error body must not hide the real failure
                info = ApiErrorInfo(message=response.reason or "")
        response.close()
        return build_error(info, status, context, fallback=response.reason or f"HTTP {status}")


class JsonBodyPolicy(ResponsePolicy):
    """A service that may answer an error inside a 2xx JSON body (VK's ``{"error": {...}}``, an upload host's
    ``{"error": "..."}``, OK's ``{"error_code": ...}``): the body is parsed once here, an error-shaped body goes to
    the service's reader, and anything else to :meth:`accept_body`.

    A service says what an error looks like (:meth:`body_error`) and what it means (:meth:`decide_body_error`);
    a 2xx body that is not JSON fails with a :class:`ServerError` naming who answered (:attr:`answered_by`).
    """

    #: Who answered, named when a 2xx body is not JSON ("VK", "the upload server"); default: the service.
    answered_by: str = ""
    #: What to check when a 2xx body is not JSON (e.g. the base URL).
    not_json_hint: str = ""

    def body_error(self, body: Any) -> Any:
        """The error part of an error-shaped body, or None when the body is not an error.

        :param body: the parsed JSON body of a 2xx answer.
        """
        return None

    def decide_body_error(self, error: Any, context: CallContext) -> Decision:
        """The decision for the error :meth:`body_error` found.

        :param error: what :meth:`body_error` returned.
        :param context: the call being judged.
        """
        return Fail(SocialApiError(str(error), service=context.service, operation=context.operation))

    def accept_body(self, body: Any, context: CallContext) -> Decision:
        """The decision for a body that is not an error (the body itself by default).

        :param body: the parsed JSON body.
        :param context: the call being judged.
        """
        return Accept(body)

    def accept(self, response: requests.Response, context: CallContext) -> Decision:
        """Parse the 2xx body; an error-shaped one goes to :meth:`decide_body_error`, others to :meth:`accept_body`.

        :param response: the HTTP response.
        :param context: the call being judged.
        """
        try:
            body = response.json()
        except ValueError:
            who = self.answered_by or context.service
            return Fail(ServerError(f"{who} answered with a body that is not JSON", service=context.service,
                                    operation=context.operation, status_code=response.status_code,
                                    hint=self.not_json_hint))
        error = self.body_error(body)
        if error is not None:
            return self.decide_body_error(error, context)
        return self.accept_body(body, context)


def build_error(info: ApiErrorInfo, status: int | None, context: CallContext, *, fallback: str = "") -> SocialApiError:
    """The shared error type for what a service said; secrets are redacted from the message."""
    cls = info.error_class or (error_class_for_status(status) if status else SocialApiError)
    kwargs: dict[str, Any] = dict(
        service=context.service,
        operation=context.operation,
        status_code=status,
        api_code=info.code,
        hint=info.hint or default_hint(status),
    )
    message = redact(info.message or fallback)
    if issubclass(cls, RateLimitError):
        return cls(message, retry_after=info.retry_after, **kwargs)
    return cls(message, **kwargs)


class StatusOverrides(ResponsePolicy):
    """A policy that differs from another only in which statuses are accepted or retried.

    For calls whose hosts speak plainly (an upload link answers 404 when it lapsed: a fresh link fixes it).
    """

    def __init__(
        self,
        base: ResponsePolicy,
        *,
        accept_statuses: frozenset[int] | None = None,
        retry_statuses: frozenset[int] | None = None,
    ) -> None:
        super().__init__()
        self.base = base
        self.parse_error_info = base.parse_error_info  # type: ignore[method-assign]
        self.error_info = base.error_info  # type: ignore[method-assign]
        self.accept = base.accept  # type: ignore[method-assign]
        if accept_statuses is not None:
            self.accept_statuses = accept_statuses
        else:
            self.accept_statuses = base.accept_statuses
        self.retry_statuses = retry_statuses if retry_statuses is not None else base.retry_statuses
        self.renew_statuses = base.renew_statuses


def default_hint(status: int | None) -> str:
    if status == 401:
        return "the token is missing, expired or revoked; check the connection or re-authorise"
    if status == 403:
        return "the token lacks a permission (scope) or the account may not do this"
    if status == 429:
        return "the rate limit is exhausted; retries waited as long as allowed"
    if status is not None and status >= 500:
        return "the service failed; retried as far as safe"
    return ""


__all__ = [
    "Accept",
    "CallContext",
    "Decision",
    "Fail",
    "JsonBodyPolicy",
    "RETRYABLE_STATUSES",
    "Renew",
    "ResponsePolicy",
    "Retry",
    "StatusOverrides",
    "build_error",
    "default_hint",
]
