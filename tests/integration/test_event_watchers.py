"""A VK community event watcher under a real scheduler and triggerer (api-server, dag-processor), against the
sandbox's Bots Long Poll: the triggerer is killed (SIGKILL) between events and in the middle of a burst, restarted,
and every message the sandbox queued is stored exactly once, in order. Nothing sleeps on a real clock: the test
polls what the real processes did.

On Airflow 3.3 the watcher reads through the triggerer's ack-mode shared stream: its cursor is saved only once
Airflow confirmed it stored the events, so a kill can never skip one; an event stored in the second before the
kill, whose confirmation had not reached the cursor yet, is read again after the restart and skipped, because the
provider's listener recorded its position in the transaction that stored it."""

from __future__ import annotations

import json
import os
import shutil
import signal
from pathlib import Path

import pytest

from airflow_provider_social.sandbox.connections import sandbox_connections
from airflow_provider_social.sandbox.server import run_in_thread
from scripts.local_airflow import CORE_COMPONENTS, LocalAirflow

pytestmark = pytest.mark.integration

DAGS = Path(__file__).parent / "dags"
EXAMPLES = Path(__file__).parents[2] / "dags_examples"
DAG_ID = "social_vk_events"
ASSET = "vk_sandbox_messages"
DISK_ASSET = "yandex_disk_inbox"  # the example DAG's own watcher (dags_examples/disk_inbox.py), as users get it


def _payloads(cluster: LocalAirflow, asset: str) -> list[dict]:
    rows = cluster.query("select e.extra from asset_event e join asset a on a.id = e.asset_id where a.name=? "
                         "order by e.id", asset)
    return [json.loads(extra)["payload"] for (extra,) in rows]


def _delivered(cluster: LocalAirflow) -> list[tuple[str, str]]:
    """(text, event_id) of every asset event of the watched asset, in the order Airflow stored them."""
    return [(p["object"]["message"]["text"], p["event_id"]) for p in _payloads(cluster, ASSET)]


def check_order(delivered: list[tuple[str, str]], sent: list[str]) -> None:
    """Assert that ``delivered`` is a prefix of ``sent`` in order, each once with its own event_id (nothing lost,
    nothing doubled)."""
    texts = [text for text, _ in delivered]
    doubled = len(texts) - len(set(texts))
    assert doubled == 0, f"{doubled} event(s) stored twice: {[t for t in set(texts) if texts.count(t) > 1][:20]}"
    assert texts == sent[:len(texts)], f"lost or out of order: {texts[:50]} ... vs {sent[:50]} ..."
    assert len({event_id for _, event_id in delivered}) == len(delivered)


def _kill_triggerer(cluster: LocalAirflow) -> None:
    proc = cluster.procs.pop("triggerer")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)


def _start_triggerer(cluster: LocalAirflow) -> None:
    cluster.start_component("triggerer", "triggerer", "--skip-serve-logs")


@pytest.fixture(scope="module")
def watched(tmp_path_factory):
    sandbox = run_in_thread()
    control = sandbox.control
    control.vk_configure(rate_limits={"user": None, "community": None},
                         longpoll_settings={"enabled": True, "api_version": "5.199", "events": ["message_new"]})
    conns = sandbox_connections(sandbox.base_url, control)
    vk = conns["vk_default"]  # the default token store: an Airflow Variable, written through the triggerer
    disk = conns["yandex_disk_default"]
    disk["extra"]["token_store"] = f"file:{tmp_path_factory.mktemp('disk-token-store')}"
    env = {"AIRFLOW_CONN_VK_DEFAULT": json.dumps(vk), "AIRFLOW_CONN_YANDEX_DISK_DEFAULT": json.dumps(disk)}
    home = tmp_path_factory.mktemp("airflow-home-events")
    dags = tmp_path_factory.mktemp("dags-events")
    for source in (DAGS / "social_vk_events.py", EXAMPLES / "disk_inbox.py"):
        shutil.copy(source, dags / source.name)
    cluster = LocalAirflow(home, dags, env)
    try:
        cluster.start((*CORE_COMPONENTS, "triggerer"))
        cluster.wait_for("both watchers' triggers to run", lambda: len(cluster.query(
            "select t.id from trigger t join asset_watcher w on w.trigger_id = t.id where t.triggerer_id is not null"
        )) == 2, timeout=600)
        yield {"cluster": cluster, "sandbox": sandbox, "home": home, "disk": disk}
    finally:
        cluster.stop()
        sandbox.stop()


