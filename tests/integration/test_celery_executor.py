"""A DAG run by a real scheduler with the CeleryExecutor and two Celery workers, as if on two hosts.

The workers share one X connection whose OAuth 2.0 refresh tokens are single-use and rotate, with the Redis token
store. Each worker has its own host name and its own lock directory, so the host ``flock`` cannot serialise their
refreshes: only the shared store can. The access token is expired before the run and again between the two waves of
posts; the test asserts exactly one refresh per expiry, every post once, a stored set that still refreshes, and no
secret in task logs, XCom or rendered fields.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow
from tests.hooks.twitter_helpers import x_connection
from tests.integration.dags import social_x_distributed as dag_file
from tests.integration.worker_identity import HOSTNAME_ENV
from tests.stores.servers import start_redis

pytestmark = pytest.mark.integration

ROOT = Path(__file__).resolve().parents[2]
DAGS = Path(__file__).parent / "dags"
WORKERS = ("social-host-a", "social-host-b")
STORE_CONN = "tokens_redis"
POSTS = dag_file.texts("before") + dag_file.texts("after")
EXPIRIES = 2  # before the run, and between the waves


def _connection_body(conn_id: str, conn_type: str, **extra) -> dict:
    return {"conn_type": conn_type, "extra": {k: v for k, v in extra.items() if v is not None}}


def _log(home: Path, name: str) -> str:
    path = home / f"{name}.out"
    return path.read_text(errors="replace") if path.exists() else ""


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory):
    started = time.monotonic()
    redis_server = start_redis()
    sandbox = run_in_thread()
    cluster = None
    try:
        x_conn = x_connection(sandbox, _connection_body, dag_file.CONN_ID, token_store=f"redis:{STORE_CONN}")
        minted_access = x_conn["extra"]["access_token"]
        sandbox.control.expire_token("twitter", minted_access)  # the first wave must refresh
        redis_url = f"redis://{redis_server.host}:{redis_server.port}"
        store_conn = {"conn_type": "redis", "host": redis_server.host, "port": redis_server.port,
                      "extra": {"db": 2}}
        home = tmp_path_factory.mktemp("airflow-home")
        cluster = LocalAirflow(home, DAGS, {
            "AIRFLOW__CORE__EXECUTOR": "CeleryExecutor",
            "AIRFLOW__CORE__PARALLELISM": "4",
            "AIRFLOW__CELERY__BROKER_URL": f"{redis_url}/0",
            "AIRFLOW__CELERY__RESULT_BACKEND": f"{redis_url}/1",
            # Sending a task to the broker may take more than the default 1 s on a busy 2-core machine.
            "AIRFLOW__CELERY__OPERATION_TIMEOUT": "30",
            f"AIRFLOW_CONN_{dag_file.CONN_ID.upper()}": json.dumps(x_conn),
            f"AIRFLOW_CONN_{STORE_CONN.upper()}": json.dumps(store_conn),
            dag_file.SANDBOX_URL_ENV: sandbox.base_url,
            # The workers import this checkout (the DAG's provider code and the host-name callable).
            "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p),
        })
        cluster.start()
        for name in WORKERS:
            cluster.start_component(
                name, "celery", "worker", "--celery-hostname", name, "--concurrency", "1", "--skip-serve-logs",
                "--without-mingle", "--without-gossip", "--pid", str(home / f"{name}.pid"),
                env={
                    HOSTNAME_ENV: name,
                    "AIRFLOW__CORE__HOSTNAME_CALLABLE": "tests.integration.worker_identity.hostname",
                    # Its own lock directory, as on its own host: the flock cannot serialise the two workers.
                    "SOCIAL_TOKEN_LOCK_DIR": str(home / name / "locks"),
                },
            )
        for name in WORKERS:  # a worker that is not consuming yet would leave every task to the other one
            cluster.wait_for(f"celery worker {name} to be ready", lambda n=name: f"@{n} ready" in _log(home, n))
        cluster.wait_for("the DAG to be parsed",
                         lambda: cluster.query("select 1 from dag where dag_id=?", dag_file.DAG_ID))
        cluster.airflow("dags", "trigger", dag_file.DAG_ID)
        state = cluster.finished_run_state(dag_file.DAG_ID)
        wall = time.monotonic() - started
        yield {"state": state, "cluster": cluster, "sandbox": sandbox, "home": home, "x_conn": x_conn,
               "store_conn": store_conn, "wall": wall, "leases": _leases_taken(redis_server)}
    finally:
        if cluster is not None:
            cluster.stop()
        sandbox.stop()
        redis_server.stop()


def _leases_taken(redis_server) -> dict[str, int]:
    """How many times each credential's refresh lease was taken in the Redis store (its fencing counter)."""
    import redis

    client = redis.Redis(host=redis_server.host, port=redis_server.port, db=2)
    return {key.decode(): int(client.get(key)) for key in client.scan_iter("*:fence")}


