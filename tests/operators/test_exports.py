"""Export operators against the sandbox: one file per data interval, no gaps or doubles between intervals,
atomic overwrite, CSV columns, object storage targets, the read budget reported."""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone

import pytest

from airflow_provider_social.core.errors import RateLimitError, ValidationError
from airflow_provider_social.operators.twitter_export import TwitterExportOperator
from airflow_provider_social.operators.vk_export import COLUMNS, VkExportOperator
from tests.hooks.test_twitter_reads import x_reads
from tests.hooks.vk.test_vk_sandbox import vk_sandbox

__all__ = ["vk_sandbox", "x_reads"]  # the fixtures: hooks on the sandbox


def at(stamp: float) -> datetime:
    return datetime.fromtimestamp(stamp, tz=timezone.utc)


def lines(path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()]


@pytest.fixture
def vk_export(sandbox, vk_sandbox, monkeypatch):
    sandbox.control.vk_configure(rate_limits={"user": None, "community": None})
    monkeypatch.setattr(VkExportOperator, "get_hook", lambda self: vk_sandbox())

    def run(path, start, end, **kwargs):
        operator = VkExportOperator(task_id="export", path=path, **kwargs)
        return operator.execute({"data_interval_start": at(start), "data_interval_end": at(end)})

    return run


def test_consecutive_intervals_cover_every_post_once(sandbox, vk_export, tmp_path):
    now = int(sandbox.control.now())
    first = now - 3 * 3600
    sandbox.control.vk_configure(seed={"posts": 180, "step": 60, "start": first})  # a post a minute, 3 hours
    seen = []
    for hour in range(3):
        start, end = first + hour * 3600, first + (hour + 1) * 3600
        result = vk_export(tmp_path / f"posts-{hour}.jsonl", start, end, resource="wall_posts")
        rows = lines(tmp_path / f"posts-{hour}.jsonl")
        assert result["rows"] == len(rows) == 60 and result["complete"] is True
        assert all(start <= row["date"] < end for row in rows)
        assert list(rows[0]) == list(COLUMNS["wall_posts"])  # the stable columns, in order
        seen += [row["id"] for row in rows]
    assert len(seen) == len(set(seen)) == 180


def test_a_rerun_replaces_the_file_whole_and_a_failed_run_leaves_it(sandbox, vk_export, tmp_path):
    now = int(sandbox.control.now())
    sandbox.control.vk_configure(seed={"posts": 30, "step": 60, "start": now - 3600})
    target = tmp_path / "day.csv"
    target.write_text("stale content of an earlier run\n")
    assert vk_export(target, now - 3600, now, resource="wall_posts", format="csv")["rows"] == 30
    with target.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 30 and list(rows[0]) == list(COLUMNS["wall_posts"])
    before = target.read_text()
    sandbox.control.vk_configure(daily_caps={"wall.get": 0})  # the next read fails (error 29)
    with pytest.raises(RateLimitError):
        vk_export(target, now - 3600, now, resource="wall_posts", format="csv")
    assert target.read_text() == before
    assert [p.name for p in tmp_path.iterdir()] == ["day.csv"]  # no part file left behind


def test_members_are_a_snapshot_and_orders_follow_the_interval(sandbox, vk_export, tmp_path):
    now = int(sandbox.control.now())
    sandbox.control.vk_configure(seed={"members": 1500, "orders": 120, "step": 60, "start": now - 7200})
    members = vk_export(tmp_path / "members.jsonl", now - 60, now, resource="members")
    assert members["rows"] >= 1500 and members["requests"] == 1
    orders = vk_export(tmp_path / "orders.jsonl", now - 7200, now - 3600, resource="orders")
    assert orders["rows"] == 60
    assert {"total_price.amount", "total_price.currency.name"} <= set(lines(tmp_path / "orders.jsonl")[0])


