"""The callback's spent code and state never reach the API server's access log: uvicorn's ``uvicorn.access``
records (a real uvicorn serving a real request, formatted by uvicorn's own AccessFormatter) and Airflow's own
``request finished`` event (its HttpAccessLogMiddleware through structlog). The real API server's log is checked
by tests/integration/test_make_ui.py."""

from __future__ import annotations

import io
import logging
import socket
import threading
import time

import pytest
import requests
import structlog
import uvicorn
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from airflow_provider_social.plugins import access_log

SPENT_CODE = "spent-code-4f9a1c"
STATE = "state-77d2e0b1"
CALLBACK = f"/social-auth/callback?code={SPENT_CODE}&state={STATE}&device_id=dev-1234&error=access_denied"


def _ok(request):
    return PlainTextResponse("ok")


APP = Starlette(routes=[Route("/social-auth/callback", _ok), Route("/api/v2/other", _ok)])


@pytest.fixture
def uvicorn_access_log():
    """A real uvicorn on loopback with its access log on, formatted by uvicorn's AccessFormatter into a buffer."""
    access_log.install()
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(uvicorn.logging.AccessFormatter('%(client_addr)s - "%(request_line)s" %(status_code)s',
                                                         use_colors=False))
    logger = logging.getLogger("uvicorn.access")
    logger.addHandler(handler)
    level = logger.level
    logger.setLevel(logging.INFO)
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(APP, log_config=None, access_log=True, lifespan="off"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started and time.monotonic() < deadline:  # polls a real server thread starting
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", out
    finally:
        server.should_exit = True
        thread.join(10)
        logger.removeHandler(handler)
        logger.setLevel(level)
        sock.close()


def test_uvicorn_access_record_keeps_the_path_and_hides_code_state_and_device_id(uvicorn_access_log):
    base, out = uvicorn_access_log
    assert requests.get(base + CALLBACK, timeout=10).status_code == 200
    assert requests.get(base + "/api/v2/other?code=not-ours", timeout=10).status_code == 200
    lines = out.getvalue().splitlines()
    assert any('"GET /social-auth/callback?code=***&state=***&device_id=***&error=access_denied HTTP/1.1" 200'
               in line for line in lines), lines
    for secret in (SPENT_CODE, STATE, "dev-1234"):
        assert secret not in out.getvalue()
    assert any("/api/v2/other?code=not-ours" in line for line in lines)  # other routes are not the plugin's business


def test_filter_rewrites_the_args_tuple_uvicorn_builds():
    record = logging.LogRecord("uvicorn.access", logging.INFO, __file__, 1, '%s - "%s %s HTTP/%s" %d',
                               ("127.0.0.1:5000", "GET", "/airflow" + CALLBACK, "1.1", 200), None)
    assert access_log.AccessLogFilter().filter(record) is True
    assert record.args == ("127.0.0.1:5000", "GET",
                           "/airflow/social-auth/callback?code=***&state=***&device_id=***&error=access_denied",
                           "1.1", 200)
    assert SPENT_CODE not in record.getMessage()


@pytest.fixture
def structlog_capture():
    previous = structlog.get_config()
    capture = structlog.testing.LogCapture()
    structlog.configure(processors=[capture], cache_logger_on_first_use=False)
    try:
        yield capture
    finally:
        structlog.configure(**previous)


def test_airflow_access_event_keeps_the_path_and_hides_code_and_state(structlog_capture):
    from airflow.api_fastapi.common.http_access_log import HttpAccessLogMiddleware
    from starlette.testclient import TestClient

    access_log.install()
    access_log.install()  # idempotent
    assert structlog.get_config()["processors"].count(access_log.structlog_processor) == 1
    client = TestClient(HttpAccessLogMiddleware(APP))
    assert client.get(CALLBACK).status_code == 200
    assert client.get("/api/v2/other?code=not-ours").status_code == 200
    events = {e["path"]: e for e in structlog_capture.entries if e.get("event") == "request finished"}
    assert events["/social-auth/callback"]["query"] == "code=***&state=***&device_id=***&error=access_denied"
    assert events["/api/v2/other"]["query"] == "code=not-ours"


def test_redact_query_edge_cases():
    assert access_log.redact_query("") == ""
    assert access_log.redact_query("a-bare-secret&code=1") == "***&code=***"
    assert access_log.redact_query("state=a%26b&error_description=User+denied&code=") == \
        "state=***&error_description=User+denied&code=***"
    assert access_log.redact_target("/social-auth/?code=1") == "/social-auth/?code=***"
    assert access_log.redact_target("/social-authx/callback?code=1") == "/social-authx/callback?code=1"
