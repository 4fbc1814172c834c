"""A thread-safe token-bucket rate limiter, one bucket per credential and token kind.

VK allows 3 requests/s for a user token and 20/s for a community token; X and OK have their own windows. A service
declares its limits per token kind (:class:`RateLimit`); the transport takes a bucket from :data:`rate_limiters`
keyed by a credential fingerprint (never the secret itself), so every hook and thread in a worker process that uses
the same token shares one bucket.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class TokenBucket:
    """``rate`` requests per ``per`` seconds, with bursts up to ``burst`` (default ``rate``)."""

    rate: float
    per: float = 1.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    burst: float | None = None
    _tokens: float = field(init=False)
    _updated: float = field(init=False)
    _lock: threading.Lock = field(init=False, default_factory=threading.Lock)

    def __post_init__(self) -> None:
        if self.rate <= 0 or self.per <= 0:
            raise ValueError("rate and per must be positive")
        if self.burst is None:
            self.burst = self.rate
        if self.burst < 1:
            raise ValueError("burst must be at least 1")
        self._tokens = self.burst
        self._updated = self.clock()

    def _refill(self, now: float) -> None:
        elapsed = max(0.0, now - self._updated)
        self._tokens = min(float(self.burst or self.rate), self._tokens + elapsed * self.rate / self.per)
        self._updated = now

    def reserve(self) -> float:
        """Take one token; return how long the caller must wait before using it (0 if none)."""
        with self._lock:
            self._refill(self.clock())
            self._tokens -= 1.0
            if self._tokens >= 0:
                return 0.0
            return -self._tokens * self.per / self.rate

    def acquire(self) -> float:
        """Block until a request may be sent; return the time waited."""
        wait = self.reserve()
        if wait > 0:
            self.sleep(wait)
        return wait


@dataclass(frozen=True)
class RateLimit:
    """At most ``requests`` in any window of ``per`` seconds, as the service counts them.

    Sends are spaced evenly (burst 1) and ``margin`` stretches the spacing a little, so network jitter cannot push
    an extra request into the server's window: with spacing ``per * (1 + margin) / requests`` no window of ``per``
    seconds holds more than ``requests`` sends.
    """

    requests: int
    per: float = 1.0
    margin: float = 0.05

    def __post_init__(self) -> None:
        if self.requests < 1 or self.per <= 0 or self.margin < 0:
            raise ValueError("a rate limit needs requests >= 1, per > 0 and margin >= 0")

    @property
    def spacing(self) -> float:
        return self.per * (1 + self.margin) / self.requests

    @property
    def late_tolerance(self) -> float:
        """How late a sender may wake after its slot and still send: a quarter of the slack the margin leaves in a
        window (``requests + 1`` sends span ``per * (1 + margin)``); the rest is for the way to the server, where a
        busy machine loses more time than in waking up."""
        return self.per * self.margin / 4

    @property
    def window_slack(self) -> float:
        """How late one send may land and still leave every window within the limit, when the others are on time
        (``requests + 1`` evenly spaced sends span ``per * (1 + margin)``, one window ``per``)."""
        return self.per * self.margin


class RateLimiterRegistry:
    """Buckets shared across hooks of one process, keyed by (service, credential fingerprint); and the holds this
    process knows of (an operation refused until a time: a spent daily quota)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._buckets: dict[tuple[str, str], TokenBucket] = {}
        self._holds: dict[tuple[str, str], float] = {}

    def held_until(self, key: str, operation: str, now: float) -> float | None:
        """Until when ``operation`` of the limiter key ``key`` is held at ``now`` (None: not held)."""
        with self._lock:
            until = self._holds.get((key, operation))
            if until is not None and until <= now:
                del self._holds[(key, operation)]
                return None
            return until

    def hold(self, key: str, operation: str, until: float) -> None:
        """Remember that ``operation`` of ``key`` is refused until ``until`` (epoch seconds)."""
        with self._lock:
            self._holds[(key, operation)] = max(until, self._holds.get((key, operation), 0.0))

    def bucket(
        self,
        service: str,
        credential: str,
        rate: float,
        per: float = 1.0,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
        burst: float | None = None,
    ) -> TokenBucket:
        key = (service, fingerprint(credential))
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None or bucket.rate != rate or bucket.per != per or (burst and bucket.burst != burst):
                bucket = TokenBucket(rate, per, clock=clock, sleep=sleep, burst=burst)
                self._buckets[key] = bucket
            return bucket

    def for_limit(
        self,
        service: str,
        kind: str,
        credential: str,
        limit: RateLimit,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> TokenBucket:
        """The bucket enforcing ``limit`` for one credential of one token kind (shared by the whole process)."""
        return self.bucket(
            service, f"{kind}:{credential}", 1.0, limit.spacing, clock=clock, sleep=sleep, burst=1
        )

    def clear(self) -> None:
        with self._lock:
            self._buckets.clear()
            self._holds.clear()


def fingerprint(credential: str) -> str:
    """A short, non-reversible identifier of a credential, safe to log and to use as a key."""
    return hashlib.sha256(credential.encode()).hexdigest()[:16]


rate_limiters = RateLimiterRegistry()
