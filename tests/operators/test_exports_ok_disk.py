"""OK and Yandex Disk export operators against the sandbox, and Parquet output: one file per data interval,
stable columns (and one Parquet schema), row groups streamed as they fill, and the missing extra named before any
call."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest

from airflow_provider_social.core import exports
from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.hooks.yandex_disk.reads import FILE_FIELDS
from airflow_provider_social.operators import ok_export, yandex_disk_export
from airflow_provider_social.operators.ok_export import OkExportOperator
from airflow_provider_social.operators.yandex_disk_export import YandexDiskExportOperator
from tests.hooks.test_ok import ok_conn

__all__ = ["ok_conn"]

DAY = 86_400


def at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def interval(start: float, end: float) -> dict:
    return {"data_interval_start": at(start), "data_interval_end": at(end)}


@pytest.fixture
def ok_export_hook(ok_conn, fake_sleep, sandbox, monkeypatch):
    conn_id, _ = ok_conn("ok_export")
    hook = OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)
    monkeypatch.setattr(OkExportOperator, "get_hook", lambda self: hook)
    return hook


@pytest.fixture
def disk_export(disk_conn):
    def run(path, resource="files", context=None, **kwargs):
        operator = YandexDiskExportOperator(task_id="export", path=path, resource=resource,
                                            yandex_disk_conn_id=disk_conn, **kwargs)
        return operator.execute(context or {})

    return run


def seeded_hours(sandbox, service: str, kind: str, hours: int) -> list[dict]:
    """Seed ``service`` with 120 ``kind`` an hour (one every 30 s) for the last ``hours`` hours; the contexts of
    those hours' consecutive one-hour data intervals."""
    first = int(sandbox.control.now()) - hours * 3600
    sandbox.control.configure(service, seed={kind: 120 * hours, "start": first, "step": 30})
    return [interval(first + hour * 3600, first + (hour + 1) * 3600) for hour in range(hours)]


def test_ok_topics_by_interval_meet_without_gaps_or_doubles(sandbox, ok_export_hook, tmp_path):
    seen = []
    for hour, context in enumerate(seeded_hours(sandbox, "ok", "topics", 3)):
        target = tmp_path / f"topics-{hour}.jsonl"
        result = OkExportOperator(task_id="t", path=target).execute(context)
        rows = [json.loads(line) for line in target.read_text().splitlines()]
        assert result["rows"] == len(rows) == 120 and result["requests"] == 2 and result["complete"]
        assert list(rows[0]) == list(ok_export.COLUMNS["topics"])
        seen += [row["id"] for row in rows]
    assert len(set(seen)) == 360


def test_ok_daily_stats_of_an_interval_as_parquet(sandbox, ok_export_hook, tmp_path):
    import pyarrow.parquet as pq

    now = int(sandbox.control.now())
    today = now - now % DAY
    sandbox.control.configure("ok", seed={"topics": 96, "start": today - 4 * DAY, "step": 3600})
    target = tmp_path / "stats.parquet"
    result = OkExportOperator(task_id="t", path=target, resource="daily_stats",
                              format="parquet").execute(interval(today - 2 * DAY, today))
    table = pq.read_table(target)
    assert result["rows"] == table.num_rows == 2 and result["requests"] == 1
    assert table.column_names == list(ok_export.COLUMNS["daily_stats"])
    assert str(table.schema.field("likes").type) == "int64" and str(table.schema.field("date").type) == "string"


def test_disk_changed_files_by_interval_and_a_snapshot(sandbox, disk_export, tmp_path):
    seen = []
    for hour, context in enumerate(seeded_hours(sandbox, "yandex_disk", "files", 2)):
        target = tmp_path / f"changed-{hour}.csv"
        result = disk_export(target, "changed_files", context, format="csv")
        lines = target.read_text().splitlines()
        assert lines[0] == ",".join(yandex_disk_export.COLUMNS) and result["rows"] == len(lines) - 1 == 120
        seen += lines[1:]
    assert len(set(seen)) == 240
    snapshot = disk_export(tmp_path / "all.jsonl", media_type="image")
    assert snapshot["rows"] == 60 and snapshot["complete"]


