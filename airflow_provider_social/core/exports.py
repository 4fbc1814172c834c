"""Exports: items streamed into JSON Lines, CSV or Parquet with a stable column set, written atomically.

Each row holds exactly the resource's columns (dotted names reach into nested objects: ``likes.count``), in the
same order for JSON Lines and CSV, so a dashboard reading yesterday's file reads today's the same way. The rows are
written to a temporary sibling of the target and moved over it only when the read finished: a re-run of an interval
replaces its file whole, and a failed run leaves the earlier file (or none) under the final name, never a part.

Parquet (``format="parquet"``) needs ``pyarrow`` (the ``[parquet]`` extra; its absence is an input error naming
the extra, raised before any request). Rows are written in row groups of :data:`ROW_GROUP_ROWS` and each group's
bytes are passed on as soon as it is written, so memory holds one group, whatever the total. The columns are the
CSV's, typed by the resource's ``types`` (``int``, ``float``, ``bool``, ``str``; untyped columns are strings,
nested values JSON text), so every file of a resource has one schema, empty files included.

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

FORMATS = ("jsonl", "csv", "parquet")
BLOCK = 64 * 1024
#: Rows per Parquet row group: what an export holds in memory at once.
ROW_GROUP_ROWS = 10_000
PARQUET_EXTRA = "airflow-provider-social[parquet]"
#: Parquet column types by the names a resource's ``types`` use.
TYPE_NAMES = ("int", "float", "bool", "str")


def check_format(value: str, *, service: str) -> str:
    """``jsonl``, ``csv`` or ``parquet`` (when ``pyarrow`` is installed), else an input error naming the field.

    Whether pyarrow is there is looked up without importing it (parsing a DAG stays cheap)."""
    if value not in FORMATS:
        raise input_error("format", f"must be one of {', '.join(FORMATS)}, got {value!r}", service=service)
    if value == "parquet":
        from importlib.util import find_spec

        if find_spec("pyarrow") is None:
            raise input_error("format", f"parquet needs pyarrow, which is not installed: pip install "
                              f"'{PARQUET_EXTRA}'", service=service)
    return value


def export_choices(resource: str, resources: Iterable[str], fmt: str, max_items: int | None, *,
                   service: str) -> tuple[str, str, int | None]:
    """An export operator's ``resource``, ``format`` and ``max_items``, each checked (an input error naming the
    field otherwise), for its ``__init__``: bad values fail when the DAG is parsed, before any request."""
    from airflow_provider_social.core.reads import check_bound

    choices = list(resources)
    if resource not in choices:
        raise input_error("resource", f"must be one of {', '.join(choices)}, got {resource!r}", service=service)
    return resource, check_format(fmt, service=service), check_bound(max_items, field="max_items", service=service)


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


class _Collected(io.RawIOBase):
    """A write-only file that keeps what was written until :meth:`take` (where Parquet's writer writes)."""

    def __init__(self) -> None:
        self.chunks: list[bytes] = []
        self.position = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.position += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.position

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        return data


def _typed(value: Any, kind: str, column: str) -> Any:
    """``value`` as the column's type (None stays None); a value that cannot be one is an error naming the column."""
    if value is None:
        return None
    try:
        if kind == "int":
            return int(value)
        if kind == "float":
            return float(value)
        if kind == "bool":
            return bool(value)
    except (TypeError, ValueError):
        raise ValueError(f"column {column}: {value!r} is not {kind}") from None
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return value if isinstance(value, str) else str(value)


def parquet_blocks(items: Iterable[Any], columns: Sequence[str], types: Mapping[str, str],
                   counted: list[int]) -> Iterator[bytes]:
    """The rows of ``items`` as a Parquet file, one block per row group of :data:`ROW_GROUP_ROWS` rows."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = {"int": pa.int64(), "float": pa.float64(), "bool": pa.bool_(), "str": pa.string()}
    kinds = [types.get(column, "str") for column in columns]
    schema = pa.schema([(column, arrow[kind]) for column, kind in zip(columns, kinds, strict=True)])
    sink = _Collected()
    writer = pq.ParquetWriter(sink, schema)
    batch: list[list[Any]] = [[] for _ in columns]

    def flush() -> bytes:
        writer.write_table(pa.table([pa.array(values, type=schema.field(i).type) for i, values in enumerate(batch)],
                                    schema=schema), row_group_size=ROW_GROUP_ROWS)
        for values in batch:
            values.clear()
        return sink.take()

    for item in items:
        for i, (column, kind) in enumerate(zip(columns, kinds, strict=True)):
            batch[i].append(_typed(cell(item, column), kind, column))
        counted[0] += 1
        if len(batch[0]) >= ROW_GROUP_ROWS:
            yield flush()
    if batch[0]:
        yield flush()
    writer.close()
    yield sink.take()


def encoded(items: Iterable[Any], columns: Sequence[str], fmt: str, counted: list[int],
            types: Mapping[str, str] | None = None) -> Iterator[bytes]:
    """The rows of ``items`` as UTF-8 JSON Lines or CSV, in blocks of about 64 KiB, or as Parquet, a block per row
    group; ``counted[0]`` counts them.

    :param types: Parquet's column types (``int``, ``float``, ``bool``, ``str``); others are strings."""
    if fmt == "parquet":
        yield from parquet_blocks(items, columns, types or {}, counted)
        return
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


def write_export(items: Iterable[Any], target: Any, *, columns: Sequence[str], fmt: str,
                 types: Mapping[str, str] | None = None) -> int:
    """Write ``items`` as rows of ``columns`` in ``fmt`` to ``target`` atomically; returns the number of rows.

    :param items: the items (read lazily: the file is written as they arrive).
    :param target: a local path or an ``ObjectStoragePath`` (:func:`~.targets.output_target` checks it first).
    :param columns: the row's columns, dotted names reaching into nested objects.
    :param fmt: ``jsonl``, ``csv`` or ``parquet``.
    :param types: Parquet's type of each column (``int``, ``float``, ``bool``, ``str``); unnamed: ``str``.
    """
    from airflow_provider_social.core.targets import write_atomically

    unknown = sorted({kind for kind in (types or {}).values()} - set(TYPE_NAMES))
    if unknown:
        raise ValueError(f"column types must be among {TYPE_NAMES}, got {unknown}")
    counted = [0]
    write_atomically(encoded(items, columns, fmt, counted, types), target)
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
                   columns: Sequence[str], types: Mapping[str, str] | None = None) -> dict[str, Any]:
        """Write ``items`` to ``target``, log what the read cost, and return the task's result.

        :param items: the rows' items (``stream`` itself, or items made from it).
        :param stream: the read, whose report says how many requests it made and whether it stopped early.
        :param target: from :meth:`export_target`.
        :param columns: the resource's columns.
        :param types: the columns' Parquet types (``int``, ``float``, ``bool``, ``str``; unnamed: ``str``).
        """
        written = write_export(items, target, columns=columns, fmt=self.format, types=types)
        report = stream.report()
        self.log.info("%s export of %s: %d rows to %s in %d requests", self.service,  # type: ignore[attr-defined]
                      report["resource"], written, self.path, report["requests"])
        return {"resource": self.resource, "path": str(self.path), "format": self.format, "rows": written,
                "requests": report["requests"], "complete": report["complete"], "stopped": report["stopped"]}


__all__ = ["FORMATS", "PARQUET_EXTRA", "ROW_GROUP_ROWS", "ExportOperatorMixin", "cell", "check_format",
           "data_interval", "encoded", "export_choices", "parquet_blocks", "rows", "write_export"]
