"""Yandex Disk exports: a listing of the disk's files into a JSON Lines, CSV or Parquet file, for backup
verification and sync jobs.

``files`` is a snapshot of every file (flat); ``changed_files`` the files modified in the run's data interval
(``data_interval_start <= modified < data_interval_end``: consecutive intervals meet without gaps or doubles);
``last_uploaded`` the interval's uploads from the capped last-uploaded list (one request; the result's
``stopped`` says when the list could not cover the interval). The path is templated and rewritten whole and
atomically when an interval runs again. The columns are :data:`COLUMNS` (never a download link).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.exports import ExportOperatorMixin, data_interval, export_choices
from airflow_provider_social.operators.yandex_disk import SERVICE, YandexDiskBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

RESOURCES = ("files", "changed_files", "last_uploaded")
#: The columns of every resource (the hook's ``FILE_FIELDS``; tests check they agree).
COLUMNS: tuple[str, ...] = ("path", "name", "size", "mime_type", "media_type", "md5", "sha256", "created",
                            "modified", "resource_id", "revision")
#: Parquet's column types (the rest are strings; times are ISO 8601 text as the API gives them).
TYPES = {"size": "int", "revision": "int"}


class YandexDiskExportOperator(ExportOperatorMixin, YandexDiskBaseOperator):
    """Export a listing of the disk's files.

    Returns ``{"resource", "path", "format", "rows", "requests", "complete", "stopped"}``.

    :param resource: ``files`` (default: a snapshot), ``changed_files`` or ``last_uploaded`` (by the interval).
    :param path: where to write: a local path or an ``ObjectStoragePath``. Templated.
    :param format: ``jsonl`` (default), ``csv`` or ``parquet`` (needs the ``[parquet]`` extra).
    :param media_type: only these media types (``image``, ``document``, ... or a list).
    :param max_items: stop after this many rows (None: all).
    """

    template_fields: Sequence[str] = (*YandexDiskBaseOperator.template_fields, "path")

    def __init__(self, *, path: Any, resource: str = "files", format: str = "jsonl",
                 media_type: str | list[str] | None = None, max_items: int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.resource, self.format, self.max_items = export_choices(resource, RESOURCES, format, max_items,
                                                                    service=SERVICE)
        self.path, self.media_type = path, media_type

    def execute(self, context: Context) -> dict[str, Any]:
        """Read the listing and write the file.

        :param context: the task's Airflow context (its data interval, for the windowed resources).
        """
        target = self.export_target()  # checked before any request
        hook = self.hook
        options: dict[str, Any] = {"media_type": self.media_type, "max_items": self.max_items}
        if self.resource == "files":
            stream = hook.read_files(**options)
        else:
            since, until = data_interval(context, service=SERVICE)
            read = hook.read_changed_files if self.resource == "changed_files" else hook.read_last_uploaded
            stream = read(since=since, until=until, **options)
        return self.write_rows(stream, stream, target, COLUMNS, TYPES)


__all__ = ["COLUMNS", "RESOURCES", "TYPES", "YandexDiskExportOperator"]
