"""Sensor: wait until a path exists on Yandex Disk (or is a file / a folder), optionally in the triggerer."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator

from airflow_provider_social.core.deferral import default_deferrable
from airflow_provider_social.core.event_sensor import EventSensor
from airflow_provider_social.operators.yandex_disk import YandexDiskHookMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.triggers.yandex_disk_events import YandexDiskFolderEventTrigger

class YandexDiskPathSensor(YandexDiskHookMixin, BaseSensorOperator):
    """Succeeds when ``path`` exists (``kind="exists"``), is a file (``"file"``) or is a folder (``"dir"``).

    :param path: the Disk path, templated (``disk:/Backups/{{ ds }}/done.flag``).
    :param kind: what counts as present.
    :param deferrable: wait in the triggerer instead of holding a worker slot (polls every ``poke_interval``);
        default: the ``[operators] default_deferrable`` setting.

    :param yandex_disk_conn_id: the connection (default ``yandex_disk_default``).
    """

    template_fields: Sequence[str] = ("path", "yandex_disk_conn_id")
    ui_color = "#ffdb4d"

    def __init__(self, *, path: str, kind: str = "exists", yandex_disk_conn_id: str = "yandex_disk_default",
                 deferrable: bool | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from airflow_provider_social.hooks.yandex_disk.paths import PATH_KINDS

        if kind not in PATH_KINDS:
            from airflow_provider_social.core.errors import input_error

            raise input_error("kind", f"must be one of {PATH_KINDS}, got {kind!r}", service=self.service)
        self.path, self.kind, self.yandex_disk_conn_id = path, kind, yandex_disk_conn_id
        self.deferrable = default_deferrable() if deferrable is None else deferrable

    def poke(self, context: Context) -> bool:
        """One look at the path.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.yandex_disk.paths import path_matches

        found = self.hook.get_type(self.path)
        self.log.info("%s: %s", self.path, found or "nothing there yet")
        return path_matches(found, self.kind)

    def execute(self, context: Context) -> Any:
        """Poke in the worker, or defer to the path trigger.

        :param context: the task's Airflow context.
        """
        if not self.deferrable:
            return super().execute(context)
        if self.poke(context):
            return None
        from airflow_provider_social.triggers.yandex_disk import YandexDiskPathTrigger

        self.defer(
            trigger=YandexDiskPathTrigger(
                path=self.path, kind=self.kind, yandex_disk_conn_id=self.yandex_disk_conn_id,
                poll_interval=float(self.poke_interval),
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=float(self.timeout)),
        )

    def execute_complete(self, context: Context, event: dict[str, Any]) -> None:
        """Resume after the trigger: done, or the trigger's error.

        :param context: the task's Airflow context.
        :param event: the trigger's event.
        """
        if event.get("status") != "success":
            from airflow_provider_social.core.errors import SocialApiError
            from airflow_provider_social.hooks.yandex_disk import SERVICE

            raise SocialApiError(event.get("message") or f"waiting for {self.path} failed", service=SERVICE,
                                 operation=self.task_id)
        self.log.info("%s is there (%s)", event.get("path"), event.get("type"))


class YandexDiskFolderEventSensor(YandexDiskHookMixin, EventSensor):
    """Waits in the triggerer for the next new or changed file in a Disk folder; returns its metadata (``path``,
    ``name``, ``md5``, ``size``, ``modified``, ...) as its XCom value.

    Built on :class:`~airflow_provider_social.triggers.yandex_disk_events.YandexDiskFolderEventTrigger`: the task
    has its own cursor in the connection's token store, so each run takes the next file after the one the previous
    run took (the first run waits for files that arrive after it starts).

    :param path: the folder (``disk:/Inbox``). Templated.
    :param name_pattern: only files whose name matches this shell pattern (``*.csv``). Templated.
    :param yandex_disk_conn_id: the connection (default ``yandex_disk_default``).
    """

    template_fields: Sequence[str] = ("path", "name_pattern", "yandex_disk_conn_id")
    ui_color = "#ffdb4d"

    def __init__(self, *, path: str, name_pattern: str | None = None,
                 yandex_disk_conn_id: str = "yandex_disk_default", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path, self.name_pattern, self.yandex_disk_conn_id = path, name_pattern, yandex_disk_conn_id

    def event_trigger(self) -> YandexDiskFolderEventTrigger:
        """The folder trigger for this task (listing every ``poke_interval`` seconds; its own cursor)."""
        from airflow_provider_social.triggers.yandex_disk_events import YandexDiskFolderEventTrigger

        return YandexDiskFolderEventTrigger(
            path=self.path, name_pattern=self.name_pattern, yandex_disk_conn_id=self.checked_conn_id(),
            poll_interval=float(self.poke_interval), consumer=f"{self.dag_id}.{self.task_id}",
        )

    def describe(self, event: dict[str, Any]) -> str:
        """The file's path and md5.

        :param event: the trigger's event.
        """
        return f"new or changed file {event.get('path')} (md5 {event.get('md5')})"
