"""Rate windows a service announces in its answers, shared across processes like the limiter's slots and holds.

X says on every answer how many calls of the endpoint remain in its 15-minute window and when that resets
(``x-rate-limit-remaining`` / ``x-rate-limit-reset``), and for some endpoints the same of the app's 24-hour window
(``x-app-limit-24hour-*``) and the user's (``x-user-limit-24hour-*``). The service declares a :data:`WindowReader`
that reads them; a window seen spent becomes a *hold* of the operation until its reset, kept where the limiter keeps
holds (the token store's backend: Redis, PostgreSQL or the file store; this process only with the Variable store).
Before the next call of that operation, in any process, the transport sees the hold and waits for the reset, defers
(:mod:`core.wait_deferral`) or fails naming it, instead of first drawing a 429.

Whose window it is decides who shares the hold: a ``user`` window (the endpoint's 15-minute window, the user's
24-hour one) is the connection's; an ``app`` window is the app's, shared by every connection of the app (every
user), keyed by a fingerprint of the app's id (an OAuth 2.0 client id or OAuth 1.0a consumer key), never the id.
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
    :param scope: whose it is: ``user`` (the connection's) or ``app`` (every connection of the app).
    """

    name: str
    remaining: int
    resets_at: float
    scope: str = "user"


#: Reads the windows an answer announces (none when it announces none).
WindowReader = Callable[["requests.Response"], list[Window]]


@dataclass
class WindowBook:
    """One connection's spent windows (and its app's), shared through ``backend``.

    :param service: the service (part of the key).
    :param credential: the connection id (part of the key; never a secret).
    :param reader: the service's :data:`WindowReader`.
    :param backend: the token store's shared backend, or None (this process only).
    :param clock: the caller's clock, epoch seconds.
    :param app: a fingerprint of the connection's app (its windows are shared by every connection of the app);
        None when the connection does not say which app it is (its app windows are then the connection's own).
    """

    service: str
    credential: str
    reader: WindowReader
    backend: RateBackend | None
    clock: Callable[[], float]
    app: str | None = None

    def __post_init__(self) -> None:
        self.key = limiter_key(self.service, "windows", self.credential)
        self.app_key = limiter_key(self.service, "app-windows", self.app) if self.app else self.key

    def held_until(self, operation: str) -> float | None:
        """Until when ``operation`` may not be sent (a window of the connection or of its app spent), on our clock;
        None when it may be.

        :param operation: the call about to be sent.
        """
        now = self.clock()
        holds = {shared_hold(key, operation, now, self.backend) for key in {self.key, self.app_key}}
        return max((until for until in holds if until is not None), default=None)

    def note(self, operation: str, response: requests.Response) -> None:
        """Hold ``operation`` until the latest reset of the windows this answer says are spent.

        :param operation: the call answered.
        :param response: its answer (any status: a 429 announces its windows too).
        """
        from airflow_provider_social.core.policy import significant_skew

        spent = [window for window in self.reader(response) if window.remaining <= 0]
        if not spent:
            return
        skew, now = significant_skew(response, self.clock), self.clock()
        until: dict[str, float] = {}  # whose window (the app's or the connection's) -> its latest reset
        for window in spent:
            key = self.app_key if window.scope == "app" else self.key
            until[key] = max(until.get(key, 0.0), window.resets_at - skew)
        for key, held in until.items():
            if held > now:
                hold_everywhere(key, operation, held, self.backend)


__all__ = ["Window", "WindowBook", "WindowReader"]
