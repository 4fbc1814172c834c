"""A wait that frees the worker, under a real ``airflow triggerer`` (with api-server, scheduler and dag-processor)
and one worker slot (``[core] parallelism = 1``): a VK post refused for its method's daily quota (error 29).

What it proves: the task defers to a timer trigger at VK's midnight (counted on VK's clock: the sandbox's, frozen
45 s before 00:00 Moscow time), the triggerer holds the trigger, and the one worker slot is free meanwhile (another
DAG's task runs to success while the post waits). Once the sandbox clock has passed midnight and the timer fires,
the task resumes in a worker, posts, and the sandbox holds exactly one post of it. The test waits for the timer by
polling what real processes did; it never sleeps.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.connections import sandbox_connections
from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import LocalAirflow
from tests.integration.dags_waits.social_waits import TEXT
from tests.integration.triggerer import triggerer_cluster

pytestmark = pytest.mark.integration

DAGS = Path(__file__).parent / "dags_waits"
DAG_ID = "social_wait_deferral"
PROBE_DAG_ID = "social_wait_probe"
#: 2026-03-10 23:59:15 Moscow time: VK's quota day turns 45 s later on the sandbox clock.
BEFORE_MIDNIGHT = datetime(2026, 3, 10, 20, 59, 15, tzinfo=timezone.utc).timestamp()
TIMER = "airflow.providers.standard.triggers.temporal.DateTimeTrigger"


def _posts_of_the_task(control) -> list[dict]:
    return [post for wall in control.vk_state()["walls"].values() for post in wall if post.get("text") == TEXT]


def _states(cluster: LocalAirflow, dag_id: str) -> dict[str, str | None]:
    return dict(cluster.query("select task_id, state from task_instance where dag_id=?", dag_id))


@pytest.fixture(scope="module")
def waits(tmp_path_factory):
    sandbox = run_in_thread()
    conns = sandbox_connections(sandbox.base_url, sandbox.control)
    env = {
        "AIRFLOW__CORE__PARALLELISM": "1",  # one worker slot for everything
        "AIRFLOW_CONN_VK_DEFAULT": json.dumps(conns["vk_default"]),
    }
    home = tmp_path_factory.mktemp("airflow-home-waits")
    try:
        with triggerer_cluster(home, DAGS, env, (DAG_ID, PROBE_DAG_ID)) as cluster:
            yield {"cluster": cluster, "sandbox": sandbox, "vk_conn": conns["vk_default"]}
    finally:
        sandbox.stop()


def test_a_vk_quota_wait_frees_the_worker_slot_and_the_post_lands_once_after_the_reset(waits, monkeypatch):
    cluster, sandbox = waits["cluster"], waits["sandbox"]
    control = sandbox.control
    control.freeze(at=BEFORE_MIDNIGHT)
    control.vk_configure(daily_caps={"wall.post": 1})
    # Today's one wall.post of the community token, spent by another client.
    monkeypatch.setenv("AIRFLOW_CONN_VK_DEFAULT", json.dumps(waits["vk_conn"]))
    from airflow_provider_social.hooks.vk import VkHook

    VkHook("vk_default").create_post("earlier today", guid="earlier-today")

    cluster.airflow("dags", "trigger", DAG_ID)

    def deferred() -> bool:
        state = _states(cluster, DAG_ID).get("vk_post_after_quota")
        if state in ("failed", "up_for_retry", "success"):
            pytest.fail(f"the post did not defer: {state}\n{cluster.task_logs(tail_per_file=3000)}")
        return state == "deferred"

    cluster.wait_for("the post to defer", deferred, timeout=600)
    ((classpath, kwargs, triggerer),) = cluster.query(
        "select t.classpath, t.kwargs, t.triggerer_id from task_instance ti join trigger t on ti.trigger_id = t.id"
        " where ti.dag_id=?", DAG_ID) or [(None, None, None)]
    assert classpath == TIMER
    assert control.vk_state()["quota_refusals"] == 1
    assert _posts_of_the_task(control) == []

    # With the one slot free, another DAG's task runs to success while the post waits.
    cluster.airflow("dags", "trigger", PROBE_DAG_ID)
    cluster.wait_for("the probe task to succeed",
                     lambda: _states(cluster, PROBE_DAG_ID).get("ran_in_the_freed_slot") == "success")
    assert _states(cluster, DAG_ID)["vk_post_after_quota"] == "deferred"
    assert cluster.query("select count(*) from trigger t join job j on t.triggerer_id = j.id "
                         "where j.job_type='TriggererJob' and j.state='running'") == [(1,)]

    control.advance(60)  # VK's quota day turns; the timer (45 s + 1 s on the worker's clock) fires on its own
    state = cluster.finished_run_state(DAG_ID, timeout=600)
    if state != "success":
        pytest.fail(f"DAG run {state}: {_states(cluster, DAG_ID)}\n{cluster.task_logs(tail_per_file=3000)}")
    # Resumed after the timer: no retry, no trigger left, and exactly one post of the task at the sandbox.
    assert cluster.query("select try_number from task_instance where dag_id=?", DAG_ID) == [(1,)]
    assert cluster.query("select count(*) from trigger where classpath=?", TIMER) == [(0,)]
    assert len(_posts_of_the_task(control)) == 1
    assert control.vk_state()["quota_refusals"] == 1