def test_no_event_lost_and_order_kept_across_triggerer_kills(watched):
    cluster, sandbox = watched["cluster"], watched["sandbox"]
    sent: list[str] = []

    def send(*texts: str) -> None:
        sandbox.control.configure("vk", longpoll_events=[{"type": "message_new", "from_id": 2, "text": t}
                                                         for t in texts])
        sent.extend(texts)

    def all_delivered() -> bool:
        got = _delivered(cluster)
        check_order(got, sent)
        return len(got) == len(sent)

    # The watcher reads from when it started: wait until it is checking.
    cluster.wait_for("the watcher to check", lambda: sandbox.control.requests()["by_service"].get("vk_longpoll"))
    send("one", "two", "three")
    cluster.wait_for("three asset events", all_delivered, timeout=300)

    _kill_triggerer(cluster)  # between events
    send("while down 1", "while down 2")
    _start_triggerer(cluster)
    cluster.wait_for("the events sent while the triggerer was down", all_delivered, timeout=300)

    burst = [f"burst {n}" for n in range(1500)]  # more than the subscriber queue (1024)
    send(*burst)
    cluster.wait_for("part of the burst", lambda: len({t for t, _ in _delivered(cluster)} & set(burst)) > 20,
                     timeout=300)
    _kill_triggerer(cluster)  # in the middle of the burst
    send("after the burst")
    _start_triggerer(cluster)
    cluster.wait_for("the rest of the burst", all_delivered, timeout=900)
    check_order(_delivered(cluster), sent)
    assert len(_delivered(cluster)) == len(sent)
    # The cursor is in the default store, an Airflow Variable the triggerer wrote through the Task SDK; the
    # delivered position is a Variable the listener wrote with the asset events.
    names = [n for (n,) in cluster.query("select key from variable")]
    (name,) = [n for n in names if "_cursor_vk_longpoll_" in n]
    assert name.startswith("social_token_vk_default_cursor_vk_longpoll_")
    assert [n for n in names if n.startswith("social_event_delivered_")]


def test_disk_files_arrive_once_each_in_order_across_a_triggerer_kill(watched, monkeypatch, tmp_path):
    cluster = watched["cluster"]
    monkeypatch.setenv("AIRFLOW_CONN_YANDEX_DISK_DEFAULT", json.dumps(watched["disk"]))
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    hook = YandexDiskHook("yandex_disk_default")
    uploaded: list[str] = []

    def upload(*names: str) -> None:
        for name in names:
            (tmp_path / name).write_text(f"{name}\n")
            hook.upload_file(tmp_path / name, f"Inbox/{name}", parents=True)
            uploaded.append(f"disk:/Inbox/{name}")

    def delivered() -> list[tuple[str, str]]:
        return [(p["path"], p["md5"]) for p in _payloads(cluster, DISK_ASSET)]

    def all_delivered() -> bool:
        got = delivered()
        check_order(got, uploaded)
        return len(got) == len(uploaded)

    upload("a.csv", "skip.txt", "b.csv")
    uploaded.remove("disk:/Inbox/skip.txt")  # not *.csv
    cluster.wait_for("two files", all_delivered, timeout=300)
    _kill_triggerer(cluster)
    upload("c.csv", "d.csv")
    _start_triggerer(cluster)
    cluster.wait_for("the files uploaded while the triggerer was down", all_delivered, timeout=300)
    check_order(delivered(), uploaded)
