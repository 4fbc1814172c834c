"""VK exports: one run's wall posts, comments, orders (or a members snapshot) into a JSON Lines, CSV or Parquet
file.

Incremental by the run's data interval: posts, comments and orders dated ``data_interval_start <= date <
data_interval_end`` (so consecutive intervals, and a backfill over several, meet without gaps or doubles); members
are a snapshot. The path is templated (``/data/vk/posts/{{ ds }}.jsonl``) and rewritten whole and atomically when
an interval runs again. The columns of each resource are :data:`COLUMNS`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.exports import ExportOperatorMixin, check_format, data_interval
from airflow_provider_social.core.reads import check_bound
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.operators.vk import VkBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

#: Resource -> its columns (dotted names reach into VK's nested counters).
COLUMNS: dict[str, tuple[str, ...]] = {
    "wall_posts": ("id", "owner_id", "from_id", "date", "text", "views.count", "likes.count", "reposts.count",
                   "comments.count"),
    "comments": ("id", "post_id", "owner_id", "from_id", "date", "text", "likes.count", "thread.count"),
    "orders": ("id", "group_id", "user_id", "date", "status", "items_count", "total_price.amount",
               "total_price.currency.name"),
    "members": ("id",),
}
#: Parquet's column types (the rest are strings): VK's ids, unix dates and counters are integers.
TYPES: dict[str, dict[str, str]] = {
    resource: {c: "int" for c in columns if c in ("id", "owner_id", "from_id", "post_id", "group_id", "user_id",
                                                   "date", "status", "items_count") or c.endswith(".count")}
    for resource, columns in COLUMNS.items()
}


class VkExportOperator(ExportOperatorMixin, VkBaseOperator):
    """Export one resource of the community for the run's data interval.

    Returns ``{"resource", "path", "format", "rows", "requests", "complete", "stopped"}``.

    :param resource: ``wall_posts``, ``comments``, ``orders`` (by the data interval) or ``members`` (a snapshot).
    :param path: where to write: a local path or an ``ObjectStoragePath``. Templated.
    :param format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param max_items: stop after this many items (None: all).
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "path")

    def __init__(self, *, resource: str, path: Any, format: str = "jsonl", max_items: int | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if resource not in COLUMNS:
            raise input_error("resource", f"must be one of {', '.join(COLUMNS)}, got {resource!r}", service=SERVICE)
        self.resource, self.path = resource, path
        self.format = check_format(format, service=SERVICE)
        self.max_items = check_bound(max_items, field="max_items", service=SERVICE)

    def execute(self, context: Context) -> dict[str, Any]:
        """Read the interval and write the file.

        :param context: the task's Airflow context (its data interval).
        """
        target = self.export_target()  # checked before any request
        hook = self.get_hook()
        options: dict[str, Any] = {"group_id": self.group_id, "max_items": self.max_items}
        if self.resource == "members":
            stream = hook.read_members(**options)
            items: Any = ({"id": m} if not isinstance(m, dict) else m for m in stream)
        else:
            since, until = data_interval(context, service=SERVICE)
            if self.resource == "wall_posts":
                stream = hook.read_wall_posts(since=since, until=until, **options)
            elif self.resource == "comments":
                stream = hook.read_comments(since=since, until=until, **options)
            else:
                stream = hook.read_orders(since=since, until=until, **options)
            items = stream
        return self.write_rows(items, stream, target, COLUMNS[self.resource], TYPES[self.resource])


__all__ = ["COLUMNS", "TYPES", "VkExportOperator"]
