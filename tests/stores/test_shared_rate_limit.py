"""Separate processes sending with one VK community token (20/s) through one token store: with Redis, PostgreSQL
or the file store the limiter's slots are shared, so the sandbox (real clock here) counts no error 6 and the sends
never come faster than the token's limit; with per-process limiters (the Variable store) the same run overruns it.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
import time

import pytest

# Worker processes against the in-thread sandbox (and real Redis/PostgreSQL servers).
pytestmark = pytest.mark.slow

PROCESSES = 4
CALLS = 25
SPACING_20 = 1.05 / 20  # the community token's spacing: 20/s with the limiter's 5% margin

CHILD = """
import sys
from airflow_provider_social.hooks.vk import VkHook

hook = VkHook(sys.argv[1])
hook.call("users.get", user_ids=[1])  # imports, connections and the store's backend ready before the race
print("ready", flush=True)
sys.stdin.readline()
for _ in range(int(sys.argv[2])):
    hook.call("users.get", user_ids=[1])
print("done", flush=True)
"""


def _next_word(child: subprocess.Popen) -> str:
    """The child's next line of its own. Airflow's log lines go to stdout too: a retry's warning is skipped, but a
    shared limiter that failed (and left the child to its own per-process limit) fails the test."""
    for line in child.stdout:
        assert "shared rate limiter" not in line, line
        if line.strip() in ("ready", "done"):
            return line.strip()
    return child.communicate(timeout=60)[1][-3000:]


def run_senders(sandbox, conn_id: str) -> float:
    """Start the senders, let them all go at once, return the seconds the race took (real clock)."""
    env = dict(os.environ, PYTHONPATH=os.getcwd())
    children = [subprocess.Popen([sys.executable, "-c", CHILD, conn_id, str(CALLS)], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
                for _ in range(PROCESSES)]
    # The in-thread sandbox stamps arrivals in this process, whose heap after a full suite makes one garbage
    # collection a stall of ~100 ms: requests queue meanwhile and are stamped together, a bunching no client
    # causes (CI saw one violation so). Collect now, then none during the race.
    gc.collect()
    gc.disable()
    try:
        for child in children:
            assert _next_word(child) == "ready"
        sandbox.control.vk_configure(reset_violations=True)
        started = time.monotonic()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        for child in children:
            assert _next_word(child) == "done"
        return time.monotonic() - started
    finally:
        gc.enable()
        for child in children:
            child.stdin.close()
            child.wait(60)


@pytest.fixture
def vk_token_store(sandbox, make_connection):
    """Declares ``vk_shared`` (the sandbox's community token, 20/s enforced on the real clock) with a token store."""
    from airflow_provider_social.sandbox.connections import sandbox_connections

    sandbox.state.clock.unfreeze()  # the senders wait on the real clock, and the sandbox measures on it
    sandbox.control.vk_configure(rate_limits={"user": 3, "community": 20})
    extra = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]["extra"]

    def declare(store: str | None) -> str:
        return make_connection("vk_shared", "vk", **{**extra, "token_store": store, "max_retry_wait": 60})

    return declare


@pytest.mark.parametrize("kind", ["redis", "postgres", "file"])
def test_processes_sharing_one_token_keep_to_its_rate(kind, request, sandbox, vk_token_store, tmp_path):
    if kind == "file":
        store = f"file:{tmp_path / 'tokens'}"
    else:
        store = f"{kind}:{request.getfixturevalue('tokens_redis' if kind == 'redis' else 'tokens_pg')}"
    took = run_senders(sandbox, vk_token_store(store))
    assert sandbox.control.vk_state()["rate_limit_violations"] == 0, took
    # One budget: the 100 sends were spaced as one sender's would be, not four senders' at 20/s each.
    assert took >= (PROCESSES * CALLS - 1) * SPACING_20 - 0.05


def test_per_process_limiters_overrun_a_shared_token(sandbox, vk_token_store):
    """The control: the Variable store shares no limiter, and four processes draw error 6 (then retry)."""
    run_senders(sandbox, vk_token_store(None))
    assert sandbox.control.vk_state()["rate_limit_violations"] > 0


@pytest.mark.parametrize("kind", ["redis", "postgres"])
def test_error_29_is_held_for_every_process_sharing_the_store(kind, request, sandbox, make_connection):
    """A method VK refused for its daily quota is not called again with that token by another process (here: this
    process with its own memory emptied) until the quota resets; the store's server keeps the hold."""
    from airflow_provider_social.core.errors import CallQuotaError
    from airflow_provider_social.core.ratelimit import rate_limiters
    from airflow_provider_social.hooks.vk import VkHook
    from airflow_provider_social.sandbox.connections import sandbox_connections

    store_conn = request.getfixturevalue("tokens_redis" if kind == "redis" else "tokens_pg")
    sandbox.control.vk_configure(daily_caps={"wall.get": 1})
    extra = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]["extra"]
    make_connection("vk_quota", "vk", **{**extra, "token_store": f"{kind}:{store_conn}"})
    clock = sandbox.state.clock  # frozen: holds and resets on the sandbox clock; slots on the server's own clock
    rate_limiters.clear()
    try:
        first = VkHook("vk_quota", clock=clock.now)
        first.call("wall.get", owner_id=-1000001)
        with pytest.raises(CallQuotaError) as refused:
            first.call("wall.get", owner_id=-1000001)
        rate_limiters.clear()  # another process
        with pytest.raises(CallQuotaError, match="not sent"):
            VkHook("vk_quota", clock=clock.now).call("wall.get", owner_id=-1000001)
        assert sandbox.control.vk_state()["quota_refusals"] == 1
        clock.advance(refused.value.resets_at - clock.now())
        rate_limiters.clear()
        assert VkHook("vk_quota", clock=clock.now).call("wall.get", owner_id=-1000001)["count"] == 0
    finally:
        rate_limiters.clear()
    if kind == "redis":  # the limiter's keys are fingerprints, never the token
        import redis

        server = request.getfixturevalue("redis_server")
        keys = [k.decode() for k in redis.Redis(host=server.host, port=server.port).keys("social_rate:*")]
        tokens = [extra[name] for name in ("access_token", "community_token") if extra.get(name)]
        assert keys and tokens and not any(token in key for token in tokens for key in keys), keys
