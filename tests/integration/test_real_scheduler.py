"""A DAG run by a real scheduler + LocalExecutor (where Airflow 3 blocks ORM access from tasks).

Proves that the Variable-backed token store works from real workers, and that no secret used reaches task logs,
XComs or rendered fields. `airflow dags test` cannot prove either: it runs tasks in-process with the ORM open.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow

pytestmark = pytest.mark.integration

DAG_ID = "social_token_store_probe"
DAGS = Path(__file__).parent / "dags"
VARIABLE_KEY = "social_token_yandex_disk_default"


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    sandbox = run_in_thread()
    tokens = sandbox.control.mint_tokens("yandex")
    sandbox.control.expire_token("yandex", tokens["access_token"])  # the first task must refresh
    conn = {
        "conn_type": "yandex_disk",
        "password": tokens["access_token"],
        "extra": {
            "refresh_token": tokens["refresh_token"],
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "api_base_url": f"{sandbox.base_url}/yandex-disk",
            "oauth_base_url": f"{sandbox.base_url}/yandex-oauth",
        },
    }
    home = tmp_path_factory.mktemp("airflow-home")
    cluster = LocalAirflow(home, DAGS, {"AIRFLOW_CONN_YANDEX_DISK_DEFAULT": json.dumps(conn)})
    try:
        cluster.start()
        cluster.wait_for("the DAG to be parsed", lambda: cluster.query("select 1 from dag where dag_id=?", DAG_ID))
        cluster.airflow("dags", "trigger", DAG_ID)
        state = cluster.finished_run_state(DAG_ID)
        yield {"state": state, "cluster": cluster, "tokens": tokens, "sandbox": sandbox, "home": home}
    finally:
        cluster.stop()
        sandbox.stop()


def _stored_tokens(run) -> dict:
    cluster = run["cluster"]
    ((value, encrypted),) = cluster.query("select val, is_encrypted from variable where key=?", VARIABLE_KEY)
    assert encrypted, "the token Variable must be stored encrypted"
    return json.loads(cluster.decrypt(value))


def test_dag_succeeds_under_a_real_scheduler(finished_run):
    if finished_run["state"] != "success":
        pytest.fail(f"DAG run {finished_run['state']}; task logs:\n{finished_run['cluster'].task_logs()[-6000:]}")


def test_rotated_tokens_were_persisted_from_real_workers_and_still_work(finished_run):
    stored = _stored_tokens(finished_run)
    original = finished_run["tokens"]
    assert stored["refresh_token"] and stored["refresh_token"] != original["refresh_token"]
    token_url = f"{finished_run['sandbox'].base_url}/yandex-oauth/token"
    answer = requests.post(
        token_url,
        data={"grant_type": "refresh_token", "refresh_token": stored["refresh_token"],
              "client_id": "sandbox-client", "client_secret": "sandbox-secret"},
        timeout=10,
    )
    assert answer.status_code == 200, answer.text


def test_no_secret_reaches_logs_xcom_or_rendered_fields(finished_run):
    stored = _stored_tokens(finished_run)
    original = finished_run["tokens"]
    secrets = {
        original["access_token"], original["refresh_token"], stored["access_token"], stored["refresh_token"],
        "sandbox-secret",
    }
    cluster = finished_run["cluster"]
    haystacks = {
        "task logs": finished_run["cluster"].task_logs(),
        "xcom": json.dumps(cluster.query("select key, value from xcom"), default=str),
        "rendered fields": json.dumps(cluster.query("select * from rendered_task_instance_fields"), default=str),
    }
    assert len(haystacks["task logs"]) > 1000 and "orm_blocked" in haystacks["xcom"]
    for where, text in haystacks.items():
        leaked = [s[:6] + "…" for s in secrets if s in text]
        assert not leaked, f"secrets found in {where}: {leaked}"
