"""Triggers for Yandex Disk: wait for an asynchronous operation, or for a path to appear, without a worker slot.

Both poll through :class:`~airflow_provider_social.hooks.yandex_disk.YandexDiskHook`; its calls are blocking
(``requests``), so each one runs in ``asyncio.to_thread`` and the triggerer's event loop is never blocked. The
connection is read with the async ``aget_connection`` in the loop itself.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

PATH_KINDS = ("exists", "file", "dir")


async def _hook(conn_id: str) -> YandexDiskHook:
    from airflow.sdk import BaseHook

    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    hook = YandexDiskHook(conn_id)
    hook.__dict__["connection"] = await BaseHook.aget_connection(conn_id)
    return hook


def _secret_free(exc: Exception) -> str:
    from airflow_provider_social.core.masking import redact

    return redact(f"{type(exc).__name__}: {exc}")


class YandexDiskOperationTrigger(BaseTrigger):
    """Poll ``GET /v1/disk/operations/{id}`` until the operation ends.

    Fires one event: ``{"status": "success" | "failed" | "error", "operation_id", "result", "message"}``, where
    ``result`` is handed back unchanged (the operator's XCom value) and ``message`` explains a failure.

    :param operation_id: the operation's id (or href) from a 202 answer.
    :param yandex_disk_conn_id: the connection to poll with.
    :param poll_interval: seconds between polls.
    :param timeout: give up after this many seconds (None: wait as long as the task's own timeout allows).
    :param result: JSON-serialisable value to return with a successful event.
    """

    def __init__(
        self,
        *,
        operation_id: str,
        yandex_disk_conn_id: str = "yandex_disk_default",
        poll_interval: float = 5.0,
        timeout: float | None = None,
        result: Any = None,
    ) -> None:
        super().__init__()
        self.operation_id = operation_id
        self.yandex_disk_conn_id = yandex_disk_conn_id
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.result = result

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "operation_id": self.operation_id,
                "yandex_disk_conn_id": self.yandex_disk_conn_id,
                "poll_interval": self.poll_interval,
                "timeout": self.timeout,
                "result": self.result,
            },
        )

    def _event(self, status: str, message: str = "") -> TriggerEvent:
        return TriggerEvent(
            {"status": status, "operation_id": self.operation_id, "result": self.result, "message": message}
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        started = time.monotonic()
        try:
            hook = await _hook(self.yandex_disk_conn_id)
            while True:
                status = await asyncio.to_thread(hook.get_operation_status, self.operation_id)
                if status == "success":
                    yield self._event("success")
                    return
                if status == "failed":
                    yield self._event("failed", f"Yandex Disk operation {self.operation_id} failed")
                    return
                if self.timeout is not None and time.monotonic() - started >= self.timeout:
                    yield self._event("error", f"operation {self.operation_id} still in progress after "
                                               f"{self.timeout:.0f} s")
                    return
                await asyncio.sleep(self.poll_interval)
        except Exception as exc:  # reported to the task, which fails with the message
            yield self._event("error", _secret_free(exc))


class YandexDiskPathTrigger(BaseTrigger):
    """Poll until ``path`` exists (``kind="exists"``) or is a file / folder (``"file"`` / ``"dir"``).

    Fires ``{"status": "success", "path", "type"}`` or ``{"status": "error", "path", "message"}``.
    """

    def __init__(
        self,
        *,
        path: str,
        kind: str = "exists",
        yandex_disk_conn_id: str = "yandex_disk_default",
        poll_interval: float = 60.0,
    ) -> None:
        super().__init__()
        if kind not in PATH_KINDS:
            raise ValueError(f"kind: must be one of {PATH_KINDS}, got {kind!r}")
        self.path = path
        self.kind = kind
        self.yandex_disk_conn_id = yandex_disk_conn_id
        self.poll_interval = poll_interval

    def serialize(self) -> tuple[str, dict[str, Any]]:
        return (
            f"{type(self).__module__}.{type(self).__qualname__}",
            {
                "path": self.path,
                "kind": self.kind,
                "yandex_disk_conn_id": self.yandex_disk_conn_id,
                "poll_interval": self.poll_interval,
            },
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        try:
            hook = await _hook(self.yandex_disk_conn_id)
            while True:
                found = await asyncio.to_thread(hook.get_type, self.path)
                if path_matches(found, self.kind):
                    yield TriggerEvent({"status": "success", "path": self.path, "type": found})
                    return
                await asyncio.sleep(self.poll_interval)
        except Exception as exc:
            yield TriggerEvent({"status": "error", "path": self.path, "message": _secret_free(exc)})


def path_matches(found: str | None, kind: str) -> bool:
    """Whether a resource type (``"file"``, ``"dir"`` or None for nothing) satisfies ``kind``."""
    return found is not None and (kind == "exists" or found == kind)
