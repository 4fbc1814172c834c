"""`events_latency_p99_s` and `events_lost_or_doubled`: VK community event watchers under a real Airflow
(api-server, scheduler, dag-processor, one triggerer; SQLite, LocalExecutor) against the sandbox's Bots Long Poll.

Setup (not measured): ``N_WATCHERS`` assets, each with an ``AssetWatcher`` on a ``VkCommunityEventTrigger`` of
``message_new`` whose ``text_pattern`` is its own prefix (``^w007 ``): 100 watchers of one community in one
triggerer, sharing its one long poll (Airflow 3.3's shared stream), each filtering its own events. One DAG per
asset is scheduled on it (a run per event, as a user's DAG would be).

- ``events_latency_p99_s``: one message at a time, to a watcher picked in turn; the time from the sandbox queueing
  it to the DAG run's ``queued_at`` (Airflow's own stamp; both clocks are this machine's). ``SAMPLES`` events,
  the next sent once the previous run exists.
- ``events_lost_or_doubled``: ``N_EVENTS`` messages to watcher 0 in two halves; the triggerer is killed (SIGKILL)
  when about a third of them are stored and again at about two thirds, and restarted. Lost = sent but never stored
  as an asset event; doubled = stored more than once (same ``event_id``). The ack-mode shared stream (Airflow 3.3)
  never skips, and what it reads again after a kill is skipped by the delivered position the provider's listener
  recorded with the asset events (docs/events.md).
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from common import ROOT, Result

sys.path.insert(0, str(ROOT))

from airflow_provider_social.sandbox.connections import sandbox_connections  # noqa: E402
from airflow_provider_social.sandbox.server import run_in_thread  # noqa: E402
from scripts.local_airflow import CORE_COMPONENTS, LocalAirflow  # noqa: E402

# Smaller values (environment) only for trying the bench out; `make bench` uses the defaults.
N_WATCHERS = int(os.environ.get("BENCH_EVENTS_WATCHERS", "100"))
SAMPLES = int(os.environ.get("BENCH_EVENTS_SAMPLES", "50"))
N_EVENTS = int(os.environ.get("BENCH_EVENTS_EVENTS", "1000"))

DAG_FILE = '''
from datetime import datetime
from airflow.sdk import Asset, AssetWatcher, dag, task
from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger

for n in range({n}):
    asset = Asset(f"bench_vk_w{{n:03d}}", watchers=[AssetWatcher(
        name=f"bench_vk_w{{n:03d}}_watcher",
        trigger=VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id="vk_default",
                                        text_pattern=f"^w{{n:03d}} ", wait=25))])

    @dag(dag_id=f"bench_vk_events_w{{n:03d}}", schedule=[asset], start_date=datetime(2026, 1, 1), catchup=False)
    def on_message():
        @task
        def noop():
            return None

        noop()

    on_message()
'''


def _send(sandbox, texts: list[str]) -> None:
    sandbox.control.configure("vk", longpoll_events=[{"type": "message_new", "from_id": 2, "text": t}
                                                     for t in texts])


def _stamp(value: str) -> float:
    return datetime.fromisoformat(value.replace(" ", "T")).timestamp() if "+" in value or "Z" in value else \
        datetime.fromisoformat(value + "+00:00").timestamp()


def _latency(cluster: LocalAirflow, sandbox) -> list[tuple[float, float]]:
    """``(seconds to the asset event stored, seconds to the run queued)`` per sample, both from the send."""
    latencies = []
    for k in range(SAMPLES):
        watcher = (k * 37) % N_WATCHERS
        dag_id = f"bench_vk_events_w{watcher:03d}"
        (before,) = cluster.query("select count(*) from dag_run where dag_id=?", dag_id)[0]
        sent = time.time()
        _send(sandbox, [f"w{watcher:03d} latency {k}"])
        (queued,) = cluster.wait_for(f"a run of {dag_id}", lambda d=dag_id, b=before: [
            q for (c, q) in cluster.query("select count(*), max(queued_at) from dag_run where dag_id=?", d)
            if c > b and q], timeout=300)
        ((stored,),) = cluster.query("select max(e.timestamp) from asset_event e join asset a on a.id = e.asset_id "
                                     "where a.name=?", f"bench_vk_w{watcher:03d}")
        latencies.append((_stamp(stored) - sent, _stamp(queued) - sent))
    return latencies


def _stored(cluster: LocalAirflow) -> list[str]:
    rows = cluster.query("select e.extra from asset_event e join asset a on a.id = e.asset_id "
                         "where a.name='bench_vk_w000' order by e.id")
    return [json.loads(extra)["payload"]["object"]["message"]["text"] for (extra,) in rows]


def _kill_and_restart(cluster: LocalAirflow) -> None:
    proc = cluster.procs.pop("triggerer")
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(30)
    cluster.start_component("triggerer", "triggerer", "--skip-serve-logs")


def _lost_or_doubled(cluster: LocalAirflow, sandbox) -> tuple[int, int, int]:
    sent = [f"w000 event {n}" for n in range(N_EVENTS)]
    half = N_EVENTS // 2
    _send(sandbox, sent[:half])
    cluster.wait_for("a third stored", lambda: len(set(_stored(cluster)) & set(sent)) >= N_EVENTS // 3,
                     timeout=900)
    _kill_and_restart(cluster)
    _send(sandbox, sent[half:])
    cluster.wait_for("two thirds stored", lambda: len(set(_stored(cluster)) & set(sent)) >= 2 * N_EVENTS // 3,
                     timeout=900)
    _kill_and_restart(cluster)
    try:
        cluster.wait_for("every event stored", lambda: set(sent) <= set(_stored(cluster)), timeout=900)
    except AssertionError:
        pass  # counted as lost below
    stored = [t for t in _stored(cluster) if t in set(sent)]
    lost = len(set(sent) - set(stored))
    doubled = len(stored) - len(set(stored))
    return lost, doubled, len(stored)


def measure() -> list[Result]:
    sandbox = run_in_thread()
    sandbox.control.vk_configure(rate_limits={"user": None, "community": None},
                                 longpoll_settings={"enabled": True, "api_version": "5.199",
                                                    "events": ["message_new"]})
    vk = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]
    home = Path(tempfile.mkdtemp(prefix="bench-events-"))
    vk["extra"]["token_store"] = f"file:{home / 'cursors'}"
    dags = home / "dags"
    dags.mkdir()
    (dags / "bench_vk_events.py").write_text(DAG_FILE.format(n=N_WATCHERS))
    cluster = LocalAirflow(home / "airflow", dags, {"AIRFLOW_CONN_VK_DEFAULT": json.dumps(vk),
                                                    "AIRFLOW__CORE__MAX_ACTIVE_RUNS_PER_DAG": "1000"})
    (home / "airflow").mkdir()
    try:
        cluster.start((*CORE_COMPONENTS, "triggerer"))
        cluster.wait_for(f"{N_WATCHERS} watchers running", lambda: len(cluster.query(
            "select t.id from trigger t join asset_watcher w on w.trigger_id = t.id where t.triggerer_id is not null"
        )) >= N_WATCHERS, timeout=1200)
        # Each watcher checks the community's Long Poll settings as it joins the stream (a VK API call), and the
        # one poll is held open: then every watcher is subscribed.
        cluster.wait_for("every watcher subscribed and the poll checking", lambda: (
            sandbox.control.requests()["by_service"].get("vk", 0) >= N_WATCHERS
            and sandbox.control.requests()["by_service"].get("vk_longpoll", 0) >= 1), timeout=600)
        stages = _latency(cluster, sandbox)
        lost, doubled, stored_events = _lost_or_doubled(cluster, sandbox)
    finally:
        cluster.stop()
        sandbox.stop()
    latencies = [queued for _, queued in stages]
    stored = [at for at, _ in stages]
    p99 = sorted(latencies)[max(0, round(0.99 * len(latencies)) - 1)]
    size = "" if (N_WATCHERS, SAMPLES, N_EVENTS) == (100, 50, 1000) else " (a reduced size, set by BENCH_EVENTS_*)"
    return [
        Result("events_latency_p99_s", p99, "s", "target", 5.0, p99 / 5.0, "< 5 s",
               note=f"{len(latencies)} events, one at a time, {N_WATCHERS} watchers on one triggerer; median "
                    f"{statistics.median(latencies):.2f} s, max {max(latencies):.2f} s; of which to the asset event "
                    f"stored (the triggerer): median {statistics.median(stored):.2f} s, max {max(stored):.2f} s, "
                    f"then to the run (the scheduler): median "
                    f"{statistics.median(q - a for a, q in stages):.2f} s, max {max(q - a for a, q in stages):.2f} "
                    f"s{size}"),
        Result("events_lost_or_doubled", lost + doubled, "events", "target", 0.0, None, "0",
               note=f"{N_EVENTS} events, two triggerer kills (SIGKILL): {lost} lost, {doubled} doubled "
                    f"({stored_events} asset events stored){size}"),
    ]


if __name__ == "__main__":
    for result in measure():
        print(result.describe())