def test_disk_last_uploaded_says_when_it_cannot_cover_the_interval(sandbox, disk_export, tmp_path):
    now = int(sandbox.control.now())
    sandbox.control.configure("yandex_disk", seed={"files": 1500, "start": now - 1500 * 60, "step": 60})
    result = disk_export(tmp_path / "up.jsonl", "last_uploaded", interval(now - 1400 * 60, now))
    assert result["rows"] == 1000 and result["complete"] is False
    assert "older uploads may be missing" in result["stopped"]


def test_the_export_columns_repeat_the_hook_fields():
    assert yandex_disk_export.COLUMNS == FILE_FIELDS
    from airflow_provider_social.hooks.ok.posting import SERVICE as OK_SERVICE
    from airflow_provider_social.hooks.yandex_disk.policy import SERVICE as DISK_SERVICE

    assert (ok_export.SERVICE, yandex_disk_export.SERVICE) == (OK_SERVICE, DISK_SERVICE)


def test_parquet_rows_are_written_a_row_group_at_a_time():
    import io

    import pyarrow.parquet as pq

    taken = [0]

    def items():
        for i in range(2 * exports.ROW_GROUP_ROWS + 5):
            taken[0] += 1
            yield {"id": i, "text": f"row {i}", "nested": {"likes": {"count": i % 7}}}

    counted = [0]
    blocks, taken_at_each = [], []
    for block in exports.encoded(items(), ["id", "text", "nested.likes.count", "missing"], "parquet", counted,
                                 {"id": "int", "nested.likes.count": "int"}):
        blocks.append(block)
        taken_at_each.append(taken[0])
    # the first row group's bytes leave before the items of the second are read
    assert taken_at_each[0] == exports.ROW_GROUP_ROWS and counted[0] == 2 * exports.ROW_GROUP_ROWS + 5
    table = pq.read_table(io.BytesIO(b"".join(blocks)))
    assert table.num_rows == counted[0] and pq.ParquetFile(io.BytesIO(b"".join(blocks))).num_row_groups == 3
    assert table.column("nested.likes.count").to_pylist()[:8] == [0, 1, 2, 3, 4, 5, 6, 0]
    assert table.column("missing").null_count == table.num_rows


def test_an_empty_parquet_export_keeps_the_schema(tmp_path):
    import pyarrow.parquet as pq

    target = tmp_path / "empty.parquet"
    assert exports.write_export([], target, columns=["id", "date"], fmt="parquet", types={"id": "int"}) == 0
    schema = pq.read_schema(target)
    assert schema.names == ["id", "date"] and str(schema.field("id").type) == "int64"


def test_a_value_that_does_not_fit_its_column_type_names_the_column(tmp_path):
    with pytest.raises(ValueError, match="column id"):
        exports.write_export([{"id": "twelve"}], tmp_path / "x.parquet", columns=["id"], fmt="parquet",
                             types={"id": "int"})
    assert list(tmp_path.iterdir()) == []  # no part file left behind


def test_without_pyarrow_parquet_is_refused_naming_the_extra(monkeypatch):
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "pyarrow" else real(name, *a))
    with pytest.raises(ValidationError, match=r"airflow-provider-social\[parquet\]"):
        OkExportOperator(task_id="t", path="/tmp/x.parquet", format="parquet")


def test_bad_arguments_are_refused_before_any_call():
    with pytest.raises(ValidationError, match="resource"):
        OkExportOperator(task_id="t", resource="likes", path="/tmp/x")
    with pytest.raises(ValidationError, match="resource"):
        YandexDiskExportOperator(task_id="t", resource="folders", path="/tmp/x")
    with pytest.raises(ValidationError, match="format"):
        YandexDiskExportOperator(task_id="t", path="/tmp/x", format="xlsx")
    with pytest.raises(ValidationError, match="data_interval"):
        OkExportOperator(task_id="t", path="/tmp/x").execute({})
