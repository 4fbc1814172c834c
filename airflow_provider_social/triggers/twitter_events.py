"""X mentions of the connection's account, or posts matching a recent-search query, as an Airflow event trigger:
for an ``AssetWatcher`` or the deferrable :class:`~airflow_provider_social.sensors.twitter.TwitterMentionEventSensor`.

Each new post fires a :class:`TriggerEvent` whose payload is the post (``id``, ``text``, ``created_at``,
``author_id``, ``conversation_id``, ``public_metrics``) with ``source`` (``mentions`` or ``search``) and the
``query``; never a token. Posts arrive oldest first.

The cursor is X's ``since_id``: the id of the last post handed to Airflow. X's ids grow with time, so a poll asks
for the posts after it (``GET /2/users/:id/mentions`` or ``GET /2/tweets/search/recent``, paged by the read
concern :mod:`airflow_provider_social.hooks.twitter.reads`). It lives in the connection's token store and moves
only after Airflow has each post (:mod:`.cursor_stream`), so a restarted triggerer skips none. Watchers of one
query (or of the mentions) with one connection share one polling loop (Airflow 3.3+), at the first one's pace.

Pace: X has no push for these endpoints. A poll waits ``poll_interval`` seconds, or longer when the rate window
(``x-rate-limit-remaining`` / ``-reset`` of the last answer) would not last at that pace: the window's remaining
requests are spread over the time left until its reset, so polling never outruns what X allows, even when other
readers share the credential's window.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.deferral import SerializedFields
from airflow_provider_social.triggers.cursor_stream import EVENT, TICK, CursorEventTrigger, CursorSaver

if TYPE_CHECKING:
    from airflow_provider_social.core.reads import ReadStream
    from airflow_provider_social.core.tokens.cursors import CursorStore

log = logging.getLogger(__name__)
SERVICE = "X"
MAX_BACKOFF = 900.0
#: Mentions reach back 800 posts on X: a poll reading all of them never misses one the endpoint still serves.
DEFAULT_MAX_READS_PER_POLL = 800
#: Recent search covers 7 days; a first cursor by time stays a minute inside it.
SEARCH_REACH = 7 * 86400 - 60


def check_poll_interval(value: Any) -> float:
    """A positive number of seconds, else an input error naming ``poll_interval``.

    :param value: the value given.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        from airflow_provider_social.core.errors import input_error

        raise input_error("poll_interval", f"must be a positive number of seconds, got {value!r}", service=SERVICE)
    return float(value)


def check_query(value: Any) -> str | None:
    """None (mentions) or a recent-search query of 1-512 characters, else an input error naming ``query``.

    :param value: the value given.
    """
    from airflow_provider_social.core.errors import input_error
    from airflow_provider_social.hooks.twitter.reads import MAX_QUERY

    if value is None:
        return None
    if not isinstance(value, str) or not value.strip():
        raise input_error("query", f"a non-empty search query or None (mentions), got {value!r}", service=SERVICE)
    if len(value) > MAX_QUERY:
        raise input_error("query", f"at most {MAX_QUERY} characters, got {len(value)}", service=SERVICE)
    return value


def paced_pause(poll_interval: float, window: tuple[int, float] | None, requests: int, now: float) -> float:
    """Seconds to wait before the next poll: ``poll_interval``, or more when the rate window would not last.

    :param poll_interval: the wanted pause.
    :param window: ``(remaining, reset)`` of the last answer's ``x-rate-limit-*`` headers (None: none seen).
    :param requests: the requests the last poll made (a poll that paged made several).
    :param now: the current time, epoch seconds (the clock the reset is on).
    """
    if window is None:
        return poll_interval
    remaining, reset = window
    left = max(0.0, reset - now)
    if remaining <= 0:
        return max(poll_interval, left + 1.0)  # the reset is whole seconds; the next window opens at it
    return max(poll_interval, left * max(1, requests) / remaining)


