"""`deferred_waits_1000`: 1,000 concurrent deferred waits in ONE real `airflow triggerer` against the sandbox.

Setup (not measured): the sandbox in its own process with its clock frozen, so every wait stays pending; 990 Yandex
Disk upload-from-URL operations (``operation_duration`` one hour of sandbox time) and 10 X video uploads (the X
per-user media-status limit, 1,000 per 15 min, allows about 10 waits at X's advised 9 s on one account). A DAG
of two mapped deferrable operators (10 + 990 map indexes) is serialized; the DagRun, 1,000 deferred TaskInstances
and their Trigger rows
are written through Airflow's ORM, as the execution API does when a task defers (creating 1,000 deferred tasks
through workers would take far too long on 2 cores). Then one ``airflow triggerer --capacity 1000`` starts.

Measured while all 1,000 run: peak RSS of the triggerer's process tree (sum over the tree, sampled every 0.5 s),
its CPU, requests the sandbox served per service (its own counter, ``GET /_control/requests``) over a fixed
window, hence the per-wait poll interval, compared with the advised one (X: ``check_after_secs``; Yandex advises
none, so the operators' ``poll_interval``). At the end the sandbox clock moves an hour; all 1,000 triggers must
fire (their TaskInstances become ``scheduled`` with a success event).

Reference, measured in the same run: one reschedule-mode poke, i.e. one run of a ``YandexDiskPathSensor``
(``mode="reschedule"``) as ``airflow tasks test`` in a fresh process (parse the DAG, one status call, record
``up_for_reschedule``), its CPU seconds and peak RSS; 1,000 such sensors at the same interval cost 1,000 times that
per poke interval. That is a lower bound: a real worker adds the supervisor process, the execution-API calls and
the scheduler's re-queueing of every poke.
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil
import requests
from common import ROOT, Result, start_sandbox

sys.path.insert(0, str(ROOT))

from airflow_provider_social.sandbox.connections import sandbox_connections  # noqa: E402
from airflow_provider_social.sandbox.control import SandboxControl  # noqa: E402
from scripts.local_airflow import LocalAirflow  # noqa: E402

N_X = 10
# Smaller values (environment) only for trying the bench out; `make bench` uses the defaults.
N_DISK = int(os.environ.get("BENCH_DEFERRED_DISK_WAITS", "990"))
DISK_POLL = 5.0  # the operators' default poll_interval
# Seconds of real time over which requests count: a multiple of both intervals (9 s, 5 s), so a wait polling
# exactly at its interval is counted exactly WINDOW / interval times whatever its phase.
WINDOW = float(os.environ.get("BENCH_DEFERRED_WINDOW", "90"))
DAG_ID = "social_deferred_bench"
PROBE_DAG_ID = "social_reschedule_probe"
MIB = 1024 * 1024

# Two mapped tasks, the shape many waits take in practice (one task expanded over a list). A DAG of 1,000 separate
# tasks is not used: Airflow 3.3.2's triggerer deserializes the run's whole DAG for every trigger it loads
# (TriggerRunnerSupervisor._create_workload -> SerializedDagModel.dag), so loading 1,000 triggers of a 1,000-task
# DAG costs a million task deserializations (seen: the supervisor at 100% CPU for minutes, no trigger started).
DAG_FILE = f'''
from datetime import datetime
from airflow.sdk import DAG
from airflow_provider_social.operators.twitter import TwitterCreateTweetOperator
from airflow_provider_social.operators.yandex_disk import YandexDiskUploadFromUrlOperator

with DAG("{DAG_ID}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    TwitterCreateTweetOperator.partial(task_id="x", media_paths=["/bench/v.mp4"], deferrable=True).expand(
        text=[f"video {{i}}" for i in range({N_X})])
    YandexDiskUploadFromUrlOperator.partial(task_id="disk", deferrable=True, poll_interval={DISK_POLL}).expand_kwargs(
        [{{"url": f"https://example.org/{{i}}.txt", "remote_path": f"disk:/bench/{{i}}.txt"}} for i in range({N_DISK})])
'''

PROBE_FILE = f'''
from datetime import datetime
from airflow.sdk import DAG
from airflow_provider_social.sensors.yandex_disk import YandexDiskPathSensor

with DAG("{PROBE_DAG_ID}", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):
    YandexDiskPathSensor(task_id="wait_for_flag", path="disk:/never/there.flag", mode="reschedule",
                         poke_interval={DISK_POLL}, deferrable=False)
'''

# Runs in the Airflow environment: what the execution API does on defer, for 1,000 tasks at once.
SEED = f'''
import json, sys
from airflow.models.dag_version import DagVersion
from airflow.models.dagrun import DagRun
from airflow.models.serialized_dag import SerializedDagModel
from airflow.models.taskinstance import TaskInstance
from airflow.models.trigger import Trigger
from airflow.utils import timezone
from airflow.utils.session import create_session
from airflow.utils.state import DagRunState, TaskInstanceState
from airflow.utils.types import DagRunType
from airflow_provider_social.triggers.twitter import TwitterMediaProcessingTrigger
from airflow_provider_social.triggers.yandex_disk import YandexDiskOperationTrigger

waits = json.loads(sys.stdin.read())
with create_session() as session:
    dag = SerializedDagModel.get("{DAG_ID}", session=session).dag
    version = DagVersion.get_latest_version("{DAG_ID}", session=session)
    now = timezone.utcnow()
    run = DagRun(dag_id="{DAG_ID}", run_id="bench", logical_date=now, run_after=now, start_date=now,
                 data_interval=(now, now), state=DagRunState.RUNNING, run_type=DagRunType.MANUAL, conf={{}})
    session.add(run)
    session.flush()
    for task_id, map_index, kind, wait_id in waits:
        if kind == "x":
            trigger = TwitterMediaProcessingTrigger(media_ids=[wait_id], groups=[[wait_id]])
        else:
            trigger = YandexDiskOperationTrigger(operation_id=wait_id, poll_interval={DISK_POLL},
                                                 result={{"operation_id": wait_id, "status": "success"}})
        row = Trigger.from_object(trigger)
        session.add(row)
        session.flush()
        ti = TaskInstance(dag.get_task(task_id), dag_version_id=version.id, run_id="bench", map_index=map_index)
        ti.state = TaskInstanceState.DEFERRED
        ti.trigger_id = row.id
        ti.next_method = "execute_complete"
        ti.next_kwargs = {{}}
        ti.start_date = now
        session.add(ti)
print("seeded", len(waits))
'''

# One reschedule-mode poke as a fresh process; prints its CPU seconds and peak RSS (the child's own rusage).
POKE = '''
import json, resource, subprocess, sys
subprocess.run(sys.argv[1:], check=True, capture_output=True)
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"cpu": r.ru_utime + r.ru_stime, "rss_mib": r.ru_maxrss / 1024}))
'''


def _prepare_waits(base_url: str, conns: dict) -> list[tuple[str, int, str, str]]:
    """Start the work at the 'services': 10 X videos (finalized, processing) and 990 Disk operations."""
    waits: list[tuple[str, int, str, str]] = []
    x_api = f"{base_url}/x-api"
    bearer = {"Authorization": f"Bearer {conns['twitter_default']['extra']['access_token']}"}
    video = b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1000
    with requests.Session() as http:
        for i in range(N_X):
            media_id = http.post(f"{x_api}/2/media/upload/initialize", headers=bearer, timeout=30, json={
                "media_type": "video/mp4", "total_bytes": len(video), "media_category": "tweet_video"},
            ).json()["data"]["id"]
            http.post(f"{x_api}/2/media/upload/{media_id}/append", headers=bearer, timeout=30,
                      files={"media": ("blob", video)}, data={"segment_index": "0"}).raise_for_status()
            http.post(f"{x_api}/2/media/upload/{media_id}/finalize", headers=bearer, timeout=30).raise_for_status()
            waits.append(("x", i, "x", media_id))
        disk = f"{base_url}/yandex-disk/v1/disk/resources"
        oauth = {"Authorization": f"OAuth {conns['yandex_disk_default']['password']}"}
        http.put(disk, params={"path": "disk:/bench"}, headers=oauth, timeout=30).raise_for_status()
        for i in range(N_DISK):
            answer = http.post(f"{disk}/upload", headers=oauth, timeout=30,
                               params={"url": f"https://example.org/{i}.txt", "path": f"disk:/bench/{i}.txt"})
            assert answer.status_code == 202, answer.text
            waits.append(("disk", i, "disk", answer.json()["href"].rsplit("/", 1)[1]))
    return waits


class _TreeSampler(threading.Thread):
    """Samples a process tree every 0.5 s: the peak of its summed RSS (``peak``; pages a forked child shares with
    its parent count twice) and of its summed PSS (``peak_pss``: shared pages divided among the sharers, what the
    tree really occupies), and the per-process RSS at the RSS peak (``breakdown``)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.root = psutil.Process(pid)
        self.peak = 0
        self.peak_pss = 0
        self.breakdown: list[tuple[str, float]] = []
        self.stopped = threading.Event()

    def reset(self) -> None:
        self.peak = self.peak_pss = 0

    def tree(self) -> list[psutil.Process]:
        return [self.root, *self.root.children(recursive=True)]

    def rss(self) -> int:
        total = 0
        for proc in self.tree():
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                pass
        return total

    def cpu(self) -> float:
        total = 0.0
        for proc in self.tree():
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except psutil.Error:
                pass
        return total

    def run(self) -> None:
        while not self.stopped.wait(0.5):
            rss, pss, parts = 0, 0, []
            for proc in self.tree():
                try:
                    info = proc.memory_full_info()
                    rss, pss = rss + info.rss, pss + info.pss
                    parts.append((" ".join(proc.cmdline()[1:3])[:40] or proc.name(), info.rss / MIB))
                except psutil.Error:
                    pass
            if rss > self.peak:
                self.peak, self.breakdown = rss, parts
            self.peak_pss = max(self.peak_pss, pss)


