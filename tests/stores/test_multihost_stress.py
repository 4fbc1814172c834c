"""Eight 'hosts' share one X connection whose refresh tokens are single-use and rotate, over five expiries of the
sandbox clock. Each worker is a separate process with its own lock directory, so the host ``flock`` cannot help:
only the shared store (PostgreSQL or Redis) serialises the refreshes."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from airflow_provider_social.core.tokens.sealing import Sealer
from tests.hooks.twitter_helpers import x_connection

# Eight host processes against real PostgreSQL/Redis servers.
pytestmark = pytest.mark.slow

WORKERS = 8
EXPIRIES = 5

CHILD = """
import os, sys
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.sandbox.control import SandboxControl

control = SandboxControl(os.environ["SANDBOX_URL"])
for line in sys.stdin:
    hook = TwitterHook("twitter_hosts", clock=control.now, sleep=lambda s: None)
    try:
        hook.create_tweet(f"host {sys.argv[1]} round {line.strip()}")
        print("ok", flush=True)
    except Exception as exc:
        print("error", type(exc).__name__, str(exc)[:300].replace(chr(10), " "), flush=True)
"""


def run_hosts(sandbox, tmp_path, rounds: int) -> list[str]:
    """Start the workers, send every round to all of them at once, advance past the expiry between rounds."""
    children = []
    for n in range(WORKERS):
        env = dict(os.environ, SANDBOX_URL=sandbox.base_url, PYTHONPATH=os.getcwd(),
                   SOCIAL_TOKEN_LOCK_DIR=str(tmp_path / f"host-{n}" / "locks"))
        children.append(subprocess.Popen([sys.executable, "-c", CHILD, str(n)], stdin=subprocess.PIPE,
                                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env))
    outcomes: list[str] = []
    try:
        for round_ in range(rounds):
            for child in children:
                child.stdin.write(f"{round_}\n")
                child.stdin.flush()
            outcomes += [child.stdout.readline().strip() for child in children]
            if round_ < rounds - 1:
                sandbox.state.clock.advance(7300)  # past the 2-hour access token: every worker must renew
    finally:
        for child in children:
            child.stdin.close()
        for child in children:
            child.wait(60)
    return outcomes


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_eight_hosts_share_one_rotating_token_without_loss(kind, request, sandbox, make_connection, tmp_path):
    store_conn = request.getfixturevalue("tokens_pg" if kind == "postgres" else "tokens_redis")
    sandbox.control.configure("twitter", rate_limits={"tweets_create": {"limit": 10_000, "window": 900}})
    x_connection(sandbox, make_connection, "twitter_hosts", token_store=f"{kind}:{store_conn}")
    outcomes = run_hosts(sandbox, tmp_path, rounds=EXPIRIES + 1)
    assert outcomes == ["ok"] * WORKERS * (EXPIRIES + 1), [o for o in outcomes if o != "ok"][:5]
    assert len(sandbox.control.state("twitter")["tweets"]) == WORKERS * (EXPIRIES + 1)
    issued = [t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"]
    assert len(issued) == 1 + EXPIRIES  # the minted one, then exactly one refresh per expiry
    # The set left in the store is the newest, and it still works.
    from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
    from airflow_provider_social.core.tokens.redis_store import RedisTokenStore
    from airflow_provider_social.hooks.twitter import TwitterHook

    store = (PostgresTokenStore if kind == "postgres" else RedisTokenStore)(store_conn, sealer=Sealer())
    sandbox.state.clock.advance(7300)
    hook = TwitterHook("twitter_hosts", token_store=store, clock=sandbox.state.clock.now, sleep=lambda s: None)
    assert hook.get_me()["id"]
    assert len([t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"]) == 2 + EXPIRIES
