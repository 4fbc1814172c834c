"""How an event trigger hands events to Airflow and moves its cursor (shared by the VK, X and Yandex Disk watchers).

A stream's reader produces ``(raw, cursor)`` pairs: ``({"kind": "event", "payload": ..., "position": ...}, cursor
after it)`` for each event of what is polled (every event of the community, every file of the folder, every post of
the query) and ``({"kind": "tick"}, cursor)`` after each look at the service (so the cursor can move past events no
one wanted, and Airflow sees the watcher move on). It saves a cursor with ``save(cursor)``. ``position`` places the
event in the source's order (VK: its ``ts`` number; X: the post id; Disk: the listing cursor after the file).

- Watchers on Airflow 3.3+ read through the triggerer's **ack-mode shared stream**, one per thing polled
  (connection + community / folder / query): watchers of one community with other event types or filters share its
  one long poll, and each applies its own types and filters (:meth:`CursorEventTrigger.wants`). The producer below
  saves a cursor only once Airflow confirmed it stored every event before it, so a killed triggerer never skips an
  event. An event stored in the second before a kill, whose confirmation had not reached the cursor, is read again
  after the restart; each watcher's event carries its watcher id and position (``payload["delivery"]``), the
  provider's listener records that position in the transaction that stores the asset event
  (:mod:`airflow_provider_social.plugins.event_delivery`), and a resubscribing watcher skips what is at or before
  it: no event is stored twice. Without the listener (the plugin not loaded) such an event is delivered again.
- Sensors (a task waiting inside a run, one event) and Airflow before 3.3 read in ``run()``: the cursor is saved
  once each ``yield`` returned, i.e. once the triggerer took the event; a kill in the second before the triggerer
  stored it loses that event.
"""

from __future__ import annotations

import asyncio
import json
import logging
from abc import abstractmethod
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, Protocol

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

log = logging.getLogger(__name__)
EVENT, TICK = "event", "tick"
#: Items a watcher hands to the triggerer before Airflow confirmed storing them (its queue holds 1024 by default).
MAX_OUTSTANDING = 256


class CursorReader(Protocol):
    """What a watcher's reader offers: the pairs, and saving a cursor."""

    def stream(self) -> AsyncIterator[tuple[dict[str, Any], dict[str, Any]]]:
        """``(raw, cursor after it)`` pairs, forever."""
        ...

    async def save(self, cursor: dict[str, Any]) -> None:
        """Save ``cursor`` in the connection's token store.

        :param cursor: the cursor to save.
        """
        ...


class CursorSaver:
    """What every watcher's reader shares: its trigger, its cursor store, and saving a cursor only when it moved.

    :param trigger: the trigger the reader reads for.
    :param cursors: where the cursor is kept (the connection's token store).
    """

    def __init__(self, trigger: Any, cursors: Any) -> None:
        self.trigger = trigger
        self.cursors = cursors
        self.saved: dict[str, Any] | None = None

    async def save(self, cursor: dict[str, Any]) -> None:
        """Save ``cursor`` unless it is the one saved last.

        :param cursor: the reader's cursor.
        """
        if cursor != self.saved:
            await asyncio.to_thread(self.cursors.save, cursor)
            self.saved = cursor


def producer(open_reader: Callable[[], Awaitable[CursorReader]], name: str) -> Any:
    """An ack-mode producer (``airflow.triggers.shared_stream``, Airflow 3.3+) over a watcher's reader.

    :param open_reader: makes the reader (called in the triggerer when the poll starts).
    :param name: the watcher, for the log.
    """
    from airflow.triggers.shared_stream import SharedStreamProducer

    class CursorProducer(SharedStreamProducer):
        """Saves the cursor of the last event of each confirmed batch, and reads on only while at most
        :data:`MAX_OUTSTANDING` items wait for Airflow (a burst in one answer would overflow the subscriber's
        queue). Once an item is not clean (not confirmed in time, or broadcast to nobody), nothing more is saved in
        this poll: a restarted triggerer reads again from the last confirmed cursor (it may repeat, never skip)."""

        def __init__(self) -> None:
            self.reader: CursorReader | None = None
            self.stuck = False
            self.sent = self.resolved = 0
            self.progress = asyncio.Event()

        async def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
            self.reader = await open_reader()
            async for raw, cursor in self.reader.stream():
                yield raw, cursor
                self.sent += 1
                while self.sent - self.resolved >= MAX_OUTSTANDING:
                    self.progress.clear()
                    await self.progress.wait()

        async def advance(self, batch: Any) -> None:
            self.resolved += len(batch)
            self.progress.set()
            if self.stuck or self.reader is None:
                return
            last = None
            for item in batch:
                if not item.outcome.is_clean:
                    self.stuck = True
                    log.error("%s: an event was not confirmed stored (%s); the cursor stays at the last confirmed "
                              "one (a restart reads again from there)", name, item.outcome)
                    break
                last = item.broker_payload
            if last is not None:
                await self.reader.save(last)

    return CursorProducer()


