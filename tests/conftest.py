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

from tests import tiers  # noqa: E402

_REFUSED = pytest.StashKey[list]()


def pytest_configure(config):
    tiers.install()


@pytest.hookimpl(tryfirst=True)  # before `-m` deselects: the markers it adds must be there to select on
def pytest_collection_modifyitems(items):
    tiers.mark_slow_by_fixture(items)


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Setup, call and teardown of a test outside the slow tiers run with process starts refused (tests/tiers.py)."""
    if tiers.may_start_processes(item):
        yield
        return
    with tiers.fast_test(item.nodeid) as refused:
        item.stash[_REFUSED] = refused
        yield


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A refused process fails the test even when some code caught the error and carried on."""
    outcome = yield
    report = outcome.get_result()
    refused = item.stash.get(_REFUSED, None)
    if refused and report.when == "call" and report.passed:
        report.outcome = "failed"
        report.longrepr = (f"{item.nodeid} started processes outside the slow tiers: {'; '.join(refused)}. "
                           "Mark it @pytest.mark.slow.")


@pytest.fixture(autouse=True)
def _no_event_loop_left_running(request):
    """Outside the browser tests, no asyncio loop may be running in the test thread when a test starts: a
    session-wide Playwright (sync API) once left one, and every later ``asyncio.run`` in the suite failed."""
    import asyncio

    if "tests/browser/" not in str(request.node.path).replace(os.sep, "/"):
        assert asyncio._get_running_loop() is None, "an asyncio loop is left running by an earlier fixture"
    yield


@pytest.fixture(autouse=True)
def _rate_holds_forgotten_after_each_test():
    """A held operation (VK's error 29, a spent X window) is remembered by the process until its reset, keyed by
    the connection id, and many tests use the same ids on sandboxes with their own clocks: each test starts with
    none remembered, as a new process would."""
    yield
    import sys

    ratelimit = sys.modules.get("airflow_provider_social.core.ratelimit")
    if ratelimit is not None:
        ratelimit.rate_limiters.clear()


@pytest.fixture(autouse=True)
def _secret_registries_emptied_after_each_test():
    """Every test registers fresh secrets (the sandbox mints new tokens and links). Airflow's masker recompiles one
    pattern of all it holds for each new secret, so over a whole session each registration grew costlier and tests
    late in the run took 10-100 times longer than alone. Each test starts from empty registries instead."""
    yield
    import sys

    from airflow_provider_social.core.masking import forget_secrets

    forget_secrets()
    for name in ("airflow.sdk._shared.secrets_masker", "airflow._shared.secrets_masker"):
        module = sys.modules.get(name)
        if module is not None:
            module.reset_secrets_masker()


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


@pytest.fixture(scope="session")
def moto_server():
    """One S3-compatible server (moto_server, its own process) for the whole session: every test directory shares
    it, so Airflow's object storage, which keeps the first store attached per connection id, never points at a
    second one."""
    from tests.sources.servers import MotoServer

    server = MotoServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def s3_store(moto_server):
    """``s3://moto_s3@media/...``: s3fs against the moto server, attached to Airflow's object storage under the
    connection id ``moto_s3`` (the amazon provider would build the same filesystem from an ``aws`` connection)."""
    import boto3
    import s3fs
    from airflow.sdk.io import store as airflow_store

    from tests.sources.servers import BUCKET, S3_CONN_ID

    options = {"endpoint_url": moto_server.url, "region_name": "us-east-1"}
    boto3.client("s3", aws_access_key_id="testing", aws_secret_access_key="testing", **options
                 ).create_bucket(Bucket=BUCKET)
    fs = s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs=options, skip_instance_cache=True)
    airflow_store._STORE_CACHE.pop(f"s3-{S3_CONN_ID}", None)  # attach() keeps an earlier store for this id
    airflow_store.attach("s3", conn_id=S3_CONN_ID, fs=fs)
    return fs
