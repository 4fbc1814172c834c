"""X's rate windows shared across processes: a window one process saw spent (``x-rate-limit-remaining: 0``, or the
app's ``x-app-limit-24hour-remaining: 0``) is held until its reset through the token store's backend (files,
Redis, PostgreSQL), so a second process refuses the call before sending it, naming the reset, instead of first
drawing a 429. Each side is its own Python process against the in-thread sandbox (real clock).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from tests.hooks.twitter_helpers import x_connection

# Worker processes against the in-thread sandbox (and real Redis/PostgreSQL servers).
pytestmark = pytest.mark.slow

CHILD = """
import json, sys
from airflow_provider_social.core.errors import RateLimitError
from airflow_provider_social.hooks.twitter import TwitterHook

try:
    print(json.dumps({"posted": TwitterHook(sys.argv[1]).create_tweet(sys.argv[2])["id"]}))
except RateLimitError as exc:
    print(json.dumps({"refused": str(exc), "status": exc.status_code, "resume_at": exc.resume_at}))
"""


def post_in_another_process(conn_id: str, text: str) -> dict:
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    done = subprocess.run([sys.executable, "-c", CHILD, conn_id, text], capture_output=True, text=True, env=env,
                          timeout=240)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, done.stdout[-3000:] + done.stderr[-3000:]
    return json.loads(lines[-1])



@pytest.fixture
def store_setting(request, tmp_path):
    kind = request.param
    if kind == "file":
        return f"file:{tmp_path / 'tokens'}"
    return f"{kind}:{request.getfixturevalue('tokens_redis' if kind == 'redis' else 'tokens_pg')}"


@pytest.mark.parametrize("store_setting", ["file", "redis", "postgres"], indirect=True)
def test_a_window_spent_in_one_process_is_not_drawn_on_by_another(sandbox, make_connection, store_setting):
    sandbox.state.clock.unfreeze()
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    conn = x_connection(sandbox, make_connection, "x_windows", token_store=store_setting)
    assert "posted" in post_in_another_process(conn, "first")  # its answer says: 0 left for 15 minutes
    served = sandbox.control.requests()["by_service"]["twitter"]

    second = post_in_another_process(conn, "second")
    assert second["status"] is None and "spent until" in second["refused"] and "not sent" in second["refused"]
    assert second["resume_at"] == pytest.approx(time.time() + 900, abs=30)
    # Nothing reached X's create endpoint: no 429 was drawn (the get-me call of the new process is all it sent).
    assert sandbox.control.requests()["by_service"]["twitter"] - served <= 1
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["first"]


@pytest.mark.parametrize("store_setting", ["file"], indirect=True)
def test_the_apps_24_hour_window_is_shared_too(sandbox, make_connection, store_setting):
    sandbox.state.clock.unfreeze()
    reset = int(time.time()) + 20 * 3600
    sandbox.control.add_fault(service="twitter", method="POST", path_contains="/2/tweets", status=429, headers={
        "x-app-limit-24hour-limit": "17", "x-app-limit-24hour-remaining": "0",
        "x-app-limit-24hour-reset": str(reset)}, body={"title": "Too Many Requests", "status": 429})
    conn = x_connection(sandbox, make_connection, "x_app_window", token_store=store_setting)
    first = post_in_another_process(conn, "first")
    # X refused it with a 429 announcing the app's 24-hour window spent: not retried before the reset
    assert "spent until" in first["refused"] and first["resume_at"] == pytest.approx(reset, abs=5)
    served = sandbox.control.requests()["by_service"]["twitter"]

    second = post_in_another_process(conn, "second")  # the fault is used up: X would take it, but it is held
    assert second["status"] is None and "not sent" in second["refused"]
    assert second["resume_at"] == pytest.approx(reset, abs=5)
    assert sandbox.control.requests()["by_service"]["twitter"] - served <= 1
    assert sandbox.control.state("twitter")["tweets"] == []