class CursorEventTrigger(BaseEventTrigger):
    """An event trigger whose progress is a cursor in the connection's token store, read either way described in
    the module docstring. A subclass says what is polled (:meth:`polled`), how to read it (:meth:`reader`), which
    of its events it wants (:meth:`wants`) and how positions compare (:meth:`already_delivered`), under which name
    (``source``) and for whom (``consumer``: a sensor's task, None for a watcher).
    """

    #: The kind of events, in the shared-stream key and the cursor's key (``vk_longpoll``, ``disk_folder``).
    source = ""
    consumer: str | None = None

    @abstractmethod
    def polled(self) -> dict[str, Any]:
        """What one poll reads (the connection and the community / folder / query): the shared stream's key."""

    @abstractmethod
    async def reader(self) -> CursorReader:
        """The reading loop of what is polled (made in the triggerer); its cursor is keyed by :meth:`polled` and
        ``consumer``."""

    def wants(self, payload: dict[str, Any]) -> bool:
        """Whether this trigger fires for an event of the stream (its own types and filters).

        :param payload: the event's payload.
        """
        return True

    def already_delivered(self, raw: dict[str, Any], delivered: Any) -> bool:
        """Whether the event ``raw`` is at or before the delivered position ``delivered`` (numbers by default).

        :param raw: the stream's event (its ``position`` and ``payload``).
        :param delivered: the position of the last event Airflow stored for this watcher.
        """
        try:
            return int(raw["position"]) <= int(delivered)
        except (KeyError, TypeError, ValueError):
            return False

    async def check_subscriber(self) -> None:
        """Checks a watcher makes when it joins a stream (the first one's are the reader's); none by default."""

    def describe(self) -> str:
        """What is watched, for the log."""
        return type(self).__name__

    def watcher_id(self) -> str:
        """This watcher's id: a digest of its class path and arguments (a trigger Airflow stores once)."""
        from airflow_provider_social.core.tokens.cursors import digest

        return digest(list(self.serialize()))

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Read and fire one event per wanted item; the cursor saved as each ``yield`` returns (sensors, and
        watchers before Airflow 3.3)."""
        reader = await self.reader()
        gap = None
        async for raw, cursor in reader.stream():
            gap = gap_of(raw) or gap
            if raw["kind"] == EVENT and self.wants(raw["payload"]):
                yield TriggerEvent(with_gap(raw["payload"], gap))
                gap = None
            await reader.save(cursor)

    def shared_stream_key(self) -> Hashable | None:
        """One shared stream per thing polled; None for a sensor (it reads in :meth:`run`)."""
        if self.consumer is not None:
            return None
        return (f"airflow_provider_social.{self.source}", json.dumps(self.polled(), sort_keys=True, default=str))

    @classmethod
    def create_shared_stream_producer(cls, kwargs: dict[str, Any]) -> Any:
        """The producer that saves the cursor once Airflow confirmed it stored the events (Airflow 3.3+).

        :param kwargs: the serialized arguments of the stream's first watcher (its pace is the stream's).
        """
        trigger = cls(**kwargs)
        return producer(trigger.reader, trigger.describe())

    async def _delivered(self, watcher: str) -> Any:
        from airflow_provider_social.core.tokens.cursors import delivered_variable, load_delivered

        try:
            delivered = await asyncio.to_thread(load_delivered, watcher)
        except Exception as exc:  # unreadable: deliver what comes (a repeat at worst), and say so
            log.warning("%s: could not read the delivered position %s (%s); a restart may repeat events",
                        self.describe(), delivered_variable(watcher), type(exc).__name__)
            return None
        if delivered is not None:
            log.info("%s: resuming after the last stored event at position %s", self.describe(), delivered)
        return delivered

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """The stream's events this watcher wants and Airflow has not stored for it yet, each carrying
        ``delivery``: the watcher's id and the event's position, which the provider's listener records with the
        asset event (ticks, which only carry the cursor, are skipped).

        :param shared_stream: the raw items of the producer's stream.
        """
        from airflow_provider_social.core.tokens.cursors import DELIVERY_FIELD

        await self.check_subscriber()
        watcher = self.watcher_id()
        delivered = await self._delivered(watcher)
        gap = None
        skipped = 0
        async for raw in shared_stream:
            gap = gap_of(raw) or gap
            if raw["kind"] != EVENT or not self.wants(raw["payload"]):
                continue
            if delivered is not None and self.already_delivered(raw, delivered):
                skipped += 1
                if skipped == 1:
                    log.info("%s: skipping events Airflow already stored (read again from the older cursor)",
                             self.describe())
                continue
            delivered = raw["position"]
            payload = {**with_gap(raw["payload"], gap),
                       DELIVERY_FIELD: {"watcher": watcher, "position": raw["position"]}}
            gap = None
            yield TriggerEvent(payload)


def gap_of(raw: dict[str, Any]) -> Any:
    """What a stream item says may be lost before it (a tick's, or an event's own, which another watcher's filter
    may drop: each watcher carries it to its own next event).

    :param raw: the stream's item.
    """
    payload = raw.get("payload")
    return raw.get("events_may_be_lost") or (payload.get("events_may_be_lost") if isinstance(payload, dict) else None)


def with_gap(payload: dict[str, Any], gap: Any) -> dict[str, Any]:
    """``payload`` saying that events before it may be lost (``events_may_be_lost``) when ``gap`` is set.

    :param payload: the event's payload.
    :param gap: what was lost, or None.
    """
    if gap is None or "events_may_be_lost" in payload:
        return payload
    return {**payload, "events_may_be_lost": gap}


__all__ = ["EVENT", "TICK", "CursorEventTrigger", "CursorReader", "CursorSaver", "gap_of", "producer", "with_gap"]
