"""A worker killed (SIGKILL) at each step of a refresh through the PostgreSQL store, against the sandbox's X: what
the next worker finds (README "Token lifecycle", the crash table)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from airflow_provider_social.core.errors import ReauthorizationRequired
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.core.tokens.sealing import Sealer
from airflow_provider_social.hooks.twitter import TwitterHook
from tests.hooks.twitter_helpers import x_connection

CHILD = """
import os, signal, sys
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.sandbox.control import SandboxControl

step = sys.argv[1]
store = PostgresTokenStore(sys.argv[2])
prepare = store.prepare_save

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def crashing_prepare(key):
    if step == "before_request":
        die()  # prepare_save runs right before the token request is sent
    persist = prepare(key)
    def crashing_persist(tokens):
        if step == "after_issue":
            die()  # X issued the new set; it was not written
        persist(tokens)
        die()  # after_save: written, never used
    return crashing_persist

store.prepare_save = crashing_prepare
control = SandboxControl(os.environ["SANDBOX_URL"])
TwitterHook("twitter_crash", token_store=store, clock=control.now, sleep=lambda s: None).get_me()
print("not killed", flush=True)
"""


@pytest.mark.parametrize("step", ["before_request", "after_issue", "after_save"])
def test_worker_killed_during_a_refresh(step, tokens_pg, sandbox, make_connection):
    x_connection(sandbox, make_connection, "twitter_crash", token_store=f"postgres:{tokens_pg}")
    sandbox.state.clock.advance(7300)
    env = dict(os.environ, SANDBOX_URL=sandbox.base_url, PYTHONPATH=os.getcwd())
    child = subprocess.run([sys.executable, "-c", CHILD, step, tokens_pg], env=env, capture_output=True, text=True,
                           timeout=240)
    assert child.returncode == -9, child.stdout + child.stderr[-2000:]
    issued = len([t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"])
    assert issued == (1 if step == "before_request" else 2)
    # The next worker: the lock is free at once (the killed connection released the row).
    clock = sandbox.state.clock
    hook = TwitterHook("twitter_crash", token_store=PostgresTokenStore(tokens_pg, sealer=Sealer(), lock_timeout=5),
                       clock=clock.now, sleep=clock.advance)
    if step == "after_issue":
        # The one unavoidable window: the spent token is refused; the task fails with the re-authorise command.
        with pytest.raises(ReauthorizationRequired, match="airflow social auth twitter --conn-id twitter_crash"):
            hook.get_me()
    else:
        assert hook.get_me()["id"]
        issued_after = len([t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"])
        assert issued_after == 2  # before_request: the next worker refreshed; after_save: it used the saved set