class TwitterMentionEventTrigger(SerializedFields, CursorEventTrigger):
    """Fires once per new post mentioning the connection's account, or, with ``query``, per new post matching that
    recent-search query; oldest first.

    A watcher starting for the first time reports posts from then on (its first cursor is the newest post there).

    :param query: X's recent-search query (``"#airflow -is:retweet"``, at most 512 characters); None (default):
        mentions of the connection's account.
    :param twitter_conn_id: the connection (a user token with ``tweet.read`` and ``users.read``).
    :param poll_interval: the shortest pause between polls in seconds; longer when the rate window asks for it.
    :param max_reads_per_poll: the most posts one poll reads (X bills reads per post). Past it the older posts of
        that burst are skipped and the next event says so (``events_may_be_lost``).
    :param consumer: who reads the events (a sensor passes its DAG and task): each consumer has its own cursor.
    """

    FIELDS = ("query", "twitter_conn_id", "poll_interval", "max_reads_per_poll", "consumer")

    def __init__(
        self,
        *,
        query: str | None = None,
        twitter_conn_id: str = "twitter_default",
        poll_interval: float = 60.0,
        max_reads_per_poll: int = DEFAULT_MAX_READS_PER_POLL,
        consumer: str | None = None,
    ) -> None:
        super().__init__()
        from airflow_provider_social.core.reads import check_bound

        self.query = check_query(query)
        self.twitter_conn_id = twitter_conn_id
        self.poll_interval = check_poll_interval(poll_interval)
        bound = check_bound(max_reads_per_poll, field="max_reads_per_poll", service=SERVICE)
        if bound is None:
            from airflow_provider_social.core.errors import input_error

            raise input_error("max_reads_per_poll", "a positive whole number (a poll's read cost is bounded)",
                              service=SERVICE)
        self.max_reads_per_poll = bound
        self.consumer = consumer
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep
        self.clock: Callable[[], float] = time.time

    @property
    def source(self) -> str:  # type: ignore[override]
        """``x_mentions`` or ``x_search``: the shared-stream key's and the cursor key's kind."""
        return "x_search" if self.query is not None else "x_mentions"

    def polled(self) -> dict[str, Any]:
        """The connection and the query (None: its mentions): one polling loop for every watcher of them."""
        return {"twitter_conn_id": self.twitter_conn_id, "query": self.query}

    async def reader(self) -> _PostReader:
        """The reading loop: the hook (on this trigger's clock), the cursor store."""
        from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key
        from airflow_provider_social.hooks.twitter import TwitterHook

        hook = await TwitterHook.for_trigger(self.twitter_conn_id, clock=self.clock)
        if self.query is None:
            watched: dict[str, Any] = {"user_id": str((await asyncio.to_thread(hook.get_me))["id"])}
        else:
            watched = {"query": self.query}
        watched["consumer"] = self.consumer
        cursors = CursorStore(hook.token_store, cursor_key(self.twitter_conn_id, self.source, watched))
        return _PostReader(self, hook, watched.get("user_id"), cursors)

    def describe(self) -> str:
        """What is watched, for the log."""
        return f"X watcher of {self.what()}"

    def what(self) -> str:
        """The watched posts in words."""
        return f"posts matching {self.query!r}" if self.query is not None else "mentions"