def test_an_object_storage_target(sandbox, vk_export, tmp_path):
    from airflow.sdk import ObjectStoragePath

    now = int(sandbox.control.now())
    sandbox.control.vk_configure(seed={"posts": 5, "step": 60, "start": now - 600})
    target = ObjectStoragePath(f"file://{tmp_path}/store/posts.jsonl")
    vk_export(target, now - 600, now, resource="wall_posts")
    vk_export(f"file://{tmp_path}/store/url.jsonl", now - 600, now, resource="wall_posts")  # a storage URL
    assert len(target.read_text().splitlines()) == 5
    assert sorted(p.name for p in (tmp_path / "store").iterdir()) == ["posts.jsonl", "url.jsonl"]


def test_bad_arguments_are_refused_before_any_call():
    with pytest.raises(ValidationError, match="resource"):
        VkExportOperator(task_id="t", resource="likes", path="/tmp/x")
    with pytest.raises(ValidationError, match="format"):
        VkExportOperator(task_id="t", resource="members", path="/tmp/x", format="xml")
    with pytest.raises(ValidationError, match="query"):
        TwitterExportOperator(task_id="t", resource="search", path="/tmp/x")
    with pytest.raises(ValidationError, match="data_interval"):
        VkExportOperator(task_id="t", resource="wall_posts", path="/tmp/x").execute({})


def test_x_export_of_an_interval_with_the_budget_reported(sandbox, x_reads, monkeypatch, tmp_path):
    now = int(sandbox.control.now())
    sandbox.control.configure("twitter", seed={"posts": 300, "step": 60, "start": now - 300 * 60})
    hook = x_reads()
    monkeypatch.setattr(TwitterExportOperator, "get_hook", lambda self: hook)
    start, end = now - 200 * 60, now - 50 * 60
    context = {"data_interval_start": at(start), "data_interval_end": at(end)}
    result = TwitterExportOperator(task_id="x", path=str(tmp_path / "x.jsonl"), max_reads=100).execute(context)
    assert result["rows"] == 100 and result["complete"] is False and "max_reads=100" in result["stopped"]
    result = TwitterExportOperator(task_id="x", path=str(tmp_path / "x.jsonl"), max_reads=None).execute(context)
    rows = lines(tmp_path / "x.jsonl")
    assert result["rows"] == len(rows) == 150 and result["requests"] == 2
    assert rows[0]["public_metrics.like_count"] is not None


def test_the_operator_repeats_the_hook_constants():
    from airflow_provider_social.hooks.twitter.policy import SERVICE
    from airflow_provider_social.hooks.twitter.reads import DEFAULT_MAX_READS
    from airflow_provider_social.operators import twitter_export

    assert (twitter_export.SERVICE, twitter_export.DEFAULT_MAX_READS) == (SERVICE, DEFAULT_MAX_READS)


def test_a_manual_run_with_an_empty_interval_writes_an_empty_file(sandbox, vk_export, tmp_path):
    now = int(sandbox.control.now())
    sandbox.control.vk_configure(seed={"posts": 5, "step": 60, "start": now - 600})
    result = vk_export(tmp_path / "posts.csv", now, now, resource="wall_posts", format="csv")
    assert result["rows"] == 0 and result["requests"] == 0
    assert (tmp_path / "posts.csv").read_text().splitlines() == [",".join(COLUMNS["wall_posts"])]


def test_a_vk_export_as_parquet_has_typed_stable_columns(sandbox, vk_export, tmp_path):
    import pyarrow.parquet as pq

    now = int(sandbox.control.now())
    sandbox.control.vk_configure(seed={"posts": 40, "step": 60, "start": now - 3600})
    result = vk_export(tmp_path / "posts.parquet", now - 3600, now, resource="wall_posts", format="parquet")
    table = pq.read_table(tmp_path / "posts.parquet")
    assert result["rows"] == table.num_rows == 40 and table.column_names == list(COLUMNS["wall_posts"])
    assert {str(table.schema.field(c).type) for c in ("id", "date", "likes.count")} == {"int64"}
    assert str(table.schema.field("text").type) == "string"
    empty = vk_export(tmp_path / "none.parquet", now, now, resource="wall_posts", format="parquet")
    assert empty["rows"] == 0 and pq.read_schema(tmp_path / "none.parquet") == table.schema
