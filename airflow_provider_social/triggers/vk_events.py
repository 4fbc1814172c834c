"""VK community events (Bots Long Poll) as an Airflow event trigger: for an ``AssetWatcher`` or a deferrable sensor.

Each matching event fires a :class:`TriggerEvent` whose payload is the event (``type``, ``event_id``, ``group_id``,
``v``, ``object``: the message, comment, post, order, ...; never a token or the Long Poll key); an asset watcher
stores it in the asset event's ``extra["payload"]``.

Watchers of one community share one long poll (Airflow 3.3+); each applies its own types and filter. Progress
survives a triggerer restart: the cursor (the batch's ``ts`` and how many of its events were handed to Airflow)
lives in the connection's token store (:mod:`~airflow_provider_social.core.tokens.cursors`) and moves only after
Airflow has the events (:mod:`.cursor_stream`: on Airflow 3.3+ once it confirmed storing them), so a restarted
trigger asks again from that ``ts`` and skips what was delivered (an event's position is its number in VK's
``ts`` sequence: the batch's ``ts`` plus its index). Calls are blocking (the shared
transport), so they run in threads; the long-held checks in a pool of their own, so many watchers never starve the
triggerer's default pool.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.core.deferral import SerializedFields
from airflow_provider_social.hooks.vk.events import DEFAULT_WAIT, EventFilter, check_event_types, check_wait
from airflow_provider_social.triggers.cursor_stream import EVENT, TICK, CursorEventTrigger, CursorSaver

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.cursors import CursorStore
    from airflow_provider_social.hooks.vk.longpoll import LongPollServer, VkLongPoll

log = logging.getLogger(__name__)
T = TypeVar("T")
#: Threads for the held a_check calls (each waits up to ``wait`` seconds on the server).
LONG_POLL_THREADS = 128
_long_polls: ThreadPoolExecutor | None = None
#: What a ``failed`` answer means for the events in between (dev.vk.com, Bots Long Poll API).
GAPS = {
    1: "the event history went out of date or was partly lost; reading goes on from the server's new ts",
    3: "the server lost the key and ts; reading goes on from a new ts",
}
MAX_BACKOFF = 60.0


def _pool() -> ThreadPoolExecutor:
    global _long_polls
    if _long_polls is None:
        _long_polls = ThreadPoolExecutor(LONG_POLL_THREADS, thread_name_prefix="vk-long-poll")
    return _long_polls


class VkCommunityEventTrigger(SerializedFields, CursorEventTrigger):
    """Fires once per VK community event of ``event_types`` that passes the filter, in the order VK numbered them.

    At start the community's Long Poll settings are checked (on, the connection's API version, every wanted type
    sent); a :class:`~airflow_provider_social.hooks.vk.longpoll.LongPollDisabled` error names what to switch on.
    ``failed`` answers are handled as VK documents them: 1 -> go on from the new ``ts``, 2 -> a new key, 3 -> a new key
    and ``ts``; after 1 and 3 the log warns and the next event's payload carries ``events_may_be_lost``.

    :param event_types: VK event types (``message_new``, ``wall_reply_new``, ``wall_post_new``, ``market_order_new``,
        ``group_join``, any other by name).
    :param vk_conn_id: the connection (a community key with ``manage``, or a user token of an admin).
    :param group_id: the community; default: the connection's ``group_id``.
    :param text_pattern: only events whose text matches this regular expression (message, post, comment, order
        comment).
    :param peer_id: only messages of this conversation.
    :param post_id: only comments under this post.
    :param from_id: only events of this sender / commenter / buyer / member.
    :param wait: seconds the Long Poll server holds a check open (1-90).
    :param consumer: who reads the events (a sensor passes its DAG and task): each consumer has its own cursor.
    """

    source = "vk_longpoll"

    def __init__(
        self,
        *,
        event_types: list[str],
        vk_conn_id: str = "vk_default",
        group_id: int | str | None = None,
        text_pattern: str | None = None,
        peer_id: int | None = None,
        post_id: int | None = None,
        from_id: int | None = None,
        wait: int = DEFAULT_WAIT,
        consumer: str | None = None,
    ) -> None:
        super().__init__()
        self.event_types = check_event_types(event_types)
        self.filter = EventFilter(text_pattern=text_pattern, peer_id=peer_id, post_id=post_id, from_id=from_id)
        self.vk_conn_id = vk_conn_id
        self.group_id = group_id
        self.wait = check_wait(wait)
        self.consumer = consumer
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this trigger (the filter's fields spread out)."""
        return {"event_types": self.event_types, "vk_conn_id": self.vk_conn_id, "group_id": self.group_id,
                **self.filter.as_dict(), "wait": self.wait, "consumer": self.consumer}

    def polled(self) -> dict[str, Any]:
        """The connection and the community: one long poll for every watcher of them."""
        return {"vk_conn_id": self.vk_conn_id, "group_id": self.group_id}

    def wants(self, payload: dict[str, Any]) -> bool:
        """An event of this trigger's types that passes its filter.

        :param payload: the event (``type``, ``object``).
        """
        return payload.get("type") in self.event_types and self.filter.matches(payload)

    async def _longpoll(self) -> tuple[Any, VkLongPoll, int]:
        """The hook, its Long Poll client and the community, with the settings checked for this trigger's types."""
        from airflow_provider_social.hooks.vk import VkHook
        from airflow_provider_social.hooks.vk.longpoll import VkLongPoll

        hook = await VkHook.for_trigger(self.vk_conn_id)
        longpoll = VkLongPoll(hook.api, group=hook.group)
        group_id = hook.group(self.group_id)
        await asyncio.to_thread(longpoll.check_settings, self.event_types, group_id=group_id)
        return hook, longpoll, group_id

    async def check_subscriber(self) -> None:
        """The community's Long Poll settings send this watcher's types (the stream was opened for another's)."""
        await self._longpoll()

    async def reader(self) -> _Reader:
        """The reading loop of the community (every event; a sensor's own cursor): the hook, the settings checked,
        the cursor store."""
        from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key

        hook, longpoll, group_id = await self._longpoll()
        watched = {"group_id": group_id, "consumer": self.consumer}
        cursors = CursorStore(hook.token_store, cursor_key(self.vk_conn_id, self.source, watched))
        return _Reader(self, longpoll, group_id, cursors)

    def describe(self) -> str:
        """What is watched, for the log."""
        return f"VK watcher of {', '.join(self.event_types)}"


