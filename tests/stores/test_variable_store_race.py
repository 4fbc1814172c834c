"""The Variable store across two hosts: the race it cannot close, forced deterministically (the documented limit,
docs/tokens.md, Limits).

Two worker processes ("hosts": each its own lock directory, so the host ``flock`` cannot serialise them) share one
connection and one Airflow metadata database (the Variable store's, written through the ORM outside a task). Each
stops right before its token request, after reading the stored set under its own lock (``tests.stores.worker`` in
``pause``): both hold the same single-use refresh token. Then the first is let go (it refreshes and saves, or is
killed after the server issued its new set and before the write), and only then the second, which spends the same
token and gets ``invalid_grant``. No timing luck: the order is forced through the workers' stdin.
"""

from __future__ import annotations

import subprocess

import pytest

from tests.hooks.twitter_helpers import x_connection
from tests.stores.conftest import read_variable, refresh_tokens, run_worker, worker_result

# Host processes racing through Airflow's metadata database.
pytestmark = pytest.mark.slow

CONN = "shared_rotating"


def start_host(sandbox, service: str, home, tmp_path, name: str) -> subprocess.Popen:
    env = dict(home.env, SOCIAL_TOKEN_LOCK_DIR=str(tmp_path / name / "locks"))
    proc = run_worker(sandbox, service, CONN, "variable", "pause", env=env, stdin=subprocess.PIPE)
    return proc


def wait_prepared(proc: subprocess.Popen) -> None:
    """Until the worker holds its lock, has read the stored set and is about to send the token request."""
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.strip() == "PREPARED":
            return
    raise AssertionError(f"the worker ended before its token request: {proc.wait()} {proc.stderr.read()[-3000:]}")


def release(proc: subprocess.Popen, order: str) -> str:
    assert proc.stdin is not None
    proc.stdin.write(order + "\n")
    proc.stdin.flush()
    return worker_result(proc)


@pytest.mark.parametrize(
    ("service", "winner"),
    [("yandex", "saves"), ("twitter", "saves"), ("twitter", "dies before saving")],
)
def test_two_hosts_spend_one_refresh_token_through_the_variable_store(
    service, winner, sandbox, make_connection, yandex_sandbox_connection, airflow_home, tmp_path
):
    """The documented limit: the Variable store has no compare-and-set and its lock is per host, so two hosts can
    both read the same single-use refresh token and both spend it; the loser gets ``invalid_grant`` and re-reads.

    * the winner saved, Yandex (a replayed refresh token is refused, nothing else): the loser's re-read adopts the
      winner's set; nothing is lost.
    * the winner saved, X (a replayed refresh token revokes the whole grant, the sandbox's strict reading): the
      loser's replay kills the set the winner saved; the loser fails with ``ReauthorizationRequired`` and the grant
      is gone for every worker. Asserted as the failure it is.
    * the winner died between X's answer and its write: the new set was never stored, the old one is spent; the
      loser fails with ``ReauthorizationRequired`` naming the re-authorise command.

    Use the PostgreSQL or Redis store for several hosts (``test_multihost_stress.py``: no loss there).
    """
    if service == "yandex":
        _, minted = yandex_sandbox_connection(CONN)
        oauth = "yandex"
        sandbox.control.expire_token("yandex", minted["access_token"])  # both hosts get 401 and refresh
    else:
        x_connection(sandbox, make_connection, CONN)
        oauth = "twitter"
        sandbox.state.clock.advance(7300)  # both hosts see the access token expired and refresh
    first = start_host(sandbox, service, airflow_home, tmp_path, "host-a")
    second = start_host(sandbox, service, airflow_home, tmp_path, "host-b")
    try:
        wait_prepared(first)
        wait_prepared(second)  # both have read the Connection's refresh token, both are about to spend it
        first_outcome = release(first, "go" if winner == "saves" else "die")
        second_outcome = release(second, "go")
    finally:
        for proc in (first, second):
            if proc.poll() is None:
                proc.kill()
    issued = refresh_tokens(sandbox, oauth)
    stored = read_variable(airflow_home, f"social_token_{CONN}")[2]
    assert len(issued) == 2  # the Connection's token, then the one refresh that succeeded (the winner's)
    if winner == "saves":
        assert first_outcome == "ok"
        assert stored is not None and stored["refresh_token"] == issued[1][0]  # the winner's set
    else:
        assert first_outcome == "killed" and stored is None  # the new set never reached the Variable
    if service == "yandex":
        # The re-read closes the race here: the loser adopted the winner's set; the grant lives on.
        assert second_outcome == "ok"
        assert issued[1][1]
        return
    # The failure the limit is about: the task fails with the command that re-authorises, and no token is left.
    assert second_outcome.startswith("ReauthorizationRequired"), second_outcome
    assert f"airflow social auth twitter --conn-id {CONN}" in second_outcome
    assert not any(alive for _, alive in issued)
