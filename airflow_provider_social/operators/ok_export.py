"""OK exports: one run's group topics with their counters, or the group's daily statistics, into a JSON Lines,
CSV or Parquet file (for the group's administrators: the session needs GROUP_CONTENT).

Incremental by the run's data interval: topics created ``data_interval_start <= created < data_interval_end``,
statistics for the days that begin in the interval (so consecutive intervals, and a backfill over several, meet
without gaps or doubles). The path is templated (``/data/ok/topics/{{ ds }}.jsonl``) and rewritten whole and
atomically when an interval runs again. The columns of each resource are :data:`COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.exports import ExportOperatorMixin, data_interval, export_choices
from airflow_provider_social.operators.ok import SERVICE, OkBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

#: Resource -> its columns (the counters OK reports; ``time``/``created_ms`` are epoch milliseconds).
COLUMNS: dict[str, tuple[str, ...]] = {
    "topics": ("id", "created_ms", "views", "reach", "likes", "comments", "reshares", "engagement"),
    "daily_stats": ("date", "time", "reach", "renderings", "likes", "comments", "reshares", "members_count"),
}
#: Parquet's column types (the rest are strings).
TYPES: dict[str, dict[str, str]] = {
    resource: {c: "int" for c in columns if c not in ("id", "date")} for resource, columns in COLUMNS.items()
}


class OkExportOperator(ExportOperatorMixin, OkBaseOperator):
    """Export a group's topics with their counters (``topics``) or its daily statistics (``daily_stats``) for the
    run's data interval.

    Returns ``{"resource", "path", "format", "rows", "requests", "complete", "stopped"}``.

    :param resource: ``topics`` (default) or ``daily_stats``.
    :param path: where to write: a local path or an ``ObjectStoragePath``. Templated.
    :param format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param group_id: the group (gid); default: the connection's ``group_id``. Templated.
    :param max_items: stop after this many rows (None: all).
    :param ok_conn_id: the connection (default ``odnoklassniki_default``). Templated.
    """

    template_fields: Sequence[str] = ("path", "group_id", "ok_conn_id")

    def __init__(self, *, path: Any, resource: str = "topics", format: str = "jsonl",
                 group_id: str | int | None = None, max_items: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource, self.format, self.max_items = export_choices(resource, COLUMNS, format, max_items,
                                                                    service=SERVICE)
        self.path, self.group_id = path, group_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Read the group's topics or daily statistics of the run's data interval into the file.

        :param context: the task's Airflow context (its data interval).
        """
        target = self.export_target()  # checked before any request
        since, until = data_interval(context, service=SERVICE)
        hook = self.get_hook()
        read = hook.read_group_topics if self.resource == "topics" else hook.read_group_trends
        stream = read(group_id=self.group_id, since=since, until=until, max_items=self.max_items)
        return self.write_rows(stream, stream, target, COLUMNS[self.resource], TYPES[self.resource])


__all__ = ["COLUMNS", "TYPES", "OkExportOperator"]
