"""How an event trigger hands events to Airflow and moves its cursor (shared by the VK and Yandex Disk watchers).

A watcher's reader produces ``(raw, cursor)`` pairs: ``({"kind": "event", "payload": ...}, cursor after it)`` for
each event and ``({"kind": "tick"}, cursor)`` after each look at the service (so the cursor can move past events
that were filtered out, and Airflow sees the watcher move on). It saves a cursor with ``save(cursor)``.

- Watchers on Airflow 3.3+ read through the triggerer's **ack-mode shared stream**: the producer below saves a
  cursor only once Airflow confirmed it stored every event before it. A killed triggerer never skips an event; one
  stored in the second before the kill, whose confirmation had not reached the cursor, is delivered again (with the
  same payload: DAGs that must not repeat work key on the event's id).
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
    the module docstring. A subclass says how to read (:meth:`reader`), under which name (``source``) and for
    whom (``consumer``: a sensor's task, None for a watcher).
    """

    #: The kind of events, in the shared-stream key and the cursor's key (``vk_longpoll``, ``disk_folder``).
    source = ""
    consumer: str | None = None

    @abstractmethod
    async def reader(self) -> CursorReader:
        """The reading loop of this trigger (made in the triggerer)."""

    def describe(self) -> str:
        """What is watched, for the log."""
        return type(self).__name__

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Read and fire one event per item; the cursor saved as each ``yield`` returns (sensors, and watchers
        before Airflow 3.3)."""
        reader = await self.reader()
        async for raw, cursor in reader.stream():
            if raw["kind"] == EVENT:
                yield TriggerEvent(raw["payload"])
            await reader.save(cursor)

    def shared_stream_key(self) -> Hashable | None:
        """One shared stream per watcher configuration; None for a sensor (it reads in :meth:`run`)."""
        if self.consumer is not None:
            return None
        return (f"airflow_provider_social.{self.source}", json.dumps(self.serialize()[1], sort_keys=True,
                                                                     default=str))

    @classmethod
    def create_shared_stream_producer(cls, kwargs: dict[str, Any]) -> Any:
        """The producer that saves the cursor once Airflow confirmed it stored the events (Airflow 3.3+).

        :param kwargs: the trigger's serialized arguments.
        """
        trigger = cls(**kwargs)
        return producer(trigger.reader, trigger.describe())

    async def filter_shared_stream(self, shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
        """The shared stream's events (ticks, which only carry the cursor, are skipped).

        :param shared_stream: the raw items of the producer's stream.
        """
        async for raw in shared_stream:
            if raw["kind"] == EVENT:
                yield TriggerEvent(raw["payload"])


__all__ = ["EVENT", "TICK", "CursorEventTrigger", "CursorReader", "producer"]
