"""Exports: items streamed into JSON Lines or CSV with a stable column set, written atomically.

Each row holds exactly the resource's columns (dotted names reach into nested objects: ``likes.count``), in the
same order for JSON Lines and CSV, so a dashboard reading yesterday's file reads today's the same way. The rows are
written to a temporary sibling of the target and moved over it only when the read finished: a re-run of an interval
replaces its file whole, and a failed run leaves the earlier file (or none) under the final name, never a part.

Targets are local paths or ``ObjectStoragePath`` s (or storage URLs), checked before any request by
:func:`~.targets.output_target` and written by :func:`~.targets.write_atomically`, as downloads are.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.errors import input_error

if TYPE_CHECKING:
    from airflow_provider_social.core.reads import ReadStream

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")
BLOCK = 64 * 1024


def check_format(value: str, *, service: str) -> str:
    """``jsonl`` or ``csv``, else an input error naming the field."""
    if value not in FORMATS:
        raise input_error("format", f"must be one of {', '.join(FORMATS)}, got {value!r}", service=service)
    return value


def data_interval(context: Mapping[str, Any], *, service: str) -> tuple[Any, Any]:
    """The run's ``(data_interval_start, data_interval_end)``; an input error when the run has none."""
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is None or end is None:
        raise input_error("data_interval", "an export reads one data interval: schedule the DAG with a timetable "
                          "that has intervals, or trigger it with one", service=service)
    if start == end:
        log.warning("%s: the run's data interval is empty (%s), so nothing is exported. Manual runs have none, and "
                    "neither have the runs of Airflow 3's plain cron schedules (CronTriggerTimetable): schedule "
                    "exports with CronDataIntervalTimetable or DeltaDataIntervalTimetable", service, start)
    return start, end


def cell(item: Any, column: str) -> Any:
    """The value of a dotted ``column`` in ``item`` (None where a step is missing)."""
    value = item
    for step in column.split("."):
        value = value.get(step) if isinstance(value, dict) else None
    return value


def rows(items: Iterable[Any], columns: Sequence[str]) -> Iterator[dict[str, Any]]:
    """Each item as a row of exactly ``columns``."""
    for item in items:
        yield {column: cell(item, column) for column in columns}


def encoded(items: Iterable[Any], columns: Sequence[str], fmt: str, counted: list[int]) -> Iterator[bytes]:
    """The rows of ``items`` as UTF-8 JSON Lines or CSV, in blocks of about 64 KiB; ``counted[0]`` counts them."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(columns)) if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    for row in rows(items, columns):
        if writer is not None:
            writer.writerow(row)
        else:
            buffer.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
        counted[0] += 1
        if buffer.tell() >= BLOCK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


def write_export(items: Iterable[Any], target: Any, *, columns: Sequence[str], fmt: str) -> int:
    """Write ``items`` as rows of ``columns`` in ``fmt`` to ``target`` atomically; returns the number of rows.

    :param items: the items (read lazily: the file is written as they arrive).
    :param target: a local path or an ``ObjectStoragePath`` (:func:`~.targets.output_target` checks it first).
    :param columns: the row's columns, dotted names reaching into nested objects.
    :param fmt: ``jsonl`` or ``csv``.
    """
    from airflow_provider_social.core.targets import write_atomically

    counted = [0]
    write_atomically(encoded(items, columns, fmt, counted), target)
    return counted[0]


class ExportOperatorMixin:
    """What every service's export operator does alike (mixed in before the service's base operator): the target
    checked before any request, the rows written, the run logged and reported in one result shape
    ``{"resource", "path", "format", "rows", "requests", "complete", "stopped"}``."""

    #: The service named in errors and in the log (the service's hook mixin gives it).
    service: ClassVar[str]
    resource: str
    path: Any
    format: str

    def export_target(self) -> Any:
        """``path`` as a writable target (a local ``Path`` or an ``ObjectStoragePath``), checked before any request:
        an input error naming ``path`` when it is missing or cannot be written."""
        from airflow_provider_social.core.targets import output_target

        target = output_target(self.path, field="path", service=self.service)
        if target is None:
            raise input_error("path", "where to write the export is required", service=self.service)
        return target

    def write_rows(self, items: Iterable[Any], stream: ReadStream[Any], target: Any,
                   columns: Sequence[str]) -> dict[str, Any]:
        """Write ``items`` to ``target``, log what the read cost, and return the task's result.

        :param items: the rows' items (``stream`` itself, or items made from it).
        :param stream: the read, whose report says how many requests it made and whether it stopped early.
        :param target: from :meth:`export_target`.
        :param columns: the resource's columns.
        """
        written = write_export(items, target, columns=columns, fmt=self.format)
        report = stream.report()
        self.log.info("%s export of %s: %d rows to %s in %d requests", self.service,  # type: ignore[attr-defined]
                      report["resource"], written, self.path, report["requests"])
        return {"resource": self.resource, "path": str(self.path), "format": self.format, "rows": written,
                "requests": report["requests"], "complete": report["complete"], "stopped": report["stopped"]}


__all__ = ["FORMATS", "ExportOperatorMixin", "cell", "check_format", "data_interval", "encoded", "rows",
           "write_export"]
