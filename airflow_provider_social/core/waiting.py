"""One way to wait for something a service finishes in its own time (an operation, media processing).

A hook's blocking wait and a trigger's asynchronous wait follow the same :class:`WaitRule`: check, stop when done,
otherwise sleep the interval the API advised (X's ``check_after_secs``) or the rule's own, and give up *before*
sleeping past the bound. The clock and the sleep are injected, so tests never wait on a real clock.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from airflow_provider_social.core.errors import SocialApiError


@dataclass(frozen=True)
class Poll:
    """One check's result: ``done`` ends the wait with ``value``; ``advice`` is the API's suggested next wait."""

    done: bool
    value: Any = None
    advice: float | None = None
    #: Shown in the timeout error ("still in_progress").
    state: str = ""


class WaitTimeout(SocialApiError):
    """The thing waited for did not finish within the bound."""


@dataclass(frozen=True)
class WaitRule:
    """How to wait: ``interval`` between checks unless the API advises one (and ``honour_advice``), at most
    ``timeout`` seconds in all (None: no bound). ``minimum`` keeps a zero or missing advice from busy-waiting."""

    interval: float = 1.0
    timeout: float | None = None
    honour_advice: bool = True
    minimum: float = 0.1

    def next_wait(self, poll: Poll) -> float:
        if self.honour_advice and poll.advice is not None:
            return max(self.minimum, float(poll.advice))
        return max(self.minimum, self.interval)

    def exceeded(self, started: float, now: float, wait: float) -> bool:
        """True when sleeping ``wait`` more would pass the bound: give up now rather than after the sleep."""
        return self.timeout is not None and now + wait > started + self.timeout


def _timeout_error(what: str, rule: WaitRule, poll: Poll, *, service: str, operation: str, hint: str) -> WaitTimeout:
    state = f" {poll.state}" if poll.state else " not finished"
    return WaitTimeout(
        f"{what} is still{state} after {rule.timeout:.0f} s",
        service=service,
        operation=operation,
        api_code="timeout",
        hint=hint,
    )


def wait_for(
    check: Callable[[], Poll],
    rule: WaitRule,
    *,
    what: str,
    service: str = "",
    operation: str = "wait",
    hint: str = "raise the timeout, or use a deferrable operator",
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
    first: Poll | None = None,
) -> Any:
    """Check until done; return the final poll's ``value``. ``first`` is a check already made by the caller."""
    started = clock()
    poll = first if first is not None else check()
    while not poll.done:
        wait = rule.next_wait(poll)
        if rule.exceeded(started, clock(), wait):
            raise _timeout_error(what, rule, poll, service=service, operation=operation, hint=hint)
        sleep(wait)
        poll = check()
    return poll.value


async def await_for(
    check: Callable[[], Awaitable[Poll]],
    rule: WaitRule,
    *,
    what: str,
    service: str = "",
    operation: str = "wait",
    hint: str = "raise the trigger's timeout",
    sleep: Callable[[float], Awaitable[Any]] | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> Any:
    """The asynchronous side of :func:`wait_for`, for triggers: the same rule, ``asyncio.sleep`` between checks."""
    import asyncio

    sleeper = sleep or asyncio.sleep
    started = clock()
    poll = await check()
    while not poll.done:
        wait = rule.next_wait(poll)
        if rule.exceeded(started, clock(), wait):
            raise _timeout_error(what, rule, poll, service=service, operation=operation, hint=hint)
        await sleeper(wait)
        poll = await check()
    return poll.value


__all__ = ["Poll", "WaitRule", "WaitTimeout", "await_for", "wait_for"]
