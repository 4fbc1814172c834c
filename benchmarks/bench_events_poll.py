"""`events_poll_requests_per_s_vs_allowed`: how fast an X mention watcher polls, against what X's window allows.

One ``TwitterMentionEventTrigger`` (read as a sensor reads, in ``run()``) against the sandbox, with a
``poll_interval`` of 0.1 s, far shorter than the window allows, so only the rate-window pacing keeps it in bounds.
The sandbox's mentions window is X's per-user one (300 requests per 15 minutes). Its clock is frozen and the
trigger's waits move it (no real sleeping: three windows would take 45 minutes), so time is the sandbox's: the
figure is the requests the sandbox counted on ``/2/users/:id/mentions`` per sandbox second, over three windows,
divided by the allowed 300 / 900 s. New mentions arrive every 50 polls, and the events must all arrive.

Reference: the allowed rate (``x-rate-limit-limit`` / window), not a measurement; target ratio <= 1. The sandbox
answers 429 past the limit, so a pace above 1 would show as refusals; the note says how many there were.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
import tempfile

from common import ROOT, Result

sys.path.insert(0, str(ROOT))

LIMIT, WINDOW, WINDOWS = 300, 900, 3
POLL_INTERVAL = 0.1


def measure() -> list[Result]:
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.server import run_in_thread
    from airflow_provider_social.triggers.twitter_events import TwitterMentionEventTrigger

    sandbox = run_in_thread()
    conn = "x_bench_events"
    x = sandbox_connections(sandbox.base_url, sandbox.control)["twitter_default"]
    x["extra"]["token_store"] = f"file:{tempfile.mkdtemp(prefix='bench-x-events-')}"
    os.environ[f"AIRFLOW_CONN_{conn.upper()}"] = json.dumps(x)
    logging.getLogger("airflow_provider_social").setLevel(logging.WARNING)
    refused: list[str] = []

    class Refusals(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            if "rate window spent" in record.getMessage():
                refused.append(record.getMessage())

    logging.getLogger("airflow_provider_social.triggers.twitter_events").addHandler(Refusals())
    try:
        control = sandbox.control
        control.configure("twitter", rate_limits={"users_mentions": {"limit": LIMIT, "window": WINDOW}})
        clock = sandbox.state.clock
        clock.freeze()
        trigger = TwitterMentionEventTrigger(twitter_conn_id=conn, poll_interval=POLL_INTERVAL)
        trigger.clock = clock.now
        polls = {"n": 0, "sent": 0}

        async def sleep(seconds: float) -> None:
            polls["n"] += 1
            if polls["n"] % 50 == 0:
                polls["sent"] += 1
                control.configure("twitter", seed={"mentions": 1, "step": 1, "start": int(clock.now()) + 1})
            clock.advance(seconds)

        trigger.sleep = sleep

        async def run() -> tuple[int, float, int]:
            await asyncio.sleep(0)
            events = trigger.run()
            pending = asyncio.ensure_future(events.__anext__())
            await asyncio.sleep(0.5)  # the first cursor is taken before the window is counted
            while not pending.done() and polls["n"] == 0:
                await asyncio.sleep(0.05)
            start, before = clock.now(), control.requests()["by_service"].get("twitter", 0)
            got = 0
            while clock.now() - start < WINDOWS * WINDOW:
                await asyncio.wait_for(pending, 60)
                got += 1
                pending = asyncio.ensure_future(events.__anext__())
            pending.cancel()
            await asyncio.gather(pending, return_exceptions=True)
            await events.aclose()
            return control.requests()["by_service"].get("twitter", 0) - before, clock.now() - start, got

        requests, elapsed, got = asyncio.run(run())
    finally:
        sandbox.stop()
        os.environ.pop(f"AIRFLOW_CONN_{conn.upper()}", None)
    rate, allowed = requests / elapsed, LIMIT / WINDOW
    return [Result(
        "events_poll_requests_per_s_vs_allowed", rate, "req/s", f"X mentions window {LIMIT}/{WINDOW} s", allowed,
        rate / allowed, "<= 1",
        note=f"{requests} requests over {elapsed:.0f} s of sandbox time (trigger waits move the sandbox clock), "
             f"poll_interval {POLL_INTERVAL} s, {got} mention events of {polls['sent']} sent, {len(refused)} "
             "polls refused by the window",
    )]


if __name__ == "__main__":
    for result in measure():
        print(result.describe())
