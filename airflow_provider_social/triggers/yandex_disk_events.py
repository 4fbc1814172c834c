"""New or changed files in a Yandex Disk folder as an Airflow event trigger: for an ``AssetWatcher`` or a sensor.

Each new or changed file fires a :class:`TriggerEvent` whose payload is its metadata (``path``, ``name``, ``md5``,
``size``, ``modified``, ...; never a download link or a token), oldest first. What counts is
:class:`~airflow_provider_social.hooks.yandex_disk.events.FolderWatch`'s (a cursor on modification time and
``md5``). The cursor lives in the connection's token store and moves once Airflow took each event (the ``yield``
returned), so a restarted triggerer neither loses nor repeats a file.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from airflow.triggers.base import BaseEventTrigger, TriggerEvent

from airflow_provider_social.hooks.yandex_disk.events import FolderWatch

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0


class YandexDiskFolderEventTrigger(BaseEventTrigger):
    """Fires once per file that appears or changes in ``path`` (not in its subfolders), oldest first.

    A watcher starting for the first time reports what arrives from then on; the files already there count as
    seen.

    :param path: the folder (``disk:/Inbox``).
    :param name_pattern: only files whose name matches this shell pattern (``*.csv``).
    :param yandex_disk_conn_id: the connection.
    :param poll_interval: seconds between listings (Yandex Disk has no push for a folder).
    :param consumer: who reads the events (a sensor passes its DAG and task): each consumer has its own cursor.
    """

    def __init__(
        self,
        *,
        path: str,
        name_pattern: str | None = None,
        yandex_disk_conn_id: str = "yandex_disk_default",
        poll_interval: float = 60.0,
        consumer: str | None = None,
    ) -> None:
        super().__init__()
        self.watch = FolderWatch(path, name_pattern)
        if isinstance(poll_interval, bool) or not isinstance(poll_interval, (int, float)) or poll_interval <= 0:
            from airflow_provider_social.core.errors import input_error

            raise input_error("poll_interval", f"must be a positive number of seconds, got {poll_interval!r}",
                              service="Yandex Disk")
        self.yandex_disk_conn_id = yandex_disk_conn_id
        self.poll_interval = float(poll_interval)
        self.consumer = consumer
        self.sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {"path": self.watch.path, "name_pattern": self.watch.name_pattern,
             "yandex_disk_conn_id": self.yandex_disk_conn_id, "poll_interval": self.poll_interval,
             "consumer": self.consumer},
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """List the folder every ``poll_interval`` seconds and fire one event per new or changed file."""
        from airflow_provider_social.core.errors import AuthenticationError, PermissionDeniedError, ValidationError
        from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
        from airflow_provider_social.hooks.yandex_disk.events import event_payload, newest_first

        hook = await YandexDiskHook.for_trigger(self.yandex_disk_conn_id)
        watched = {"path": self.watch.path, "name_pattern": self.watch.name_pattern, "consumer": self.consumer}
        cursors = CursorStore(hook.token_store, cursor_key(self.yandex_disk_conn_id, "disk_folder", watched))

        def listing() -> list[dict[str, Any]]:
            return list(newest_first(hook.iter_folder, self.watch.path))

        cursor = await asyncio.to_thread(cursors.load)
        if cursor is None:
            cursor = self.watch.first_cursor(await asyncio.to_thread(listing))
            await asyncio.to_thread(cursors.save, cursor)
            log.info("Yandex Disk: watching %s from %s (cursor in %s)", self.watch.path, cursor["mark"],
                     cursors.describe())
        failures = 0
        while True:
            try:
                changes = self.watch.changes(await asyncio.to_thread(listing), cursor)
            except (AuthenticationError, PermissionDeniedError, ValidationError):
                raise
            except Exception as exc:  # the service or the network: wait and list again
                failures += 1
                pause = min(MAX_BACKOFF, self.poll_interval * 2.0 ** failures)
                log.warning("Yandex Disk: listing %s failed (%s); again in %.0f s", self.watch.path,
                            type(exc).__name__, pause)
                await self.sleep(pause)
                continue
            failures = 0
            for item in changes:
                yield TriggerEvent(event_payload(item))
                cursor = self.watch.advance(cursor, item)  # Airflow has it: record it before anything else
                await asyncio.to_thread(cursors.save, cursor)
            await self.sleep(self.poll_interval)


__all__ = ["YandexDiskFolderEventTrigger"]
