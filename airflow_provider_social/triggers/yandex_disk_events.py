"""New or changed files in a Yandex Disk folder as an Airflow event trigger: for an ``AssetWatcher`` or a sensor.

Each new or changed file fires a :class:`TriggerEvent` whose payload is its metadata (``path``, ``name``, ``md5``,
``size``, ``modified``, ...; never a download link or a token), oldest first. What counts is
:class:`~airflow_provider_social.hooks.yandex_disk.events.FolderWatch`'s (a cursor on modification time and
``md5``). Watchers of one folder share one listing loop (Airflow 3.3+), each with its own name pattern. The cursor
lives in the connection's token store and moves once Airflow has each event (:mod:`.cursor_stream`: on Airflow 3.3+
once it confirmed storing it), so a restarted triggerer skips no file; an event's position is the cursor after it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.deferral import SerializedFields
from airflow_provider_social.hooks.yandex_disk.events import FolderWatch
from airflow_provider_social.triggers.cursor_stream import EVENT, TICK, CursorEventTrigger, CursorSaver

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.cursors import CursorStore

log = logging.getLogger(__name__)
MAX_BACKOFF = 300.0


class YandexDiskFolderEventTrigger(SerializedFields, CursorEventTrigger):
    """Fires once per file that appears or changes in ``path`` (not in its subfolders), oldest first.

    A watcher starting for the first time reports what arrives from then on; the files already there count as
    seen.

    :param path: the folder (``disk:/Inbox``).
    :param name_pattern: only files whose name matches this shell pattern (``*.csv``).
    :param yandex_disk_conn_id: the connection.
    :param poll_interval: seconds between listings (Yandex Disk has no push for a folder).
    :param consumer: who reads the events (a sensor passes its DAG and task): each consumer has its own cursor.
    """

    source = "disk_folder"

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

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this trigger (the folder and pattern from its watch)."""
        return {"path": self.watch.path, "name_pattern": self.watch.name_pattern,
                "yandex_disk_conn_id": self.yandex_disk_conn_id, "poll_interval": self.poll_interval,
                "consumer": self.consumer}

    def polled(self) -> dict[str, Any]:
        """The connection and the folder: one listing loop for every watcher of them."""
        return {"yandex_disk_conn_id": self.yandex_disk_conn_id, "path": self.watch.path}

    def wants(self, payload: dict[str, Any]) -> bool:
        """A file whose name matches this trigger's pattern.

        :param payload: the file's metadata.
        """
        return self.watch.wanted({"type": "file", **payload})

    def already_delivered(self, raw: dict[str, Any], delivered: Any) -> bool:
        """Whether the file was no change for the cursor after the last stored file (``delivered``).

        :param raw: the stream's event (the file's metadata in ``payload``).
        :param delivered: the listing cursor after the last file Airflow stored for this watcher.
        """
        if not isinstance(delivered, dict) or not delivered.get("mark"):
            return False
        return not self.watch.changes([{"type": "file", **raw["payload"]}], delivered)

    async def reader(self) -> _FolderReader:
        """The listing loop of the folder (every file; a sensor's own cursor): the hook, the cursor store."""
        from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        hook = await YandexDiskHook.for_trigger(self.yandex_disk_conn_id)
        watched = {"path": self.watch.path, "consumer": self.consumer}
        cursors = CursorStore(hook.token_store, cursor_key(self.yandex_disk_conn_id, self.source, watched))
        return _FolderReader(self, FolderWatch(self.watch.path), hook, cursors)

    def describe(self) -> str:
        """What is watched, for the log."""
        return f"Yandex Disk watcher of {self.watch.path}"


class _FolderReader(CursorSaver):
    """One watcher's listing loop: ``(raw, cursor)`` pairs (see :mod:`.cursor_stream`)."""

    def __init__(self, trigger: YandexDiskFolderEventTrigger, watch: FolderWatch, hook: Any,
                 cursors: CursorStore) -> None:
        super().__init__(trigger, cursors)
        self.watch, self.hook = watch, hook

    def _listing(self) -> list[dict[str, Any]]:
        from airflow_provider_social.core.errors import NotFoundError
        from airflow_provider_social.hooks.yandex_disk.events import newest_first

        try:
            return list(newest_first(self.hook.iter_folder, self.watch.path))
        except NotFoundError:  # a folder that does not exist yet has no files
            return []

    async def stream(self) -> AsyncIterator[tuple[dict[str, Any], dict[str, Any]]]:
        """An event per new or changed file with the cursor after it, and a tick after each listing."""
        from airflow_provider_social.core.errors import AuthenticationError, PermissionDeniedError, ValidationError
        from airflow_provider_social.hooks.yandex_disk.events import event_payload

        watch, trigger = self.watch, self.trigger
        cursor = self.saved = await asyncio.to_thread(self.cursors.load)
        if cursor is None:
            cursor = watch.first_cursor(await asyncio.to_thread(self._listing))
            await self.save(cursor)
            log.info("Yandex Disk: watching %s from %s (cursor in %s)", watch.path, cursor["mark"],
                     self.cursors.describe())
        failures = 0
        while True:
            try:
                changes = watch.changes(await asyncio.to_thread(self._listing), cursor)
            except (AuthenticationError, PermissionDeniedError, ValidationError):
                raise
            except Exception as exc:  # the service or the network: wait and list again
                failures += 1
                pause = min(MAX_BACKOFF, trigger.poll_interval * 2.0 ** failures)
                log.warning("Yandex Disk: listing %s failed (%s); again in %.0f s", watch.path,
                            type(exc).__name__, pause)
                await trigger.sleep(pause)
                continue
            failures = 0
            for item in changes:
                cursor = watch.advance(cursor, item)
                yield {"kind": EVENT, "payload": event_payload(item), "position": cursor}, cursor
            yield {"kind": TICK}, cursor
            await trigger.sleep(trigger.poll_interval)


__all__ = ["YandexDiskFolderEventTrigger"]
