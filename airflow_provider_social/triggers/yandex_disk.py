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

from airflow_provider_social.core.deferral import SerializedFields

# Defined once beside the hook (the sensor reads them too); kept importable from here.
from airflow_provider_social.hooks.yandex_disk.paths import PATH_KINDS, path_matches

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


async def _hook(conn_id: str) -> YandexDiskHook:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    return await YandexDiskHook.for_trigger(conn_id)


def _secret_free(exc: Exception) -> str:
    from airflow_provider_social.core.masking import redact

    return redact(f"{type(exc).__name__}: {exc}")


class YandexDiskOperationTrigger(SerializedFields, BaseTrigger):
    """Poll ``GET /v1/disk/operations/{id}`` until the operation ends.

    Fires one event: ``{"status": "success" | "failed" | "error", "operation_id", "result", "message"}``, where
    ``result`` is handed back unchanged (the operator's XCom value) and ``message`` explains a failure.

    :param operation_id: the operation's id (or href) from a 202 answer.
    :param yandex_disk_conn_id: the connection to poll with.
    :param poll_interval: seconds between polls.
    :param timeout: give up after this many seconds (None: wait as long as the task's own timeout allows).
    :param result: JSON-serialisable value to return with a successful event.
    """

    FIELDS = ("operation_id", "yandex_disk_conn_id", "poll_interval", "timeout", "result")

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

    def _event(self, status: str, message: str = "") -> TriggerEvent:
        return TriggerEvent(
            {"status": status, "operation_id": self.operation_id, "result": self.result, "message": message}
        )

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll as :func:`~airflow_provider_social.hooks.yandex_disk.operations.operation_rule` says (the hook's
        own rule) and fire one event."""
        from airflow_provider_social.core.waiting import WaitTimeout, await_for
        from airflow_provider_social.hooks.yandex_disk.operations import operation_poll, operation_rule

        try:
            hook = await _hook(self.yandex_disk_conn_id)

            async def check() -> Any:
                return operation_poll(await asyncio.to_thread(hook.get_operation_status, self.operation_id))

            status = await await_for(check, operation_rule(self.poll_interval, self.timeout),
                                     what=f"operation {self.operation_id}", service="Yandex Disk",
                                     operation="wait for operation", clock=time.monotonic)
            if status == "failed":
                yield self._event("failed", f"Yandex Disk operation {self.operation_id} failed")
            else:
                yield self._event("success")
        except WaitTimeout:
            yield self._event("error", f"operation {self.operation_id} still in progress after {self.timeout:.0f} s")
        except Exception as exc:  # reported to the task, which fails with the message
            yield self._event("error", _secret_free(exc))


class YandexDiskPathTrigger(SerializedFields, BaseTrigger):
    """Poll until ``path`` exists (``kind="exists"``) or is a file / folder (``"file"`` / ``"dir"``).

    Fires ``{"status": "success", "path", "type"}`` or ``{"status": "error", "path", "message"}``.

    :param path: the Disk path.
    :param kind: ``exists``, ``file`` or ``dir``.
    :param yandex_disk_conn_id: the connection to poll with.
    :param poll_interval: seconds between polls.
    """

    FIELDS = ("path", "kind", "yandex_disk_conn_id", "poll_interval")

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

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll the path every ``poll_interval`` seconds until it matches ``kind``; fire one event."""
        from airflow_provider_social.core.waiting import Poll, WaitRule, await_for

        try:
            hook = await _hook(self.yandex_disk_conn_id)

            async def check() -> Any:
                found = await asyncio.to_thread(hook.get_type, self.path)
                return Poll(done=path_matches(found, self.kind), value=found)

            found = await await_for(check, WaitRule(interval=self.poll_interval, honour_advice=False,
                                                    minimum=min(0.1, self.poll_interval)),
                                    what=self.path, service="Yandex Disk", operation="wait for path")
            yield TriggerEvent({"status": "success", "path": self.path, "type": found})
        except Exception as exc:
            yield TriggerEvent({"status": "error", "path": self.path, "message": _secret_free(exc)})