def _refresh_tokens_issued(sandbox) -> int:
    return len([t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"])


def test_dag_succeeds_on_two_celery_workers(finished_run):
    cluster = finished_run["cluster"]
    print(f"distributed run wall time: {finished_run['wall']:.0f} s")  # reported with -s
    if finished_run["state"] != "success":
        pytest.fail(f"DAG run {finished_run['state']}; task logs:\n{finished_run['cluster'].task_logs()[-6000:]}")
    rows = cluster.query("select task_id, map_index, state, hostname from task_instance where dag_id=?",
                         dag_file.DAG_ID)
    posts = [(task_id, state, host) for task_id, _, state, host in rows if task_id.startswith("post_")]
    assert len(posts) == len(POSTS) and {state for _, state, _ in posts} == {"success"}, rows
    assert {host for _, _, host in posts} == set(WORKERS), f"posts did not run on both workers: {rows}"


def test_exactly_one_refresh_per_expiry_and_every_post_once(finished_run):
    sandbox = finished_run["sandbox"]
    assert _refresh_tokens_issued(sandbox) == 1 + EXPIRIES  # the minted one, then one per expiry
    # No refresh token was presented twice: X (and the sandbox) revoke the whole grant when a spent one comes back.
    assert not sandbox.state.oauth["twitter"]._revoked_grants
    # Every refresh ran under the shared store's lease (taken again by each worker that adopted the winner's set).
    (leases,) = finished_run["leases"].values()
    print(f"refresh leases taken: {leases}")
    assert leases >= EXPIRIES
    texts = [t["text"] for t in sandbox.control.state("twitter")["tweets"] if not t["deleted"]]
    assert sorted(texts) == sorted(POSTS)


def test_the_set_left_in_the_store_still_refreshes(finished_run, monkeypatch):
    from airflow_provider_social.core.tokens.redis_store import RedisTokenStore
    from airflow_provider_social.core.tokens.sealing import Sealer
    from airflow_provider_social.hooks.twitter import TwitterHook

    sandbox, cluster = finished_run["sandbox"], finished_run["cluster"]
    monkeypatch.setenv(f"AIRFLOW_CONN_{dag_file.CONN_ID.upper()}", json.dumps(finished_run["x_conn"]))
    monkeypatch.setenv(f"AIRFLOW_CONN_{STORE_CONN.upper()}", json.dumps(finished_run["store_conn"]))
    store = RedisTokenStore(STORE_CONN, sealer=Sealer(cluster.fernet_key))
    hook = TwitterHook(dag_file.CONN_ID, token_store=store, clock=sandbox.state.clock.now, sleep=lambda s: None)
    before = _refresh_tokens_issued(sandbox)
    hook.token_manager.refresh(force=True)  # spends the stored refresh token: refused if it were not the newest
    assert hook.get_me()["id"]
    assert _refresh_tokens_issued(sandbox) == before + 1


def test_no_secret_reaches_logs_xcom_or_rendered_fields(finished_run):
    cluster, sandbox = finished_run["cluster"], finished_run["sandbox"]
    # Every token the sandbox issued in this run (the minted pair and each rotation), and the client secrets.
    issued = set(sandbox.state.oauth["twitter"]._tokens)
    extra = finished_run["x_conn"]["extra"]
    secrets = issued | {extra["client_secret"], extra["oauth_consumer_secret"], extra["oauth_token_secret"]}
    haystacks = {
        "task logs": finished_run["cluster"].task_logs(),
        "worker logs": "\n".join(_log(finished_run["home"], name) for name in WORKERS),
        "xcom": json.dumps(cluster.query("select key, value from xcom"), default=str),
        "rendered fields": json.dumps(cluster.query("select * from rendered_task_instance_fields"), default=str),
    }
    assert len(issued) >= 2 * (1 + EXPIRIES)
    assert all(text in haystacks["rendered fields"] for text in POSTS)
    assert sum(text in haystacks["xcom"] for text in POSTS) == len(POSTS)  # the posts' results are there
    for where, text in haystacks.items():
        leaked = [s[:6] + "…" for s in secrets if s in text]
        assert not leaked, f"secrets found in {where}: {leaked}"
