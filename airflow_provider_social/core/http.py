"""The one transport every hook uses: pooled session, timeouts, retries, rate limits, auth renewal, decisions.

A call flows like this::

    hook method -> Transport.request(operation=...) -> [rate limiter for the credential and token kind]
      -> [auth adds credentials] -> requests -> the service's ResponsePolicy reads the answer (2xx included):
      -> Accept: the value goes back to the hook
      -> Renew (401, VK error 5, ...) and the auth can renew (refresh token): renew once, send again
      -> Retry (429 / 5xx / VK error 6 / a connection error): wait (Retry-After, x-rate-limit-reset, or backoff
         with jitter), send again while the total wait stays within RetryPolicy.max_total_wait (create-calls only
         when the service certainly did not act on the request, see below)
      -> Fail: the mapped error from core.errors

We keep our own small retry loop rather than tenacity's: waits come from response headers, the total is bounded
before sleeping (not after), request bodies are rebuilt per attempt, and the sleep function is injectable so tests
never sleep on a real clock.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social import __version__
from airflow_provider_social.core.deferral import deferral_bound, reset_time
from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    CallQuotaError,
    RateLimitError,
    ServerError,
    SocialApiError,
)
from airflow_provider_social.core.masking import install_url_log_filter, redact_url
from airflow_provider_social.core.policy import (
    RETRYABLE_STATUSES,
    Accept,
    CallContext,
    Fail,
    Renew,
    ResponsePolicy,
    Retry,
    retry_after_seconds,
)
from airflow_provider_social.core.ratelimit import RateLimit
from airflow_provider_social.core.ratelimit.shared import HeldOperation, RateBackend, RateGate

if TYPE_CHECKING:
    # requests (~45 ms) is imported on the first request, not at import: DAG files import our hooks on every parse.
    import requests

    from airflow_provider_social.core.ratelimit.windows import WindowBook
    from airflow_provider_social.core.spending import Meter

log = logging.getLogger(__name__)

USER_AGENT = f"airflow-provider-social/{__version__} (+https://pypi.org/project/airflow-provider-social/)"
T = TypeVar("T")


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try. ``max_total_wait`` bounds the sum of all waits, including server-requested ones."""

    max_attempts: int = 5
    backoff_base: float = 0.5
    backoff_max: float = 30.0
    max_total_wait: float = 120.0
    retry_statuses: frozenset[int] = RETRYABLE_STATUSES

    def backoff(self, attempt: int) -> float:
        """Exponential backoff with full jitter: uniform in [0, min(max, base * 2**attempt)]."""
        return random.uniform(0, min(self.backoff_max, self.backoff_base * (2**attempt)))


class Auth:
    """Adds credentials to a request (a requests auth callable); may renew them once when the service answers 401.

    ``rate_key`` is ``(token kind, credential id)`` for services that limit requests per credential (VK: "user" 3/s,
    "community" 20/s); the credential id is never the secret itself (a connection id or a fingerprint).
    """

    rate_key: tuple[str, str] | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return request

    def renew(self, response: requests.Response) -> bool:
        """Renew after a 401. Return True if the request should be sent again."""
        return False


class RetryableError(Exception):
    """Raised inside a retried block to ask for another attempt after ``wait`` (None = backoff)."""

    def __init__(self, error: SocialApiError, wait: float | None = None, *, safe_to_repeat: bool = True) -> None:
        super().__init__(str(error))
        self.error = error
        self.wait = wait
        self.safe_to_repeat = safe_to_repeat


class _SlotAfterAuth:
    """Applies an auth, then waits for the credential's rate slot: requests applies the auth last while preparing,
    so the slot is taken right before the request is sent. A held operation (a quota spent until a reset) raises
    its error here, before anything is sent."""

    def __init__(self, auth: Auth, gate: RateGate, held: Callable[[float], SocialApiError]) -> None:
        self.auth = auth
        self.gate = gate
        self.held = held

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        prepared = self.auth(request)
        try:
            self.gate.acquire()
        except HeldOperation as held:
            raise self.held(held.until) from None
        return prepared