def position_in_ts(ts: str, index: int) -> int | None:
    """An event's number in VK's ``ts`` sequence (``ts`` numbers the events: a batch asked from ``ts`` starts with
    event ``ts``), the same whichever ``ts`` a restart asks from; None for a ``ts`` that is not a number.

    :param ts: the ``ts`` the batch was asked from.
    :param index: the event's index in the batch.
    """
    try:
        return int(ts) + index
    except (TypeError, ValueError):
        return None


class _Reader(CursorSaver):
    """One watcher's reading loop: the server key, the cursor ``{"ts", "skip", "gap"}`` and the failures."""

    def __init__(self, trigger: VkCommunityEventTrigger, longpoll: VkLongPoll, group_id: int,
                 cursors: CursorStore) -> None:
        super().__init__(trigger, cursors)
        self.longpoll, self.group_id = longpoll, group_id
        self.server: LongPollServer | None = None

    async def _call(self, func: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        return await asyncio.to_thread(func, *args, **kwargs)

    async def _new_server(self) -> LongPollServer:
        self.server = await self._call(self.longpoll.server, self.group_id)
        return self.server

    async def _start(self) -> dict[str, Any]:
        cursor = self.saved = await self._call(self.cursors.load)
        server = await self._new_server()
        if cursor is None:  # the first start: events from now on, remembered at once
            cursor = {"ts": server.ts, "skip": 0, "gap": None}
            await self.save(cursor)
            log.info("VK club%s: watching events from ts %s (cursor in %s)", self.group_id, server.ts,
                     self.cursors.describe())
        else:
            log.info("VK club%s: resuming from ts %s after %s delivered event(s) of that batch", self.group_id,
                     cursor["ts"], cursor.get("skip", 0))
        return cursor

    async def _check(self, ts: str) -> dict[str, Any]:
        server = self.server or await self._new_server()
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(_pool(), lambda: self.longpoll.check(server, ts, wait=self.trigger.wait))

    async def _failed(self, answer: dict[str, Any], cursor: dict[str, Any]) -> dict[str, Any]:
        """The cursor after a ``failed`` answer (a new key where VK says so); the gap is remembered in the cursor
        until the next delivered event carries it."""
        code = answer.get("failed")
        if code == 2:
            await self._new_server()
            return cursor
        if code == 1 and answer.get("ts") is not None:
            ts = str(answer["ts"])
        elif code == 3:
            ts = (await self._new_server()).ts
        else:
            raise ValueError(f"the VK Long Poll server answered failed={code!r}")
        gap = {"failed": code, "from_ts": cursor["ts"], "to_ts": ts, "message": GAPS[code] + "; events in between "
               "may be lost"}
        log.warning("VK club%s Long Poll answered failed %s: %s (ts %s -> %s)", self.group_id, code, gap["message"],
                    cursor["ts"], ts)
        return {"ts": ts, "skip": 0, "gap": gap}

    async def stream(self) -> AsyncIterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``({"kind": "event", "payload"}, cursor after it)`` per matching update, and after each check
        ``({"kind": "tick"}, cursor)``: the caller saves each cursor once Airflow has what came before it."""
        from airflow_provider_social.core.errors import AuthenticationError, PermissionDeniedError, ValidationError

        cursor = await self._start()
        failures = 0
        while True:
            try:
                answer = await self._check(str(cursor["ts"]))
            except (AuthenticationError, PermissionDeniedError, ValidationError):
                raise
            except Exception as exc:  # the server or the network: wait and ask again from the same cursor
                failures += 1
                pause = min(MAX_BACKOFF, 2.0 ** failures)
                log.warning("VK club%s Long Poll check failed (%s); again in %.0f s", self.group_id,
                            type(exc).__name__, pause)
                await self.trigger.sleep(pause)
                continue
            failures = 0
            if "failed" in answer:
                cursor = await self._failed(answer, cursor)
                yield {"kind": TICK, "events_may_be_lost": cursor.get("gap")}, cursor
                continue
            updates = answer.get("updates") or []
            skip = int(cursor.get("skip") or 0)
            for index in range(skip, len(updates)):
                payload = self._payload(updates[index], cursor)
                position = position_in_ts(cursor["ts"], index)
                cursor = {"ts": cursor["ts"], "skip": index + 1, "gap": None}
                yield {"kind": EVENT, "payload": payload, "position": position}, cursor
            cursor = {"ts": str(answer.get("ts") or cursor["ts"]), "skip": 0, "gap": cursor.get("gap")}
            yield {"kind": TICK}, cursor

    def _payload(self, update: dict[str, Any], cursor: dict[str, Any]) -> dict[str, Any]:
        payload = {"type": update.get("type"), "event_id": update.get("event_id"),
                   "group_id": update.get("group_id", self.group_id), "v": update.get("v"),
                   "object": update.get("object"), "ts": str(cursor["ts"])}
        if cursor.get("gap"):
            payload["events_may_be_lost"] = cursor["gap"]
        return payload


__all__ = ["VkCommunityEventTrigger"]
