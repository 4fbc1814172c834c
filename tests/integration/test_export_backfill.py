"""`airflow backfill` over three daily intervals under a real scheduler: one complete export file per day, no post
missing or doubled at the days' boundaries (posts are seeded every 20 minutes, some exactly at midnight)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.connections import sandbox_connections
from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow

# A real scheduler on a busy 2-core machine: migrating the metadata DB alone has taken minutes.
pytestmark = [pytest.mark.integration, pytest.mark.timeout(1500)]

DAG_ID = "social_export_backfill"
DAGS = Path(__file__).parent / "dags_export"
DAYS = ("2026-01-01", "2026-01-02", "2026-01-03")
STEP = 20 * 60


def day_start(day: str) -> int:
    return int(datetime.fromisoformat(day).replace(tzinfo=timezone.utc).timestamp())


def test_a_backfill_of_three_days_writes_each_post_once(tmp_path):
    sandbox = run_in_thread()
    first = day_start(DAYS[0]) - 2 * 3600  # from 22:00 the evening before to 02:00 after the last day
    count = (3 * 86400 + 4 * 3600) // STEP
    sandbox.control.vk_configure(seed={"posts": count, "step": STEP, "start": first})
    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]
    exports = tmp_path / "exports"
    cluster = LocalAirflow(tmp_path / "home", DAGS, {"AIRFLOW_CONN_VK_DEFAULT": json.dumps(conn),
                                                      "SOCIAL_EXPORT_DIR": str(exports)})
    try:
        cluster.start(("api-server", "dag-processor"))
        cluster.wait_for("the DAG to be parsed", lambda: cluster.query("select 1 from dag where dag_id=?", DAG_ID))
        # The backfill's runs are created before the scheduler starts: SQLite takes one writer at a time, and the
        # CLI's inserts raced the scheduler's ("database is locked").
        created = cluster.airflow("backfill", "create", "--dag-id", DAG_ID, "--from-date", DAYS[0], "--to-date",
                                  DAYS[-1], check=False)
        assert created.returncode == 0, created.stdout[-3000:] + created.stderr[-3000:]
        cluster.start_component("scheduler", "scheduler", "--skip-serve-logs")
        # (the scheduler also makes the latest interval's own run: unpaused DAGs run; only the backfill's count)
        runs = cluster.wait_for("three finished runs", lambda: (
            rows if len(rows := cluster.query("select state from dag_run where dag_id=? and run_id like 'backfill%' "
                                              "and state in ('success', 'failed')", DAG_ID)) >= 3 else None),
            timeout=900)
        assert [state for (state,) in runs] == ["success"] * 3, cluster.task_logs()[-6000:]
    finally:
        cluster.stop()
        sandbox.stop()
    seen: list[int] = []
    for day in DAYS:
        rows = [json.loads(line) for line in (exports / "posts" / f"{day}.jsonl").read_text().splitlines()]
        start = day_start(day)
        assert len(rows) == 86400 // STEP and all(start <= row["date"] < start + 86400 for row in rows)
        seen += [row["id"] for row in rows]
    assert len(seen) == len(set(seen)) == 3 * 86400 // STEP
