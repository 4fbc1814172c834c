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
from typing import Any

from airflow_provider_social.core.errors import input_error

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


__all__ = ["FORMATS", "cell", "check_format", "data_interval", "encoded", "rows", "write_export"]
