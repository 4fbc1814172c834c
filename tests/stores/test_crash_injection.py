"""A worker killed (SIGKILL) at each step of a refresh, for every token store, against the sandbox's X (single-use
refresh tokens; a replayed one kills the grant): what the killed worker leaves behind and what the next worker finds
(docs/tokens.md, the crash table).

The killed worker is ``tests.stores.worker``: its store's ``prepare_save`` (called under the lock, after the read,
right before the token request) is wrapped to die before the request, after X issued the new set but before the
write, or after the write but before the set is used.
"""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ReauthorizationRequired
from airflow_provider_social.core.tokens import FileTokenStore
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.core.tokens.redis_store import PREFIX, RedisTokenStore
from airflow_provider_social.core.tokens.sealing import Sealer
from airflow_provider_social.hooks.twitter import TwitterHook
from tests.hooks.twitter_helpers import x_connection
from tests.stores.conftest import read_variable, refresh_tokens, run_worker, worker_result

# Real PostgreSQL/Redis servers, Airflow's metadata database and worker processes killed mid-refresh.
pytestmark = pytest.mark.slow

CONN = "twitter_crash"
REAUTHORISE = f"airflow social auth twitter --conn-id {CONN}"
STEPS = ["before_request", "after_issue", "after_save"]


@pytest.mark.parametrize("step", STEPS)
@pytest.mark.parametrize("kind", ["postgres", "redis", "file", "variable"])
def test_worker_killed_during_a_refresh(kind, step, request, sandbox, make_connection, tmp_path):
    env: dict[str, str] = {}
    if kind == "postgres":
        setting = f"postgres:{request.getfixturevalue('tokens_pg')}"
    elif kind == "redis":
        setting = f"redis:{request.getfixturevalue('tokens_redis')}"  # the worker's lease: 1 s
    elif kind == "file":
        setting = f"file:{tmp_path / 'tokens'}"
    else:
        setting, env = "variable", request.getfixturevalue("airflow_home").env
    x_connection(sandbox, make_connection, CONN, token_store=setting)
    sandbox.state.clock.advance(7300)  # the access token has expired: the worker refreshes first

    assert worker_result(run_worker(sandbox, "twitter", CONN, setting, step, env=env)) == "killed"
    issued = refresh_tokens(sandbox)
    assert len(issued) == (1 if step == "before_request" else 2)
    stored = stored_refresh_token(kind, setting, request)
    # Only after_save wrote anything; the store then holds X's newest refresh token.
    assert stored == (issued[1][0] if step == "after_save" else None)

    # The next worker. Its lock is free: the kernel released the dead worker's flock (file, Variable), PostgreSQL
    # released the row with the dead connection, Redis expired the dead holder's 1 s lease (waited for below).
    clock = sandbox.state.clock
    if kind == "variable":
        outcome = worker_result(run_worker(sandbox, "twitter", CONN, setting, env=env))
    else:
        store = next_worker_store(kind, setting)
        if kind == "redis":
            # The dead worker took the one lease so far (fencing token 1) and never released it: only its expiry
            # lets the next worker in (the wait is real time, bounded by the 1 s lease; how much of it is left by
            # now depends on the machine's load, so it is not asserted).
            assert redis_fence(request) == 1
        hook = TwitterHook(CONN, token_store=store, clock=clock.now, sleep=clock.advance)
        try:
            hook.get_me()
            outcome = "ok"
        except ReauthorizationRequired as exc:
            outcome = f"ReauthorizationRequired {exc}"
        if kind == "redis":  # a refreshing next worker took a new lease (after_save: the set is fresh, no lock)
            assert redis_fence(request) == (1 if step == "after_save" else 2)
    if step == "after_issue":
        # The one unavoidable window: the spent token is refused (X then revokes the grant), nothing newer is in the
        # store, and the task fails at once with the command that re-authorises: not a hang, not a loop.
        assert outcome.startswith("ReauthorizationRequired") and REAUTHORISE in outcome, outcome
        assert "no newer one appeared there" in outcome
        assert len(refresh_tokens(sandbox)) == 2
    else:
        # before_request: the next worker refreshes the unspent token; after_save: it uses the saved set as is.
        assert outcome == "ok"
        after = refresh_tokens(sandbox)
        assert len(after) == 2 and after[-1][1]
        assert stored_refresh_token(kind, setting, request) == after[-1][0]


def redis_fence(request) -> int:
    """How many leases of the connection Redis has handed out (its fencing-token counter)."""
    import redis

    client = redis.Redis(port=request.getfixturevalue("redis_server").port)
    return int(client.get(f"{PREFIX}{{{CONN}}}:fence") or 0)


def next_worker_store(kind: str, setting: str):
    target = setting.partition(":")[2]
    if kind == "postgres":
        return PostgresTokenStore(target, sealer=Sealer(), lock_timeout=30)
    if kind == "redis":
        return RedisTokenStore(target, sealer=Sealer(), lease_seconds=1, lock_timeout=30)
    return FileTokenStore(target)


def stored_refresh_token(kind: str, setting: str, request) -> str | None:
    """The refresh token the store holds for the connection, read the way an operator would inspect it."""
    if kind == "variable":
        value = read_variable(request.getfixturevalue("airflow_home"), f"social_token_{CONN}")[2]
        return value["refresh_token"] if value else None
    found = next_worker_store(kind, setting).load(CONN)
    return found.refresh_token if found else None
