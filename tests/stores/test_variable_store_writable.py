"""The default Variable store in a plain Python process (a script, a notebook): found unwritable before the
refresh, so the single-use refresh token is not spent and lost. Against the sandbox's X, which revokes a grant
whose refresh token is replayed."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from tests.hooks.twitter_helpers import x_connection

# A plain script process against Airflow's metadata database.
pytestmark = pytest.mark.slow

SCRIPT = """
import os
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.sandbox.control import SandboxControl

control = SandboxControl(os.environ["SANDBOX_URL"])
try:
    TwitterHook("twitter_script", clock=control.now, sleep=lambda s: None).get_me()
    print("RESULT ok")
except Exception as exc:
    print("RESULT", type(exc).__name__, str(exc).replace(chr(10), " "))
"""


def test_plain_script_with_the_variable_store_refuses_before_refreshing(sandbox, make_connection, tmp_path):
    conn_id = x_connection(sandbox, make_connection, "twitter_script")
    sandbox.state.clock.advance(7300)  # the access token has expired: the next call must refresh
    home = tmp_path / "airflow-home"  # a configured Airflow whose metadata database was never created
    home.mkdir()
    env = dict(os.environ, SANDBOX_URL=sandbox.base_url, AIRFLOW_HOME=str(home), PYTHONPATH=os.getcwd())
    env.pop("AIRFLOW__DATABASE__SQL_ALCHEMY_CONN", None)
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=240)
    result = [line for line in done.stdout.splitlines() if line.startswith("RESULT")]
    assert len(result) == 1, done.stdout[-2000:] + done.stderr[-2000:]
    assert result[0].startswith("RESULT TokenStoreError"), result[0]
    message = result[0]
    assert "not refreshing the token of connection 'twitter_script'" in message
    assert "'file:<directory>' (one host), 'postgres:<connection id>' or 'redis:<connection id>'" in message
    # No refresh reached X ...
    refreshes = [t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"]
    assert len(refreshes) == 1
    # ... and the Connection's refresh token still works: nothing was lost, nothing needs re-authorising.
    hook = TwitterHook(conn_id, token_store=MemoryTokenStore(), clock=sandbox.state.clock.now, sleep=lambda s: None)
    assert hook.get_me()["id"]
