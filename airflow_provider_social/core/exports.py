"""Exports: items streamed into JSON Lines or CSV with a stable column set, written atomically.

Each row holds exactly the resource's columns (dotted names reach into nested objects: ``likes.count``), in the
same order for JSON Lines and CSV, so a dashboard reading yesterday's file reads today's the same way. The rows are
written to a temporary sibling of the target and moved over it only when the read finished: a re-run of an interval
replaces its file whole, and a failed run leaves the earlier file (or none) under the final name, never a part.

Targets are local paths or anything with ``open``/``rename``/``parent`` (Airflow's ``ObjectStoragePath``; on object
stores a rename is a copy then a delete, which still never shows a part under the final name). :func:`atomic_output`
is the one place that knows; a richer writer of any source can replace it.
"""

from __future__ import annotations

import csv
import json
import logging
import os
import secrets
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

from airflow_provider_social.core.errors import input_error

log = logging.getLogger(__name__)

FORMATS = ("jsonl", "csv")


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


@contextmanager
def atomic_output(target: Any) -> Iterator[IO[str]]:
    """A text stream whose content replaces ``target`` only when the block ends without an error.

    :param target: a local path, a URL Airflow's object storage knows (``s3://...``) or an ``ObjectStoragePath``.
    """
    if isinstance(target, str) and "://" in target:
        from airflow.sdk import ObjectStoragePath

        target = ObjectStoragePath(target)
    if isinstance(target, (str, os.PathLike)):
        path = Path(target)
        path.parent.mkdir(parents=True, exist_ok=True)
        handle = tempfile.NamedTemporaryFile("w", encoding="utf-8", newline="", dir=path.parent,
                                             prefix=f".{path.name}.", suffix=".part", delete=False)
        try:
            with handle:
                yield handle
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(handle.name, path)
        except BaseException:
            Path(handle.name).unlink(missing_ok=True)
            raise
        return
    target.parent.mkdir(parents=True, exist_ok=True)  # a no-op on stores without directories
    temporary = target.parent / f".{target.name}.{secrets.token_hex(4)}.part"
    try:
        with temporary.open("w", encoding="utf-8", newline="") as stream:
            yield stream
        temporary.rename(target)
    except BaseException:
        if temporary.exists():
            temporary.unlink()
        raise


def write_export(items: Iterable[Any], target: Any, *, columns: Sequence[str], fmt: str) -> int:
    """Write ``items`` as rows of ``columns`` in ``fmt`` to ``target`` atomically; returns the number of rows.

    :param items: the items (read lazily: the file is written as they arrive).
    :param target: a local path or an ``ObjectStoragePath``.
    :param columns: the row's columns, dotted names reaching into nested objects.
    :param fmt: ``jsonl`` or ``csv``.
    """
    count = 0
    with atomic_output(target) as stream:
        writer = csv.DictWriter(stream, fieldnames=list(columns)) if fmt == "csv" else None
        if writer is not None:
            writer.writeheader()
        for row in rows(items, columns):
            if writer is not None:
                writer.writerow(row)
            else:
                stream.write(json.dumps(row, ensure_ascii=False, separators=(",", ":")) + "\n")
            count += 1
    return count


__all__ = ["FORMATS", "atomic_output", "cell", "check_format", "data_interval", "rows", "write_export"]
