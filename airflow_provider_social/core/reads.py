"""A paged read as an iterator: items arrive page by page, a bound stops it, counters say what it read.

Each service's read concern supplies the pages (VK packs offset pages into ``execute``, X follows ``next_token``);
:class:`ReadStream` owns what every read shares: the item bound (``max_items`` / ``max_reads``), the request count,
and the report an operator returns. Nothing is kept but counters, so memory does not grow with the read.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any, Generic, TypeVar

from airflow_provider_social.core.errors import SocialApiError, input_error

log = logging.getLogger(__name__)

T = TypeVar("T")


class ReadLimitReached(SocialApiError):
    """A read met its bound (``max_items`` / ``max_reads``) while more items remained (``fail_at_limit``)."""


def check_bound(value: int | None, *, field: str, service: str) -> int | None:
    """A read bound: None (no bound) or a positive integer, else an input error naming the field.

    :param value: the bound given.
    :param field: the argument's name (``max_items``, ``max_reads``).
    :param service: the service named in the error.
    """
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise input_error(field, f"expected a positive whole number or None, got {value!r}", service=service)
    return value


def instant(value: Any, *, field: str, service: str) -> float:
    """An aware datetime or unix seconds as unix seconds (float); anything else is an input error naming ``field``.

    :param value: the time given.
    :param field: the argument's name (``since``, ``until``).
    :param service: the service named in the error.
    """
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise input_error(field, "give a timezone-aware datetime (e.g. pendulum or tzinfo=timezone.utc)",
                              service=service)
        return value.timestamp()
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value < 253402300800:
        raise input_error(field, f"expected an aware datetime or unix seconds, got {value!r}", service=service)
    return float(value)


def time_window(since: Any, until: Any, *, service: str) -> tuple[float | None, float | None]:
    """``(since, until)`` as unix seconds (None stays None); ``until`` before ``since`` is an input error."""
    start = None if since is None else instant(since, field="since", service=service)
    end = None if until is None else instant(until, field="until", service=service)
    if start is not None and end is not None and end < start:
        raise input_error("until", f"must not be before since ({start}), got {end}", service=service)
    return start, end


class ReadStream(Generic[T]):
    """Iterate for the items; :attr:`items`, :attr:`requests` and :meth:`report` say what was read.

    The stream stops after ``limit`` items. When more were there, :attr:`stopped` holds a message naming the bound
    (also logged); with ``fail_at_limit`` it raises :class:`ReadLimitReached` instead, after the items read.

    :param service: the service named in messages.
    :param resource: what is read ("wall posts of club1"), named in messages.
    :param pages: ``pages(stream)`` yields the items; it adds each HTTP request to ``stream.requests``.
    :param limit: the most items to yield (None: all).
    :param limit_name: the argument that set the limit, named in the message.
    :param fail_at_limit: raise instead of stopping quietly when more items than the limit exist.
    """

    def __init__(self, service: str, resource: str, pages: Callable[[ReadStream[T]], Iterator[T]], *,
                 limit: int | None = None, limit_name: str = "max_items", fail_at_limit: bool = False) -> None:
        self.service = service
        self.resource = resource
        self.limit = limit
        self.limit_name = limit_name
        self.fail_at_limit = fail_at_limit
        self.items = 0
        self.requests = 0
        self.complete = False
        self.stopped: str | None = None
        self._pages = pages
        self._started = False
        self._more = False
        self._why: str | None = None

    @property
    def remaining(self) -> int | None:
        """Items still wanted before the bound (None: no bound); pagers size their requests by it."""
        return None if self.limit is None else max(0, self.limit - self.items)

    def spent(self) -> bool:
        """Whether the bound is reached; a pager asks before each request and, if so, stops there (the stream
        then reports that more items remain)."""
        if self.limit is not None and self.items >= self.limit:
            self._more = True
            return True
        return False

    def cut_short(self, why: str) -> None:
        """The service's list ended before the read did (a list with a cap, not a bound of ours): the report then
        says so, with ``why`` (and ``fail_at_limit`` raises)."""
        self._more = True
        self._why = why

    def __iter__(self) -> Iterator[T]:
        if self._started:
            raise RuntimeError(f"{self.resource}: a read can be iterated once; start a new one")
        self._started = True
        for item in self._pages(self):
            if self.limit is not None and self.items >= self.limit:
                self._stop()
                return
            self.items += 1
            yield item
        if self._more:
            self._stop()
        else:
            self.complete = True

    def _stop(self) -> None:
        if self._why is not None:
            self.stopped = f"{self.service}: {self.resource}: {self._why}"
        else:
            self.stopped = (f"{self.service}: stopped reading {self.resource} at {self.limit_name}={self.limit} "
                            f"after {self.items} items in {self.requests} requests; more remain (raise "
                            f"{self.limit_name} or narrow the window)")
        if self.fail_at_limit:
            raise ReadLimitReached(self.stopped, service=self.service, operation=f"read {self.resource}",
                                     hint=f"raise {self.limit_name} or narrow the window")
        log.warning("%s", self.stopped)

    def report(self) -> dict[str, Any]:
        """What the read did, JSON-serialisable (an operator's XCom): items, requests, complete, stopped."""
        return {"resource": self.resource, "items": self.items, "requests": self.requests,
                "complete": self.complete, "stopped": self.stopped}


__all__ = ["ReadLimitReached", "ReadStream", "check_bound", "instant", "time_window"]