# What the provider itself holds per wait: 1,000 Disk hooks as the triggers build them (each with its session and
# one status poll), in a plain process, RSS growth per hook (run with the connection in AIRFLOW_CONN_*).
HOOKS = '''
import asyncio, gc, json, os, sys, psutil
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

async def build(n):
    return [await YandexDiskHook.for_trigger("yandex_disk_default") for _ in range(n)]

first = asyncio.run(build(1))[0]
first.get_disk_info()
gc.collect()
before = psutil.Process().memory_info().rss
hooks = asyncio.run(build(int(sys.argv[1])))
for hook in hooks:
    hook.get_disk_info()
gc.collect()
print(json.dumps({"kib_per_hook": (psutil.Process().memory_info().rss - before) / 1024 / len(hooks)}))
'''


def _provider_kib_per_wait(env: dict[str, str], n: int) -> float:
    out = subprocess.run([sys.executable, "-c", HOOKS, str(n)], env=env, check=True, capture_output=True, text=True,
                         timeout=600)
    return float(json.loads(out.stdout.strip().splitlines()[-1])["kib_per_hook"])


def _idle_triggerer(cluster: LocalAirflow, seconds: float = 20) -> tuple[float, float]:
    """The same triggerer with no trigger to run: Airflow's own footprint (peak summed RSS, PSS in MiB), the
    reference for what 1,000 waits add."""
    proc = cluster.start_component("triggerer-idle", "triggerer", "--skip-serve-logs", "--capacity", "1000")
    sampler = _TreeSampler(proc.pid)
    sampler.start()
    cluster.wait_for("the idle triggerer to start its trigger runner", lambda: len(sampler.tree()) > 1, timeout=120)
    time.sleep(seconds)  # a real process settling; sampled meanwhile
    sampler.stopped.set()
    del cluster.procs["triggerer-idle"]
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(30)
    return sampler.peak / MIB, sampler.peak_pss / MIB


