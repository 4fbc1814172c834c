"""X's rate windows shared across processes: a window one process saw spent (``x-rate-limit-remaining: 0``, or the
app's ``x-app-limit-24hour-remaining: 0``) is held until its reset through the token store's backend (files,
Redis, PostgreSQL), so a second process refuses the call before sending it, naming the reset, instead of first
drawing a 429. The app's 24-hour window is the app's: two connections of one app (two users) share it, while each
keeps its own 15-minute window. Each side is its own Python process against the in-thread sandbox (real clock),
whose 24-hour app cap is native (sandbox/twitter/daily.py).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest
import requests
from requests_oauthlib import OAuth1

from airflow_provider_social.sandbox import twitter as xs
from airflow_provider_social.sandbox.twitter.history import FRIEND_ID
from tests.hooks.twitter_helpers import SCOPE, x_connection

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


def two_users_of_one_app(sandbox, make_connection, store_setting) -> tuple[str, str]:
    """Two connections of the sandbox's app (one OAuth 2.0 client id), each with its own user's tokens."""
    first = x_connection(sandbox, make_connection, "x_first_user", token_store=store_setting)
    second = x_connection(sandbox, make_connection, "x_second_user", token_store=store_setting,
                          tokens=sandbox.control.mint_tokens("twitter", scope=SCOPE, user_id=FRIEND_ID))
    return first, second


def served(sandbox) -> int:
    return sandbox.control.requests()["by_service"]["twitter"]


@pytest.mark.parametrize("store_setting", ["file", "redis", "postgres"], indirect=True)
def test_the_apps_24_hour_window_is_shared_by_every_connection_of_the_app(sandbox, make_connection, store_setting):
    sandbox.state.clock.unfreeze()
    sandbox.control.configure("twitter", daily_limits={"tweets_create": {"app": 1}})
    first, second = two_users_of_one_app(sandbox, make_connection, store_setting)
    assert "posted" in post_in_another_process(first, "first")  # its answer says: the app has 0 left for 24 h
    before = served(sandbox)

    refused = post_in_another_process(second, "second")  # another user, another process: the same app
    assert refused["status"] is None and "spent until" in refused["refused"] and "not sent" in refused["refused"]
    assert refused["resume_at"] == pytest.approx(time.time() + 86400, abs=60)
    # Nothing reached X: no 429 was drawn.
    assert served(sandbox) - before == 0
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["first"]


@pytest.mark.parametrize("store_setting", ["file"], indirect=True)
def test_a_429_of_the_spent_app_window_waits_for_its_reset_and_is_shared(sandbox, make_connection, store_setting):
    sandbox.state.clock.unfreeze()
    sandbox.control.configure("twitter", daily_limits={"tweets_create": {"app": 1}})
    first, second = two_users_of_one_app(sandbox, make_connection, store_setting)
    # Another tool of the same app (its OAuth 1.0a keys) spends the app's day: our connections have not seen it.
    keys = OAuth1(xs.SANDBOX_CONSUMER_KEY, xs.SANDBOX_CONSUMER_SECRET, xs.SANDBOX_OAUTH_TOKEN,
                  xs.SANDBOX_OAUTH_TOKEN_SECRET)
    assert requests.post(f"{sandbox.base_url}/x-api/2/tweets", json={"text": "elsewhere"}, auth=keys,
                         timeout=10).status_code == 201
    before = served(sandbox)

    refused = post_in_another_process(first, "first")
    # The 429's x-rate-limit-reset names the 15-minute window; the spent app window's reset, a day away, is the wait.
    assert refused["status"] == 429 and refused["resume_at"] == pytest.approx(time.time() + 86400, abs=60)
    held = post_in_another_process(second, "second")  # learnt from the first's 429: not sent
    assert held["status"] is None and "not sent" in held["refused"]
    assert held["resume_at"] == pytest.approx(refused["resume_at"], abs=5)
    assert served(sandbox) - before == 1
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["elsewhere"]


@pytest.mark.parametrize("store_setting", ["file"], indirect=True)
def test_a_users_15_minute_window_is_not_shared_with_another_user_of_the_app(sandbox, make_connection,
                                                                            store_setting):
    sandbox.state.clock.unfreeze()
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    first, second = two_users_of_one_app(sandbox, make_connection, store_setting)
    assert "posted" in post_in_another_process(first, "first")  # the first user's 15-minute window is spent
    assert "posted" in post_in_another_process(second, "second")  # the second user's is not
    assert "refused" in post_in_another_process(first, "third")
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["first", "second"]


@pytest.mark.parametrize("store_setting", ["file"], indirect=True)
def test_without_the_24_hour_headers_the_429_and_its_reset_are_honoured(sandbox, make_connection, store_setting):
    # X does not document x-app-limit-24hour-* and reportedly omits them under pay-per-use (UNCONFIRMED): the
    # client cannot learn the app window then, but must draw no more than the 429 and wait for its reset.
    sandbox.state.clock.unfreeze()
    sandbox.control.configure("twitter", daily_limits={"tweets_create": {"app": 1}}, daily_limit_headers=False)
    first, second = two_users_of_one_app(sandbox, make_connection, store_setting)
    assert "posted" in post_in_another_process(first, "first")
    before = served(sandbox)

    refused = post_in_another_process(second, "second")
    assert refused["status"] == 429 and refused["resume_at"] is not None
    # The reset the 429 named (its x-rate-limit-reset, the 15-minute window's): not sent again before it.
    assert refused["resume_at"] == pytest.approx(time.time() + 900, abs=60)
    assert served(sandbox) - before == 1  # the one refused post, not repeated
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["first"]
