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

import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Hashable
from typing import Any, Protocol

from airflow.triggers.base import TriggerEvent

log = logging.getLogger(__name__)
EVENT, TICK = "event", "tick"


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


async def run_saving_after_yield(reader: CursorReader) -> AsyncIterator[TriggerEvent]:
    """The events of ``reader``; each cursor saved once the triggerer took what came before it.

    :param reader: the watcher's reader.
    """
    async for raw, cursor in reader.stream():
        if raw["kind"] == EVENT:
            yield TriggerEvent(raw["payload"])
        await reader.save(cursor)


def shared_key(source: str, kwargs: dict[str, Any], consumer: str | None) -> Hashable | None:
    """The shared-stream key of a watcher (its whole configuration), or None for a sensor (``consumer`` set).

    :param source: the kind of events (``vk_longpoll``).
    :param kwargs: the trigger's serialized arguments.
    :param consumer: the sensor reading the events, if any.
    """
    if consumer is not None:
        return None
    return (f"airflow_provider_social.{source}", json.dumps(kwargs, sort_keys=True, default=str))


async def events_of(shared_stream: AsyncIterator[Any]) -> AsyncIterator[TriggerEvent]:
    """The shared stream's events as trigger events (ticks only carry the cursor).

    :param shared_stream: the raw items the producer yielded.
    """
    async for raw in shared_stream:
        if raw["kind"] == EVENT:
            yield TriggerEvent(raw["payload"])


def producer(open_reader: Callable[[], Awaitable[CursorReader]], name: str) -> Any:
    """An ack-mode producer (``airflow.triggers.shared_stream``, Airflow 3.3+) over a watcher's reader.

    :param open_reader: makes the reader (called in the triggerer when the poll starts).
    :param name: the watcher, for the log.
    """
    from airflow.triggers.shared_stream import SharedStreamProducer

    class CursorProducer(SharedStreamProducer):
        """Saves the cursor of the last event of each confirmed batch. Once an event failed (not confirmed in
        time), nothing more is saved in this poll: a restarted triggerer reads again from the last confirmed
        cursor (it may repeat, never skip)."""

        def __init__(self) -> None:
            self.reader: CursorReader | None = None
            self.stuck = False

        async def open_stream(self) -> AsyncIterator[tuple[Any, Any]]:
            self.reader = await open_reader()
            async for raw, cursor in self.reader.stream():
                yield raw, cursor

        async def advance(self, batch: Any) -> None:
            if self.stuck or self.reader is None:
                return
            last = None
            for item in batch:
                if item.outcome.failed:
                    self.stuck = True
                    log.error("%s: an event was not confirmed stored in time; the cursor stays at the last "
                              "confirmed one (a restart reads again from there)", name)
                    break
                last = item.broker_payload
            if last is not None:
                await self.reader.save(last)

    return CursorProducer()


__all__ = ["EVENT", "TICK", "CursorReader", "events_of", "producer", "run_saving_after_yield", "shared_key"]