def _reschedule_poke(cluster: LocalAirflow) -> dict[str, float]:
    runs = []
    for attempt in range(3):
        out = subprocess.run(
            [sys.executable, "-c", POKE, str(Path(sys.executable).parent / "airflow"), "tasks", "test",
             PROBE_DAG_ID, "wait_for_flag", f"2026-01-0{attempt + 1}"],
            env=cluster.env, capture_output=True, text=True, check=True, timeout=300,
        )
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return {"cpu": statistics.median(r["cpu"] for r in runs), "rss_mib": statistics.median(r["rss_mib"] for r in runs)}


def measure() -> list[Result]:
    sandbox_proc, base_url = start_sandbox()
    control = SandboxControl(base_url)
    work = Path(tempfile.mkdtemp(prefix="bench-deferred-"))
    dags = work / "dags"
    dags.mkdir()
    (dags / "bench_deferred_dag.py").write_text(DAG_FILE)
    (dags / "bench_reschedule_probe.py").write_text(PROBE_FILE)
    cluster = None
    try:
        control.freeze()
        control.configure("yandex_disk", operation_duration=3600)
        conns = sandbox_connections(base_url, control)
        waits = _prepare_waits(base_url, conns)
        control.advance(1.5)  # X: processing has begun; it now advises check_after_secs = 9 (10 s video)
        advised_x = control.state("twitter")["media"][0]["processing_info"]["check_after_secs"]
        cluster = LocalAirflow(work / "home", dags, {
            "AIRFLOW_CONN_TWITTER_DEFAULT": json.dumps(conns["twitter_default"]),
            "AIRFLOW_CONN_YANDEX_DISK_DEFAULT": json.dumps(conns["yandex_disk_default"]),
            "PYTHONPATH": str(ROOT),
        })
        cluster.migrate()
        cluster.airflow("dags", "reserialize", timeout=600)
        idle_rss, idle_pss = _idle_triggerer(cluster)
        provider_kib = _provider_kib_per_wait(cluster.env, N_X + N_DISK)
        subprocess.run([sys.executable, "-c", SEED], input=json.dumps(waits), env=cluster.env, check=True,
                       capture_output=True, text=True, timeout=600)
        poke = _reschedule_poke(cluster)

        before_start = control.requests()["by_service"]
        triggerer = cluster.start_component("triggerer", "triggerer", "--skip-serve-logs", "--capacity", "1000")
        sampler = _TreeSampler(triggerer.pid)
        sampler.start()
        # Running means: taken by the triggerer and polled at least once (the sandbox saw every first check).
        cluster.wait_for("the triggerer to take all 1,000 triggers", lambda: cluster.query(
            "select count(*) from trigger where triggerer_id is not null") == [(N_X + N_DISK,)], timeout=600)

        def first_polls_done() -> bool:
            seen = control.requests()["by_service"]
            return (seen.get("yandex_disk", 0) - before_start.get("yandex_disk", 0) >= N_DISK
                    and seen.get("twitter", 0) - before_start.get("twitter", 0) >= N_X)

        cluster.wait_for("every trigger to poll once", first_polls_done, timeout=600)
        sampler.reset()
        start_counts, start_cpu, started = control.requests()["by_service"], sampler.cpu(), time.monotonic()
        time.sleep(WINDOW)  # the measurement window: real processes run meanwhile
        end_counts, end_cpu, elapsed = control.requests()["by_service"], sampler.cpu(), time.monotonic() - started
        peak_mib, peak_pss_mib = sampler.peak / MIB, sampler.peak_pss / MIB
        print(f"  triggerer tree at its RSS peak (MiB): {sampler.breakdown}", flush=True)
        pending = cluster.query("select count(*) from task_instance where dag_id=? and state='deferred'", DAG_ID)
        assert pending == [(N_X + N_DISK,)], f"waits did not stay pending during the window: {pending}"

        x_reqs = end_counts.get("twitter", 0) - start_counts.get("twitter", 0)
        disk_reqs = end_counts.get("yandex_disk", 0) - start_counts.get("yandex_disk", 0)
        total_rps = (x_reqs + disk_reqs) / elapsed
        x_interval = elapsed * N_X / max(1, x_reqs)
        disk_interval = elapsed * N_DISK / max(1, disk_reqs)
        advised_rps = N_X / advised_x + N_DISK / DISK_POLL
        cores = (end_cpu - start_cpu) / elapsed

        control.advance(3600)  # every video and operation finishes: 1,000 events must fire
        def resumed() -> int:
            ((count,),) = cluster.query(
                "select count(*) from task_instance where dag_id=? and state='scheduled' and next_kwargs like ?",
                DAG_ID, '%"status": "success"%')
            return count

        cluster.wait_for("all 1,000 triggers to fire", lambda: resumed() == N_X + N_DISK, timeout=900)
        fired = resumed()
        sampler.stopped.set()
    finally:
        if cluster is not None:
            cluster.stop()
        sandbox_proc.terminate()
        sandbox_proc.wait(10)

    reschedule_cores = (N_X + N_DISK) * poke["cpu"] / DISK_POLL
    where = f"{N_X} X media + {N_DISK} Disk operation waits in one triggerer"
    return [
        Result("deferred_waits_1000_triggerer_peak_rss_mib", peak_mib, "MiB",
               f"{where}, sum over its process tree (the same triggerer idle: {idle_rss:.0f} MiB). "
               "Reschedule-mode sensor instead: one poke = a fresh "
               f"`airflow tasks test` process of {poke['rss_mib']:.0f} MiB peak, started for each of 1,000 sensors "
               f"every poke", poke["rss_mib"], None, "< 300 MiB"),
        Result("deferred_waits_1000_added_by_waits_pss_mib", peak_pss_mib - idle_pss, "MiB",
               "the tree's peak PSS minus that of the same triggerer with no trigger (Airflow's own footprint, "
               "measured in the same run); per wait: "
               f"{(peak_pss_mib - idle_pss) * 1024 / (N_X + N_DISK):.0f} KiB", idle_pss, None, "reported"),
        Result("deferred_waits_1000_provider_kib_per_wait", provider_kib, "KiB",
               "what the provider holds per wait: RSS growth per hook built by `for_trigger` (its connection, "
               "session and one status poll), 1,000 in a plain process; reference: the whole per-wait growth "
               "of the triggerer above", (peak_pss_mib - idle_pss) * 1024 / (N_X + N_DISK),
               provider_kib / ((peak_pss_mib - idle_pss) * 1024 / (N_X + N_DISK)), "reported"),
        Result("deferred_waits_1000_triggerer_peak_pss_mib", peak_pss_mib, "MiB",
               "the same tree's peak summed PSS (pages the forked trigger runner shares with the triggerer counted "
               "once); reference: its summed RSS peak", peak_mib, None, "< 300 MiB"),
        Result("deferred_waits_1000_triggerer_cpu_cores", cores, "cores",
               f"CPU-s per s of the triggerer tree over {elapsed:.0f} s of waiting. 1,000 reschedule-mode sensors at "
               f"{DISK_POLL:.0f} s: 1,000 x {poke['cpu']:.2f} CPU-s per poke (median of 3 `airflow tasks test` "
               f"runs) / {DISK_POLL:.0f} s, a lower bound (no supervisor, execution API or scheduler)",
               reschedule_cores, reschedule_cores / cores if cores else None, "well under the reference"),
        Result("deferred_waits_1000_sandbox_requests_per_s", total_rps, "req/s",
               f"the rate the advised intervals allow: {N_X}/{advised_x:.0f} s (X check_after_secs) + "
               f"{N_DISK}/{DISK_POLL:.0f} s (Disk poll_interval; Yandex advises none), counted by the sandbox",
               advised_rps, total_rps / advised_rps, "ratio <= 1"),
        Result("deferred_waits_1000_x_poll_interval_s", x_interval, "s",
               "X's advised check_after_secs (measured per wait over the window)", float(advised_x),
               x_interval / advised_x, ">= advised (ratio >= 1)"),
        Result("deferred_waits_1000_disk_poll_interval_s", disk_interval, "s",
               "the operators' poll_interval (Yandex advises none; measured per wait over the window)", DISK_POLL,
               disk_interval / DISK_POLL, ">= poll_interval (ratio >= 1)"),
        Result("deferred_waits_1000_events_fired", float(fired), "events",
               "deferred TaskInstances after one sandbox-clock advance (scheduled with a success event)",
               float(N_X + N_DISK), fired / (N_X + N_DISK), "all 1000"),
    ]


if __name__ == "__main__":
    os.environ.setdefault("PYTHONPATH", str(ROOT))
    for result in measure():
        print(result.describe())