class _PostReader(CursorSaver):
    """One watcher's polling loop: ``(raw, cursor)`` pairs with cursor ``{"since_id", "start_time"}`` (a time only
    until the first post: X's ``since_id`` must name a post)."""

    def __init__(self, trigger: TwitterMentionEventTrigger, hook: Any, user_id: str | None,
                 cursors: CursorStore) -> None:
        super().__init__(trigger, cursors)
        self.hook, self.user_id = hook, user_id
        self.key = "search recent" if trigger.query is not None else "mentions"

    def _read(self, max_reads: int, since_id: str | None = None, start_time: float | None = None
              ) -> ReadStream[dict[str, Any]]:
        if self.trigger.query is not None:
            if start_time is not None:  # recent search reaches back 7 days only
                start_time = max(start_time, self.trigger.clock() - SEARCH_REACH)
            return self.hook.search_recent(self.trigger.query, since_id=since_id, start_time=start_time,
                                           max_reads=max_reads)
        return self.hook.read_mentions(self.user_id, since_id=since_id, start_time=start_time, max_reads=max_reads)

    def _first_cursor(self) -> dict[str, Any]:
        newest = next(iter(self._read(1)), None)
        if newest is not None:
            return {"since_id": str(newest["id"]), "start_time": None}
        return {"since_id": None, "start_time": int(self.trigger.clock())}

    def _poll(self, cursor: dict[str, Any]) -> tuple[list[dict[str, Any]], ReadStream[dict[str, Any]]]:
        stream = self._read(self.trigger.max_reads_per_poll, cursor.get("since_id"), cursor.get("start_time"))
        return list(stream), stream

    async def _start(self) -> dict[str, Any]:
        cursor = self.saved = await asyncio.to_thread(self.cursors.load)
        if cursor is None:
            cursor = await asyncio.to_thread(self._first_cursor)
            await self.save(cursor)
            log.info("X: watching %s from %s (cursor in %s)", self.trigger.what(),
                     cursor["since_id"] or "now", self.cursors.describe())
        else:
            log.info("X: resuming %s after post %s", self.trigger.what(), cursor.get("since_id") or "none yet")
        return cursor

    async def stream(self) -> AsyncIterator[tuple[dict[str, Any], dict[str, Any]]]:
        """An event per new post (oldest first) with the cursor after it, and a tick after each poll."""
        from airflow_provider_social.core.errors import (
            AuthenticationError,
            PermissionDeniedError,
            RateLimitError,
            ValidationError,
        )

        trigger = self.trigger
        cursor = await self._start()
        failures = 0
        while True:
            try:
                posts, stream = await asyncio.to_thread(self._poll, cursor)
            except (AuthenticationError, PermissionDeniedError, ValidationError):
                raise
            except RateLimitError as exc:  # the window is spent (another reader of the credential): its reset
                pause = max(trigger.poll_interval, float(exc.retry_after or trigger.poll_interval))
                log.warning("X: %s: rate window spent; polling again in %.0f s", trigger.what(), pause)
                await trigger.sleep(pause)
                continue
            except Exception as exc:  # the service or the network: wait and poll again from the same cursor
                failures += 1
                pause = min(MAX_BACKOFF, trigger.poll_interval * 2.0 ** failures)
                log.warning("X: polling %s failed (%s); again in %.0f s", trigger.what(), type(exc).__name__,
                            pause)
                await trigger.sleep(pause)
                continue
            failures = 0
            gap: dict[str, Any] | None = None
            if stream.stopped and posts:
                gap = {"after_id": cursor.get("since_id"), "before_id": str(posts[-1]["id"]),
                       "message": f"more than max_reads_per_poll={trigger.max_reads_per_poll} new posts in one "
                                  "poll; the older ones of that burst were not read"}
                log.warning("X: %s: %s", trigger.what(), gap["message"])
            for post in reversed(posts):  # X answers newest first
                payload = {**post, "source": trigger.source[2:], "query": trigger.query}
                if gap:
                    payload["events_may_be_lost"] = gap
                    gap = None
                cursor = {"since_id": str(post["id"]), "start_time": None}
                yield {"kind": EVENT, "payload": payload, "position": int(post["id"])}, cursor
            yield {"kind": TICK}, cursor
            pause = paced_pause(trigger.poll_interval, self.hook.reads.windows.get(self.key), stream.requests,
                                trigger.clock())
            await trigger.sleep(pause)


__all__ = ["DEFAULT_MAX_READS_PER_POLL", "TwitterMentionEventTrigger", "paced_pause"]
