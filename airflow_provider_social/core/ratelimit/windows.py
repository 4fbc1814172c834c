"""Rate windows a service announces in its answers, shared across processes like the limiter's slots and holds.

X says on every answer how many calls of the endpoint remain in its 15-minute window and when that resets
(``x-rate-limit-remaining`` / ``x-rate-limit-reset``), and for some endpoints the same of the app's 24-hour window
(``x-app-limit-24hour-*``). The service declares a :data:`WindowReader` that reads them; a window seen spent becomes
a *hold* of the operation until its reset, kept where the limiter keeps holds (the token store's backend: Redis,
PostgreSQL or the file store; this process only with the Variable store). Before the next call of that operation, in
any process, the transport sees the hold and waits for the reset, defers (:mod:`core.wait_deferral`) or fails naming
it, instead of first drawing a 429.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_social.core.ratelimit.shared import RateBackend, hold_everywhere, limiter_key, shared_hold

if TYPE_CHECKING:
    import requests


@dataclass(frozen=True)
class Window:
    """One window an answer announced.

    :param name: what it is, for errors ("15-minute window", "app 24-hour window").
    :param remaining: calls left in it.
    :param resets_at: when it resets, epoch seconds on the service's clock.
    """

    name: str
    remaining: int
    resets_at: float


#: Reads the windows an answer announces (none when it announces none).
WindowReader = Callable[["requests.Response"], list[Window]]


@dataclass
class WindowBook:
    """One connection's spent windows, shared through ``backend``.

    :param service: the service (part of the key).
    :param credential: the connection id (part of the key; never a secret).
    :param reader: the service's :data:`WindowReader`.
    :param backend: the token store's shared backend, or None (this process only).
    :param clock: the caller's clock, epoch seconds.
    """

    service: str
    credential: str
    reader: WindowReader
    backend: RateBackend | None
    clock: Callable[[], float]

    def __post_init__(self) -> None:
        self.key = limiter_key(self.service, "windows", self.credential)

    def held_until(self, operation: str) -> float | None:
        """Until when ``operation`` may not be sent (a window spent), on our clock; None when it may be.

        :param operation: the call about to be sent.
        """
        return shared_hold(self.key, operation, self.clock(), self.backend)

    def note(self, operation: str, response: requests.Response) -> None:
        """Hold ``operation`` until the latest reset of the windows this answer says are spent.

        :param operation: the call answered.
        :param response: its answer (any status: a 429 announces its windows too).
        """
        from airflow_provider_social.core.policy import significant_skew

        spent = [window for window in self.reader(response) if window.remaining <= 0]
        if not spent:
            return
        until = max(window.resets_at for window in spent) - significant_skew(response, self.clock)
        if until > self.clock():
            hold_everywhere(self.key, operation, until, self.backend)


__all__ = ["Window", "WindowBook", "WindowReader"]
