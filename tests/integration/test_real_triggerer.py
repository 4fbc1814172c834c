"""Every deferrable kind of the provider under a real ``airflow triggerer`` (with api-server, scheduler and
dag-processor), one worker slot (``[core] parallelism = 1``), against the sandbox with its clock frozen.

What it proves: each task defers (its ``trigger`` row is assigned to the triggerer, which polls the sandbox); the
worker slot is given back (four tasks are deferred at once with one slot, and another DAG's task runs to success
meanwhile); advancing the sandbox clock finishes the work at the "service", the triggers fire, the tasks resume in
a worker and return the right result. Nothing here sleeps on a real clock: it polls what real processes did.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.connections import sandbox_connections
from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow
from tests.integration.triggerer import triggerer_cluster

pytestmark = pytest.mark.integration

DAGS = Path(__file__).parent / "dags"
DAG_ID = "social_deferral"
PROBE_DAG_ID = "social_deferral_probe"
TRIGGER_CLASSES = {
    "x_video_post": "airflow_provider_social.triggers.twitter.TwitterMediaProcessingTrigger",
    "yandex_upload_from_url": "airflow_provider_social.triggers.yandex_disk.YandexDiskOperationTrigger",
    "yandex_upload_202": "airflow_provider_social.triggers.yandex_disk.YandexDiskOperationTrigger",
    "yandex_path_sensor": "airflow_provider_social.triggers.yandex_disk.YandexDiskPathTrigger",
}
FETCHED = "disk:/deferral/fetched.txt"
SOURCE_URL = "https://example.org/deferral/source.txt"


def _states(cluster: LocalAirflow, dag_id: str) -> dict[str, str | None]:
    return dict(cluster.query("select task_id, state from task_instance where dag_id=?", dag_id))


def _xcom(cluster: LocalAirflow, task_id: str):
    ((value,),) = cluster.query(
        "select value from xcom where dag_id=? and task_id=? and key='return_value'", DAG_ID, task_id)
    return json.loads(value) if isinstance(value, (str, bytes)) else value


@pytest.fixture(scope="module")
def deferral(tmp_path_factory):
    files = tmp_path_factory.mktemp("deferral-files")
    video = files / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 256)
    upload = files / "report.csv"
    upload.write_text("day,posts\n2026-01-01,3\n")

    sandbox = run_in_thread()
    control = sandbox.control
    control.freeze()  # every wait stays pending until the test advances the sandbox clock
    control.configure("yandex_disk", upload_async_next=1)  # the one file upload is answered 202
    conns = sandbox_connections(sandbox.base_url, control)
    env = {
        "AIRFLOW__CORE__PARALLELISM": "1",  # one worker slot for everything
        "AIRFLOW_CONN_TWITTER_DEFAULT": json.dumps(conns["twitter_default"]),
        "AIRFLOW_CONN_YANDEX_DISK_DEFAULT": json.dumps(conns["yandex_disk_default"]),
        "SOCIAL_DEFERRAL_VIDEO": str(video),
        "SOCIAL_DEFERRAL_UPLOAD": str(upload),
    }
    home = tmp_path_factory.mktemp("airflow-home-triggerer")
    try:
        with triggerer_cluster(home, DAGS, env, (DAG_ID, PROBE_DAG_ID)) as cluster:
            yield {"cluster": cluster, "sandbox": sandbox, "upload": upload, "video": video, "home": home}
    finally:
        sandbox.stop()


def test_deferred_tasks_free_their_slot_and_resume_when_the_sandbox_clock_moves(deferral):
    cluster, sandbox = deferral["cluster"], deferral["sandbox"]
    control = sandbox.control
    cluster.airflow("dags", "trigger", DAG_ID)

    def all_deferred() -> bool:
        states = _states(cluster, DAG_ID)
        if any(s in ("failed", "upstream_failed") for s in states.values()):
            pytest.fail(f"a task failed before deferring: {states}\n{cluster.task_logs(tail_per_file=3000)}")
        return len(states) == len(TRIGGER_CLASSES) and set(states.values()) == {"deferred"}

    cluster.wait_for("every task to defer", all_deferred, timeout=600)
    # One slot, four tasks deferred at once: each gave its slot back when it deferred. Each waits in a trigger
    # row the triggerer has taken.
    triggers = cluster.wait_for("the triggerer to take every trigger", lambda: (rows := cluster.query(
        "select ti.task_id, t.classpath, t.triggerer_id from task_instance ti join trigger t on ti.trigger_id = t.id"
        " where ti.dag_id=? and t.triggerer_id is not null", DAG_ID)) and len(rows) == len(TRIGGER_CLASSES) and rows)
    assert {task: classpath for task, classpath, _ in triggers} == TRIGGER_CLASSES
    ((triggerer_job,),) = cluster.query("select id from job where job_type='TriggererJob' and state='running'")
    assert {job for _, _, job in triggers} == {triggerer_job}

    # The triggerer polls the sandbox meanwhile (X at its check_after_secs, Disk at the tasks' poll_interval).
    before = control.requests()["by_service"]
    cluster.wait_for("the triggers to poll X and Yandex Disk", lambda: all(
        control.requests()["by_service"].get(s, 0) >= before.get(s, 0) + 2 for s in ("twitter", "yandex_disk")))

    # With the one slot free, another DAG's task runs to success while all four are still deferred.
    cluster.airflow("dags", "trigger", PROBE_DAG_ID)
    cluster.wait_for("the probe task to succeed",
                     lambda: _states(cluster, PROBE_DAG_ID).get("ran_in_the_freed_slot") == "success")
    assert set(_states(cluster, DAG_ID).values()) == {"deferred"}

    # The services finish on the sandbox clock: video processing (10 s), the operations (2 s).
    control.advance(60)
    state = cluster.finished_run_state(DAG_ID, timeout=600)
    if state != "success":
        pytest.fail(f"DAG run {state}: {_states(cluster, DAG_ID)}\n{cluster.task_logs(tail_per_file=3000)}")
    # Each resumed after its trigger fired: no retry, no trigger left.
    assert cluster.query("select task_id from task_instance where dag_id=? and try_number != 1", DAG_ID) == []
    # (Other DAGs in the folder keep their asset watchers' triggers: only these tasks' kinds must be gone.)
    classpaths = sorted(set(TRIGGER_CLASSES.values()))
    assert cluster.query(f"select count(*) from trigger where classpath in ({','.join('?' * len(classpaths))})",
                         *classpaths) == [(0,)]

    # The results the resumed tasks returned match what the sandbox holds.
    posted = _xcom(cluster, "x_video_post")
    x_state = control.state("twitter")
    (tweet,) = [t for t in x_state["tweets"] if t["id"] == posted["id"]]
    assert tweet["text"] == "processed while the worker slot was free" and tweet["media_ids"] == posted["media_ids"]
    (media,) = [m for m in x_state["media"] if m["id"] == posted["media_ids"][0]]
    assert media["processing_info"]["state"] == "succeeded"

    fetched = _xcom(cluster, "yandex_upload_from_url")
    assert fetched["path"] == FETCHED and fetched["status"] == "success"
    (tree,) = control.state("yandex_disk")["trees"].values()
    assert tree[FETCHED]["md5"] == hashlib.md5(f"sandbox upload of {SOURCE_URL}\n".encode()).hexdigest()

    (uploaded,) = _xcom(cluster, "yandex_upload_202")
    local_md5 = hashlib.md5(deferral["upload"].read_bytes()).hexdigest()
    assert uploaded["md5"] == local_md5 == tree["disk:/deferral/uploads/report.csv"]["md5"]
    assert "operation_id" not in uploaded
