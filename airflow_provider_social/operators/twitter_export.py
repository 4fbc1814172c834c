"""X exports: one run's posts, mentions or recent-search results with their metrics, into JSON Lines or CSV.

Incremental by the run's data interval (``start_time`` = ``data_interval_start``, ``end_time`` =
``data_interval_end``), within a ``max_reads`` budget (X bills reads per post); the path is templated and
rewritten whole and atomically when an interval runs again. The columns are :data:`COLUMNS` (plus
:data:`PRIVATE_COLUMNS` with ``private_metrics``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.exports import ExportOperatorMixin, check_format, data_interval
from airflow_provider_social.core.reads import check_bound
from airflow_provider_social.operators.twitter import SERVICE, TwitterBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context


#: The hook's read budget, repeated so that parsing a DAG does not import the hook (and its transport);
#: tests/operators/test_exports.py checks they agree.
DEFAULT_MAX_READS = 500
COLUMNS: tuple[str, ...] = (
    "id", "created_at", "author_id", "conversation_id", "text", "public_metrics.impression_count",
    "public_metrics.like_count", "public_metrics.retweet_count", "public_metrics.reply_count",
    "public_metrics.quote_count", "public_metrics.bookmark_count",
)
PRIVATE_COLUMNS: tuple[str, ...] = (
    "non_public_metrics.impression_count", "non_public_metrics.url_link_clicks",
    "non_public_metrics.user_profile_clicks", "organic_metrics.impression_count", "organic_metrics.like_count",
)
RESOURCES = ("posts", "mentions", "search")
#: Parquet's column types (the rest are strings: X's ids are strings in its JSON, beyond 2**53).
TYPES: dict[str, str] = {c: "int" for c in (*COLUMNS, *PRIVATE_COLUMNS) if "metrics." in c}


class TwitterExportOperator(ExportOperatorMixin, TwitterBaseOperator):
    """Export the run's data interval of a user's posts, their mentions or a recent search.

    Returns ``{"resource", "path", "format", "rows", "requests", "complete", "stopped"}``; a read stopped by
    ``max_reads`` says so in ``stopped`` (and in the log).

    :param resource: ``posts`` (default), ``mentions`` or ``search``.
    :param path: where to write: a local path or an ``ObjectStoragePath``. Templated.
    :param format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param query: the search query (``search`` only). Templated.
    :param user_id: whose posts or mentions (default: the connection's account). Templated.
    :param private_metrics: add the private metrics columns (own posts of the last 30 days).
    :param max_reads: the read budget in posts (default 500; None: no bound).
    :param twitter_conn_id: the Connection ID (type ``twitter``), default ``twitter_default``. Templated.
    """

    template_fields: Sequence[str] = ("path", "query", "user_id", "twitter_conn_id")
    ui_color = "#1d9bf0"

    def __init__(self, *, path: Any, resource: str = "posts", format: str = "jsonl", query: str | None = None,
                 user_id: str | None = None, private_metrics: bool = False,
                 max_reads: int | None = DEFAULT_MAX_READS, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if resource not in RESOURCES:
            raise input_error("resource", f"must be one of {', '.join(RESOURCES)}, got {resource!r}",
                              service=SERVICE)
        if (resource == "search") != bool(query):
            raise input_error("query", "a query is required for resource='search' and only there", service=SERVICE)
        self.resource, self.path = resource, path
        self.format = check_format(format, service=SERVICE)
        self.query, self.user_id, self.private_metrics = query, user_id, private_metrics
        self.max_reads = check_bound(max_reads, field="max_reads", service=SERVICE)

    def execute(self, context: Context) -> dict[str, Any]:
        """Read the interval and write the file.

        :param context: the task's Airflow context (its data interval).
        """
        target = self.export_target()  # checked before any request
        start, end = data_interval(context, service=SERVICE)
        hook = self.get_hook()
        window: dict[str, Any] = {"start_time": start, "end_time": end, "max_reads": self.max_reads}
        if self.resource == "search":
            stream = hook.search_recent(str(self.query), **window)
        elif self.resource == "mentions":
            stream = hook.read_mentions(self.user_id, **window)
        else:
            stream = hook.read_posts(self.user_id, private_metrics=self.private_metrics, **window)
        columns = COLUMNS + (PRIVATE_COLUMNS if self.private_metrics else ())
        return self.write_rows(stream, stream, target, columns, TYPES)


__all__ = ["COLUMNS", "PRIVATE_COLUMNS", "TYPES", "TwitterExportOperator"]
