"""Under a real scheduler: a Disk upload announced through an AssetAlias triggers a DAG scheduled on the uploaded
file's asset, and the event carries the file's size and md5."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow

pytestmark = pytest.mark.integration

DAGS = Path(__file__).parent / "asset_dags"
REPORT = b"day,orders\n2026-12-06,42\n"


def test_an_upload_schedules_the_dag_waiting_for_its_asset(tmp_path):
    sandbox = run_in_thread()
    tokens = sandbox.control.mint_tokens("yandex")
    conn = {"conn_type": "yandex_disk", "password": tokens["access_token"],
            "extra": {"api_base_url": f"{sandbox.base_url}/yandex-disk",
                      "oauth_base_url": f"{sandbox.base_url}/yandex-oauth", "token_store": f"file:{tmp_path / 't'}"}}
    cluster = LocalAirflow(tmp_path / "home", DAGS, {"AIRFLOW_CONN_YANDEX_DISK_DEFAULT": json.dumps(conn)})
    try:
        cluster.start()
        cluster.wait_for("both DAGs to be parsed", lambda: len(cluster.query(
            "select 1 from dag where dag_id in ('social_disk_publisher', 'social_on_disk_report')")) == 2)
        cluster.airflow("dags", "unpause", "social_on_disk_report")
        cluster.airflow("dags", "trigger", "social_disk_publisher")
        publisher = cluster.finished_run_state("social_disk_publisher")
        assert publisher == "success", cluster.task_logs()[-6000:]
        consumer = cluster.finished_run_state("social_on_disk_report")
        assert consumer == "success", cluster.task_logs()[-6000:]
        ((value,),) = cluster.query(
            "select value from xcom where dag_id='social_on_disk_report' and key='return_value'")
        seen = json.loads(value)
        assert seen == {"uri": "yadisk://yandex_disk_default@/Reports/daily.csv",
                        "extra": {"size": len(REPORT), "md5": hashlib.md5(REPORT).hexdigest()}}
    finally:
        cluster.stop()
        sandbox.stop()
