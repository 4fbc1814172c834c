"""Shared test setup: an isolated AIRFLOW_HOME and helpers to declare connections without a database."""

from __future__ import annotations

import json
import os
import tempfile

# Airflow reads its configuration at import time: isolate it before anything imports airflow.
_HOME = tempfile.mkdtemp(prefix="social-airflow-home-")
os.environ.setdefault("AIRFLOW_HOME", _HOME)
os.environ.setdefault("AIRFLOW__CORE__LOAD_EXAMPLES", "False")
os.environ.setdefault("SOCIAL_TOKEN_LOCK_DIR", os.path.join(_HOME, "locks"))

import pytest  # noqa: E402


@pytest.fixture(autouse=True)
def _no_event_loop_left_running(request):
    """Outside the browser tests, no asyncio loop may be running in the test thread when a test starts: a
    session-wide Playwright (sync API) once left one, and every later ``asyncio.run`` in the suite failed."""
    import asyncio

    if "tests/browser/" not in str(request.node.path).replace(os.sep, "/"):
        assert asyncio._get_running_loop() is None, "an asyncio loop is left running by an earlier fixture"
    yield


@pytest.fixture
def make_connection(monkeypatch):
    """Declare an Airflow connection through an AIRFLOW_CONN_* variable (no metadata DB needed)."""

    def make(conn_id: str, conn_type: str, *, password: str | None = None, login: str | None = None, **extra):
        body = {"conn_type": conn_type, "extra": {k: v for k, v in extra.items() if v is not None}}
        if password is not None:
            body["password"] = password
        if login is not None:
            body["login"] = login
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(body))
        return conn_id

    return make


class FakeSleep:
    """Records requested waits instead of sleeping on the real clock; optionally advances a fake clock."""

    def __init__(self, clock: FakeClock | None = None) -> None:
        self.calls: list[float] = []
        self.clock = clock

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        if self.clock is not None:
            self.clock.now += seconds


class FakeClock:
    def __init__(self, now: float = 1_800_000_000.0) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def fake_clock():
    return FakeClock()


@pytest.fixture
def fake_sleep(fake_clock):
    return FakeSleep(fake_clock)


@pytest.fixture
def yandex_sandbox_connection(sandbox, make_connection):
    """Declare a yandex_disk connection to the sandbox with freshly minted tokens; returns (conn_id, tokens)."""

    def make(conn_id: str, **extra):
        tokens = sandbox.control.mint_tokens("yandex")
        settings = {
            "refresh_token": tokens["refresh_token"],
            "client_id": "sandbox-client",
            "client_secret": "sandbox-secret",
            "api_base_url": f"{sandbox.base_url}/yandex-disk",
            "oauth_base_url": f"{sandbox.base_url}/yandex-oauth",
            "max_retry_wait": 5,
            **extra,
        }
        return make_connection(conn_id, "yandex_disk", password=tokens["access_token"], **settings), tokens

    return make


@pytest.fixture
def scripted():
    """A loopback HTTP server that answers what each test scripts (``tests/core/scripted_server.py``)."""
    from tests.core.scripted_server import ScriptedServer

    server = ScriptedServer()
    yield server
    server.close()