def _never_sent(exc: requests.RequestException) -> bool:
    """True when the request certainly did not reach the server, so even a create-call may be sent again."""
    import requests
    from urllib3.exceptions import NewConnectionError

    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    reason = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    return isinstance(reason, NewConnectionError)


@dataclass
class Transport:
    """Shared HTTP plumbing for one hook. Create it once per hook; it owns a pooled ``requests.Session``."""

    service: str
    timeout: tuple[float, float] = (10.0, 60.0)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    verify: bool | str = True
    proxies: Mapping[str, str] | None = None
    sleep: Callable[[float], None] = time.sleep
    clock: Callable[[], float] = time.time
    pool_size: int = 10
    #: The service's response policy (reads every answer; the plain HTTP-status policy by default).
    policy: ResponsePolicy = field(default_factory=ResponsePolicy)
    #: Token kind -> limit, enforced per credential (``Auth.rate_key``) across every thread of the process, and
    #: across processes and hosts through ``rate_backend`` (the token store's, when it shares one).
    rate_limits: Mapping[str, RateLimit] = field(default_factory=dict)
    rate_backend: RateBackend | None = None
    #: The connection this transport serves and the command that re-authorises it, for the policy's errors.
    conn_id: str | None = None
    reauth_command: str = ""
    #: Counts what each call costs and refuses calls over the connection's daily budget (services that bill per
    #: call; see :mod:`core.spending`).
    meter: Meter | None = None
    #: The rate windows the service announces in its answers (X's), shared like the limiter's holds.
    windows: WindowBook | None = None

    def __post_init__(self) -> None:
        self._local = threading.local()

    @property
    def session(self) -> requests.Session:
        """One pooled session per thread (requests.Session is not documented as thread-safe)."""
        session = getattr(self._local, "session", None)
        if session is None:
            import requests
            from requests.adapters import HTTPAdapter

            install_url_log_filter()
            session = requests.Session()
            adapter = HTTPAdapter(pool_connections=self.pool_size, pool_maxsize=self.pool_size, max_retries=0)
            session.mount("https://", adapter)
            session.mount("http://", adapter)
            session.headers["User-Agent"] = USER_AGENT
            session.verify = self.verify
            if self.proxies:
                session.proxies.update(self.proxies)
            self._local.session = session
        return session

    def close(self) -> None:
        session = getattr(self._local, "session", None)
        if session is not None:
            session.close()
            self._local.session = None

    # ------------------------------------------------------------------------------------------------ retries
    def with_retries(self, operation: str, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` until it returns, raises a final error, or the retry budget is spent.

        ``attempt`` raises :class:`RetryableError` to ask for another try. Multi-step operations (get an upload
        link, then send the file) put all their steps in one attempt, so each retry starts from a fresh link.
        """
        waited = 0.0
        for number in range(self.retry.max_attempts):
            try:
                return attempt()
            except RetryableError as retryable:
                error = retryable.error
                if not retryable.safe_to_repeat:
                    # Say what happened: a create whose answer was lost may have been carried out.
                    _add_hint(error, "not sent again: the service may have acted on it; check before re-running")
                    raise error from None
                if number + 1 >= self.retry.max_attempts:
                    if number:
                        _add_hint(error, f"gave up after {number + 1} attempts")
                    raise error from None
                wait = retryable.wait if retryable.wait is not None else self.retry.backoff(number)
                over_budget = waited + wait > self.retry.max_total_wait
                bound = deferral_bound()
                if retryable.wait is not None and (over_budget or (bound is not None and wait > bound)):
                    # A wait the service asked for: a deferrable operator waits for it in the triggerer
                    # (core.wait_deferral); any other caller fails now, told when the service takes the call again.
                    error.resume_at = self.clock() + wait
                    if over_budget:
                        error.hint = (
                            f"the service asked to wait {wait:.0f}s (until {reset_time(error.resume_at)}), more "
                            f"than the remaining retry budget ({self.retry.max_total_wait - waited:.0f}s of "
                            "max_total_wait, the connection's max_retry_wait); try later, raise it, or use a "
                            "deferrable operator"
                        )
                    raise error from None
                if over_budget:
                    raise error from None
                log.warning(
                    "%s %s failed (%s); attempt %d of %d in %.1fs",
                    self.service, operation, error.api_message, number + 2, self.retry.max_attempts, wait,
                )
                self.sleep(wait)
                waited += wait
        raise AssertionError("unreachable")  # pragma: no cover

    # ------------------------------------------------------------------------------------------------ requests
    def request(self, method: str, url: str, *, operation: str, **options: Any) -> requests.Response:
        """Send one logical request with retries; return the successful response or raise a mapped error.

        Takes the options of :meth:`send`, which makes each attempt.
        """
        return self.with_retries(operation, lambda: self.send(method, url, operation=operation, **options))

    def send(
        self,
        method: str,
        url: str,
        *,
        operation: str,
        auth: Auth | None = None,
        params: Mapping[str, Any] | None = None,
        data: Any = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        files: Any = None,
        body: Callable[[], Any] | None = None,
        idempotent: bool | None = None,
        stream: bool = False,
        timeout: tuple[float, float] | float | None = None,
        allow_redirects: bool = True,
        signed_url: bool = False,
        policy: ResponsePolicy | None = None,
    ) -> Any:
        """One attempt (renewing credentials once when the policy says so): the accepted value, a mapped error, or
        a :class:`RetryableError` for :meth:`with_retries`. Multi-step operations call it inside their own attempt.

        ``idempotent`` defaults to True for GET/HEAD/PUT/DELETE/OPTIONS. A non-idempotent call (one that creates
        something) is only repeated when the request certainly was not processed: the policy says so (429), or no
        connection was made. ``body`` builds the request body afresh for every attempt (files must be re-opened or
        rewound); it is closed when the attempt ends. ``signed_url`` marks URLs that are credentials themselves
        (upload links): only their host is ever logged. ``policy`` is the call's own response policy where its
        answers mean something else than the service's (a token endpoint, an upload host); declared calls
        (:mod:`core.calls`) carry it.
        """
        from requests import RequestException

        if idempotent is None:
            idempotent = method.upper() in {"GET", "HEAD", "PUT", "DELETE", "OPTIONS"}
        policy = policy or self.policy
        context = CallContext(
            service=self.service, operation=operation, clock=self.clock, conn_id=self.conn_id,
            reauth_command=self.reauth_command,
        )
        shown_url = redact_url(url, signed=signed_url)
        gate = self._gate_for(auth, operation)
        renewed = False
        # Credentials are read while the request is prepared (an auth may read its token store); the rate slot is
        # taken after that, right before the send, so a slow store read does not bunch sends together.
        send_auth: Auth | _SlotAfterAuth | None = auth
        if auth is not None and gate is not None:
            send_auth = _SlotAfterAuth(auth, gate, lambda until: self._held_error(operation, until))
        priced = self.meter.price(method, url, json) if self.meter is not None else None
        while True:
            self._wait_for_window(operation)
            if priced is not None:
                self.meter.reserve(priced, operation)  # type: ignore[union-attr]  # over budget: nothing is sent
            payload = body() if body is not None else data
            try:
                response = self.session.request(
                    method,
                    url,
                    params=params,
                    data=payload,
                    json=json,
                    headers=headers,
                    files=files,
                    auth=send_auth,
                    stream=stream,
                    timeout=timeout or self.timeout,
                    allow_redirects=allow_redirects,
                )
            except RequestException as exc:
                if priced is not None:
                    self.meter.release(priced)  # type: ignore[union-attr]
                error = ServerError(
                    f"connection to {shown_url} failed: {type(exc).__name__}",
                    service=self.service,
                    operation=operation,
                    hint="check the base URL, proxy and network",
                )
                raise RetryableError(error, safe_to_repeat=idempotent or _never_sent(exc)) from None
            except BaseException:
                if priced is not None:  # refused before sending (a held operation), or interrupted
                    self.meter.release(priced)  # type: ignore[union-attr]
                raise
            finally:
                if body is not None and callable(getattr(payload, "close", None)):
                    payload.close()  # the attempt opened it (a file, a file window); the next builds its own
            log.debug("%s %s %s -> %s", self.service, method, shown_url, response.status_code)
            if self.windows is not None:
                self.windows.note(operation, response)
            if priced is not None:
                # Only answered successes are billed; the answer is read before the policy may consume it.
                if 200 <= response.status_code < 300:
                    self.meter.settle(priced, response)  # type: ignore[union-attr]
                else:
                    self.meter.release(priced)  # type: ignore[union-attr]
            decision = policy.decide(response, context)
            if isinstance(decision, Accept):
                return decision.value
            response.close()
            if isinstance(decision, Renew):
                if auth is not None and not renewed and auth.renew(response):
                    renewed = True
                    context = replace(context, renewed=True)
                    continue
                raise decision.error
            if isinstance(decision, Retry):
                raise RetryableError(
                    decision.error, decision.wait, safe_to_repeat=idempotent or decision.processed is False
                )
            assert isinstance(decision, Fail)
            refused = decision.error
            if gate is not None and isinstance(refused, CallQuotaError) and refused.resets_at is not None:
                gate.hold(refused.resets_at)  # no process sharing the token store sends this call before the reset
            raise refused

    def _wait_for_window(self, operation: str) -> None:
        """Wait for a spent window of ``operation`` to reset (this process or another saw it spent), within the
        retry budget; past it, or past a deferrable operator's bound, raise without sending."""
        until = self.windows.held_until(operation) if self.windows is not None else None
        wait = 0.0 if until is None else until - self.clock()
        if until is None or wait <= 0:
            return
        bound = deferral_bound()
        if wait > self.retry.max_total_wait or (bound is not None and wait > bound):
            error = RateLimitError(
                f"the rate window of {operation} for this connection (or its app) is spent until "
                f"{reset_time(until)} ({wait:.0f}s); not sent",
                service=self.service, operation=operation, retry_after=wait,
                hint="the service said so on an earlier answer, to this process or another sharing the token store; "
                     "run later, raise max_retry_wait, or use a deferrable operator",
            )
            error.resume_at = until
            raise error
        log.info("%s %s: the rate window is spent; waiting %.0fs until %s", self.service, operation, wait,
                 reset_time(until))
        self.sleep(wait)

    def _gate_for(self, auth: Auth | None, operation: str) -> RateGate | None:
        """What this request waits on: its credential's slot for its token kind and its operation's hold (None when
        the kind has no limit)."""
        key = getattr(auth, "rate_key", None)
        if not key or not self.rate_limits:
            return None
        kind, credential = key
        limit = self.rate_limits.get(kind)
        if limit is None:
            return None
        return RateGate(self.service, kind, credential, limit, operation, backend=self.rate_backend,
                        clock=self.clock, sleep=self.sleep)

    def _held_error(self, operation: str, until: float) -> CallQuotaError:
        from datetime import datetime, timezone

        when = datetime.fromtimestamp(until, timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
        return CallQuotaError(
            f"the quota of {operation} for this token is used up until {when}; not sent",
            service=self.service, operation=operation, resets_at=until,
            hint="the service refused this call earlier for its quota; no worker sharing the token store sends it "
                 "again before the reset",
        )


__all__ = [
    "RETRYABLE_STATUSES",
    "ApiErrorInfo",
    "Auth",
    "AuthenticationError",
    "RetryPolicy",
    "RetryableError",
    "Transport",
    "retry_after_seconds",
]


def _add_hint(error: SocialApiError, note: str) -> None:
    error.hint = f"{error.hint}; {note}" if error.hint else note
