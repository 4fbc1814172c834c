"""One rate budget per token across processes and hosts: the limiter's state lives where the token's state lives.

A token store may offer a :class:`RateBackend` (``TokenStore.rate_backend()``): Redis (an atomic script), PostgreSQL
(one row per credential and token kind, updated under its row lock) and the file store (a state file under
``flock``, shared by the processes of one host). The Variable store offers none: its limiter stays per process.

A backend hands out *slots*: the next send time of a credential, ``spacing`` seconds after the previous one,
taken atomically on the backend's clock, so the senders of every process queue in one line. A sender sleeps until
its slot; one that wakes later than :attr:`RateLimit.late_tolerance
<airflow_provider_social.core.ratelimit.RateLimit.late_tolerance>` after it (a busy machine) would land too close to
the next slot's sender, so it gives the slot up and takes a new one. No window of the service's length then holds
more than its limit. It also keeps *holds*: an operation refused until a time (VK error 29, a method's daily
quota), so no process calls it again before then.

Holds are also remembered by the process (:data:`~airflow_provider_social.core.ratelimit.rate_limiters`), so a
backend outage does not forget them. A backend that fails or answers slower than :data:`BACKEND_TIMEOUT` is not
waited for: the process falls back to its own per-process bucket with one warning, tries the backend again after
:data:`RETRY_BACKEND_AFTER` seconds, and says so when it answers again. It never sends without a limit.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Protocol

from airflow_provider_social.core.ratelimit import RateLimit, TokenBucket, fingerprint, rate_limiters

log = logging.getLogger(__name__)

#: Seconds a shared backend may take to hand out a slot before the process uses its own bucket instead.
BACKEND_TIMEOUT = 1.0
#: Seconds a process keeps to its own bucket after its shared backend failed, before asking the backend again.
RETRY_BACKEND_AFTER = 30.0
#: How many times a sender woken a little late (within the window's slack) gives its slot up before it sends anyway.
MAX_RETAKES = 3
#: How many times a sender woken later than the window's slack gives its slot up before it sends anyway (with a
#: warning): sending that late could put one request too many in a window of the service.
MAX_LATE_RETAKES = 12


class RateBackendUnavailable(Exception):
    """The shared limiter could not hand out a slot (unreachable, too slow, refused); the message names it."""


@dataclass(frozen=True)
class Ticket:
    """A backend's answer: send in ``wait`` seconds (the slot is reserved); or, when ``held_until`` is set, do not
    send at all: the operation is held until then (epoch seconds on the caller's clock) and no slot was taken."""

    wait: float = 0.0
    held_until: float | None = None


class RateBackend(Protocol):
    """Where a credential's slots and holds live when several processes share it."""

    #: What the backend is, for the warning when it fails (never a secret): "Redis connection 'tokens'".
    description: str

    def take(self, key: str, spacing: float, operation: str, now: float) -> Ticket:
        """Reserve the next slot of ``key`` (``spacing`` seconds after the last one) unless ``operation`` is held at
        ``now``.

        :param key: the credential's limiter key (:func:`limiter_key`; never the raw token).
        :param spacing: seconds between two sends of this credential.
        :param operation: the call about to be sent (the hold's name).
        :param now: the caller's clock, epoch seconds (holds are kept in it).
        :raises RateBackendUnavailable: the backend did not answer in time.
        """
        ...

    def hold(self, key: str, operation: str, until: float) -> None:
        """Refuse ``operation`` of ``key`` until ``until`` (epoch seconds on the caller's clock).

        :raises RateBackendUnavailable: the backend did not answer in time.
        """
        ...


def limiter_key(service: str, kind: str, credential: str) -> str:
    """The key of one credential's budget: a fingerprint of the service, the token kind and the credential id."""
    return fingerprint(f"{service}\x00{kind}\x00{credential}")


class _BackendHealth:
    """Whether a backend is usable in this process; the one warning when it is not, the note when it is back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._down_until: dict[str, float] = {}

    def usable(self, description: str) -> bool:
        with self._lock:
            until = self._down_until.get(description)
            return until is None or time.monotonic() >= until

    def failed(self, description: str, reason: BaseException) -> None:
        with self._lock:
            first = description not in self._down_until
            self._down_until[description] = time.monotonic() + RETRY_BACKEND_AFTER
        if first:
            log.warning(
                "the shared rate limiter (%s) failed (%s); this process limits its own sends until it answers "
                "again (checked every %.0f s); other processes sending with the same token are not counted "
                "meanwhile", description, reason, RETRY_BACKEND_AFTER,
            )

    def answered(self, description: str) -> None:
        if description not in self._down_until:
            return
        with self._lock:
            was_down = self._down_until.pop(description, None) is not None
        if was_down:
            log.info("the shared rate limiter (%s) answers again; sends are counted across processes", description)

    def clear(self) -> None:
        with self._lock:
            self._down_until.clear()


backend_health = _BackendHealth()


class HeldOperation(Exception):
    """Raised by :meth:`RateGate.acquire` when the operation is held; the transport turns it into the error."""

    def __init__(self, until: float) -> None:
        super().__init__(until)
        self.until = until


@dataclass
class RateGate:
    """What one request waits on: its credential's slot (shared when the token store shares it) and its
    operation's hold.

    :param service: the service (part of the key).
    :param kind: the token kind (part of the key).
    :param credential: the credential id (a fingerprint or a connection id; never the token).
    :param limit: the kind's limit.
    :param operation: the call being sent.
    :param backend: the shared backend, or None for a per-process limit.
    :param clock: the caller's clock (epoch seconds; holds are measured in it).
    :param sleep: how to wait (injectable).
    """

    service: str
    kind: str
    credential: str
    limit: RateLimit
    operation: str
    backend: RateBackend | None = None
    clock: Callable[[], float] = time.time
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic

    def __post_init__(self) -> None:
        self.key = limiter_key(self.service, self.kind, self.credential)

    def _local_bucket(self) -> TokenBucket:
        return rate_limiters.for_limit(
            self.service, self.kind, self.credential, self.limit, clock=self.clock, sleep=self.sleep
        )

    def acquire(self) -> float:
        """Wait for the slot; return the time waited (a sender woken too late takes a new slot, see the module).

        :raises HeldOperation: the operation is held (nothing is sent, no slot is taken).
        """
        now = self.clock()
        held = rate_limiters.held_until(self.key, self.operation, now)
        if held is not None:
            raise HeldOperation(held)
        backend = self.backend
        waited = 0.0
        retakes = 0
        while backend is not None and backend_health.usable(backend.description):
            try:
                ticket = backend.take(self.key, self.limit.spacing, self.operation, now)
            except RateBackendUnavailable as exc:
                backend_health.failed(backend.description, exc)
                break
            backend_health.answered(backend.description)
            if ticket.held_until is not None:
                rate_limiters.hold(self.key, self.operation, ticket.held_until)
                raise HeldOperation(ticket.held_until)
            if ticket.wait <= 0:
                return waited
            due = self.monotonic() + ticket.wait
            self.sleep(ticket.wait)
            waited += ticket.wait
            # Woken late (a busy machine): sending now would land closer than the spacing to the next slot's
            # sender. Give the slot up and take a new one: a few times when still within the window's slack (the
            # send is late but cannot overfill a window), more when later than that.
            late = self.monotonic() - due
            if late <= self.limit.late_tolerance:
                return waited
            retakes += 1
            if late <= self.limit.window_slack and retakes > MAX_RETAKES:
                return waited
            if retakes > MAX_LATE_RETAKES:
                log.warning("%s: woken %.0f ms after its send slot %d times in a row (an overloaded machine); "
                            "sending now, which may exceed the service's rate", self.operation, late * 1000, retakes)
                return waited
            now = self.clock()
        return waited + self._local_bucket().acquire()

    def hold(self, until: float) -> None:
        """Refuse this operation of this credential until ``until``, here and (when shared) in every process."""
        hold_everywhere(self.key, self.operation, until, self.backend)


def hold_everywhere(key: str, operation: str, until: float, backend: RateBackend | None) -> None:
    """Hold ``operation`` of ``key`` until ``until`` in this process and, when ``backend`` answers, in every process
    sharing it.

    :param key: the limiter key (:func:`limiter_key`).
    :param operation: the call held.
    :param until: epoch seconds on the caller's clock.
    :param backend: the shared backend, or None.
    """
    rate_limiters.hold(key, operation, until)
    if backend is not None and backend_health.usable(backend.description):
        try:
            backend.hold(key, operation, until)
        except RateBackendUnavailable as exc:
            backend_health.failed(backend.description, exc)


def shared_hold(key: str, operation: str, now: float, backend: RateBackend | None) -> float | None:
    """When ``operation`` of ``key`` is held until (epoch seconds), as this process or the shared backend knows it;
    None when it is not held. Takes no slot that delays anyone (the backend is asked with a spacing of 0).

    :param key: the limiter key.
    :param operation: the call about to be sent.
    :param now: the caller's clock.
    :param backend: the shared backend, or None.
    """
    held = rate_limiters.held_until(key, operation, now)
    if held is not None or backend is None or not backend_health.usable(backend.description):
        return held
    try:
        ticket = backend.take(key, 0.0, operation, now)
    except RateBackendUnavailable as exc:
        backend_health.failed(backend.description, exc)
        return None
    backend_health.answered(backend.description)
    if ticket.held_until is None:
        return None
    rate_limiters.hold(key, operation, ticket.held_until)
    return ticket.held_until


__all__ = [
    "BACKEND_TIMEOUT",
    "RETRY_BACKEND_AFTER",
    "HeldOperation",
    "MAX_LATE_RETAKES",
    "MAX_RETAKES",
    "RateBackend",
    "RateBackendUnavailable",
    "RateGate",
    "Ticket",
    "backend_health",
    "hold_everywhere",
    "limiter_key",
    "shared_hold",
]
