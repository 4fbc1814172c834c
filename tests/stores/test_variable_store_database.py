"""The default Variable store outside a task, in a process with a configured Airflow (the CLI, a maintenance script):
it writes the refreshed set through the metadata database, Fernet-encrypted, and the next process reads it there.
Against the sandbox's X, whose refresh tokens are single-use (a replayed one kills the grant)."""

from __future__ import annotations

import pytest

from tests.hooks.twitter_helpers import x_connection
from tests.stores.conftest import read_variable, refresh_tokens, run_worker, worker_result

# Worker processes against Airflow's metadata database.
pytestmark = pytest.mark.slow


def test_refresh_outside_a_task_writes_the_variable_through_the_metadata_database(
    sandbox, make_connection, airflow_home
):
    conn_id = x_connection(sandbox, make_connection, "twitter_dbpath")
    sandbox.state.clock.advance(7300)  # the Connection's access token has expired: the first call refreshes
    assert worker_result(run_worker(sandbox, "twitter", conn_id, "variable", env=airflow_home.env)) == "ok"
    issued = refresh_tokens(sandbox)
    assert len(issued) == 2 and issued[0][1] is False and issued[1][1] is True  # one refresh, the old token spent
    newest = issued[1][0]
    raw, encrypted, stored = read_variable(airflow_home, f"social_token_{conn_id}")
    # The new set landed in the Variable, encrypted with this Airflow's Fernet key (no token in the clear) ...
    assert stored is not None and stored["refresh_token"] == newest
    assert encrypted and newest not in raw and stored["access_token"] not in raw
    # ... and the next process starts from it: the Connection's refresh token is spent (replaying it would revoke
    # the grant), so only a read of the Variable lets this call succeed without a second refresh.
    assert worker_result(run_worker(sandbox, "twitter", conn_id, "variable", env=airflow_home.env)) == "ok"
    assert refresh_tokens(sandbox) == issued
    # A later expiry: the next process refreshes from the Variable's token and writes its successor there.
    sandbox.state.clock.advance(7300)
    assert worker_result(run_worker(sandbox, "twitter", conn_id, "variable", env=airflow_home.env)) == "ok"
    issued = refresh_tokens(sandbox)
    assert [alive for _, alive in issued] == [False, False, True]
    assert read_variable(airflow_home, f"social_token_{conn_id}")[2]["refresh_token"] == issued[2][0]
