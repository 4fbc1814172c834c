"""Control API: clock, faults (status and dropped connections), created log, reset, connections."""

from __future__ import annotations

import json
import shlex

import pytest
import requests

from airflow_provider_social.sandbox.connections import format_env_lines, sandbox_connections
from airflow_provider_social.sandbox.control import SandboxControlError


def test_health(sandbox):
    assert requests.get(f"{sandbox.base_url}/_control/health").json() == {"ok": True}


def test_clock_endpoints(sandbox):
    control = sandbox.control
    frozen = control.clock()
    assert frozen["frozen"] is True  # the fixture froze it
    assert control.advance(90)["now"] == pytest.approx(frozen["now"] + 90)
    assert control.freeze(1_700_000_000) == {"now": 1_700_000_000, "frozen": True}
    assert control.now() == 1_700_000_000
    running = control.unfreeze()
    assert running["frozen"] is False
    assert running["now"] == pytest.approx(1_700_000_000, abs=5)  # resumes from the frozen instant
    with pytest.raises(SandboxControlError) as info:
        control.advance("soon")  # type: ignore[arg-type]
    assert info.value.status == 400


def test_status_fault_with_retry_after_is_consumed(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    fault_id = sandbox.control.add_fault(
        service="yandex_disk",
        status=429,
        headers={"Retry-After": "7"},
        body={"error": "TooManyRequestsError"},
        times=2,
    )
    assert [f["id"] for f in sandbox.control.faults()] == [fault_id]
    for _ in range(2):
        response = yandex.disk(token)
        assert response.status_code == 429
        assert response.headers["retry-after"] == "7"
        assert response.json() == {"error": "TooManyRequestsError"}
    assert yandex.disk(token).status_code == 200
    assert sandbox.control.faults() == []


def test_fault_filters(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    sandbox.control.add_fault(service="yandex-oauth", status=503)  # prefix spelling works too
    sandbox.control.add_fault(service="*", method="POST", path_contains="/v1/disk", status=500, body="boom")
    assert yandex.disk(token).status_code == 200  # wrong service / method: untouched
    assert sandbox.control.health()  # the control API is never faulted
    response = requests.post(f"{yandex.base_url}/yandex-disk/v1/disk")
    assert (response.status_code, response.text) == (500, "boom")
    assert yandex.refresh("1:whatever").status_code == 503
    assert sandbox.control.faults() == []


def test_fault_management(sandbox):
    sandbox.control.add_fault(status=502, times=5)
    sandbox.control.clear_faults()
    assert sandbox.control.faults() == []
    for bad in ({"action": "explode"}, {"times": 0}, {"status": 99}, {"colour": "red"}):
        with pytest.raises(SandboxControlError) as info:
            sandbox.control.add_fault(**bad)
        assert info.value.status == 400


def test_drop_after_full_request_is_a_chunked_encoding_error(yandex, sandbox):
    sandbox.control.add_fault(service="yandex_disk", action="drop", drop_after_bytes=0)
    # Observed with uvicorn + requests: the head arrives, the declared body never does.
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        yandex.disk("anything")
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    assert yandex.disk(token).status_code == 200  # the server survives and the rule was consumed


def test_drop_mid_upload_is_a_connection_failure(sandbox):
    sandbox.control.add_fault(service="yandex_disk", method="PUT", action="drop", drop_after_bytes=64 * 1024)
    # The server hangs up after 64 KiB of a 8 MiB body. urllib3 swallows the broken pipe and reads the head, so
    # this is usually ChunkedEncodingError; a reset that beats the head shows as ConnectionError. Never success.
    with pytest.raises((requests.exceptions.ChunkedEncodingError, requests.exceptions.ConnectionError)):
        requests.put(f"{sandbox.base_url}/yandex-disk/v1/disk", data=b"x" * (8 * 1024 * 1024), timeout=10)
    assert sandbox.control.faults() == []


def test_created_log(sandbox):
    sandbox.state.record("yandex_disk", "upload", path="disk:/a.txt", size=3)
    sandbox.state.record("vk", "post", text="hi")
    events = sandbox.control.created("yandex_disk")
    assert len(events) == 1
    assert events[0]["kind"] == "upload"
    assert events[0]["data"] == {"path": "disk:/a.txt", "size": 3}
    assert events[0]["at"] == sandbox.control.now()  # stamped by the sandbox clock
    assert [e["service"] for e in sandbox.control.created()] == ["yandex_disk", "vk"]


def test_reset_forgets_everything(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    sandbox.control.add_fault(status=500)
    sandbox.state.record("x", "post")
    sandbox.control.set_auto_approve("yandex", False)
    sandbox.control.reset()
    assert sandbox.control.faults() == []
    assert sandbox.control.created() == []
    assert sandbox.control.clock()["frozen"] is False
    assert yandex.disk(token).status_code == 401
    assert "code" in yandex.authorize().headers["location"]  # auto-approve is back on


def test_control_errors(sandbox):
    with pytest.raises(SandboxControlError) as info:
        sandbox.control.mint_tokens("nowhere")
    assert info.value.status == 404
    with pytest.raises(SandboxControlError) as info:
        sandbox.control.expire_token("yandex", "y0_unknown")
    assert info.value.status == 404
    with pytest.raises(SandboxControlError) as info:
        sandbox.control.state("nowhere")
    assert info.value.status == 404


def test_connections_and_env_lines(yandex, sandbox):
    conns = sandbox_connections(sandbox.base_url, sandbox.control)
    conn = conns["yandex_disk_default"]
    assert conn["conn_type"] == "yandex_disk"
    assert conn["extra"]["api_base_url"] == f"{sandbox.base_url}/yandex-disk"
    assert conn["extra"]["oauth_base_url"] == f"{sandbox.base_url}/yandex-oauth"
    assert yandex.disk(conn["password"]).status_code == 200
    assert yandex.refresh(conn["extra"]["refresh_token"]).status_code == 200
    line = format_env_lines(conns).strip()
    name, _, value = line.partition("=")
    assert name == "AIRFLOW_CONN_YANDEX_DISK_DEFAULT"
    assert json.loads(shlex.split(value)[0]) == json.loads(json.dumps(conn))


def test_lose_answer_lets_the_service_act_then_drops_the_connection(sandbox):
    import pytest
    import requests

    sandbox.control.add_fault(service="yandex_oauth", method="POST", path_contains="/device/code",
                              action="lose_answer")
    with pytest.raises(requests.exceptions.RequestException):
        requests.post(f"{sandbox.base_url}/yandex-oauth/device/code", data={"client_id": "sandbox-client"},
                      timeout=10)
    # the service acted: the device authorisation exists although its answer never arrived
    assert len(sandbox.control.state("yandex")["device_authorizations"]) == 1
    assert sandbox.control.faults() == []


def test_requests_are_counted_per_service_until_reset(sandbox):
    control = sandbox.control
    control.reset()
    token = control.mint_tokens("yandex")["access_token"]
    for _ in range(3):
        requests.get(f"{sandbox.base_url}/yandex-disk/v1/disk", headers={"Authorization": f"OAuth {token}"})
    requests.get(f"{sandbox.base_url}/x-api/2/users/me")  # unauthorised: still a request X's API served
    requests.get(f"{sandbox.base_url}/no-such-service/x")  # no service: not counted
    assert control.requests() == {"total": 4, "by_service": {"yandex_disk": 3, "twitter": 1}}
    control.reset()
    assert control.requests() == {"total": 0, "by_service": {}}
