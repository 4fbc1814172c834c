"""Yandex ID device flow: the device code travels in ``code`` and goes pending -> approved/denied/expired."""

from __future__ import annotations

import re

import pytest
import requests
from sandbox_helpers import CLIENT_ID, CLIENT_SECRET, assert_oauth_error


def start(yandex, **extra: str) -> dict:
    response = requests.post(f"{yandex.oauth}/device/code", data={"client_id": CLIENT_ID, **extra}, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def poll(yandex, device_code: str, param: str = "code", grant_type: str = "device_code") -> requests.Response:
    data = {"grant_type": grant_type, param: device_code, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    return yandex.token(data)


def test_device_code_response_shape(yandex):
    body = start(yandex, device_id="sandbox-device-01", device_name="CI runner")
    assert set(body) == {"device_code", "user_code", "verification_url", "interval", "expires_in"}
    assert re.fullmatch(r"[a-z]{8}", body["user_code"])
    assert body["interval"] == 5
    assert body["expires_in"] == 300
    assert body["verification_url"] == f"{yandex.base_url}/yandex-oauth/device"


@pytest.mark.parametrize(
    "extra",
    [{"device_id": "short"}, {"device_id": "x" * 51}, {"device_id": "bad\tid"}, {"device_name": "n" * 101}],
)
def test_device_code_parameter_limits(yandex, extra):
    response = requests.post(f"{yandex.oauth}/device/code", data={"client_id": CLIENT_ID, **extra})
    assert_oauth_error(response, "invalid_request")


def test_device_code_requires_known_client(yandex):
    assert_oauth_error(requests.post(f"{yandex.oauth}/device/code", data={}), "invalid_request")
    response = requests.post(f"{yandex.oauth}/device/code", data={"client_id": "nobody"})
    assert_oauth_error(response, "invalid_client", 401)


def test_pending_then_approved_then_spent(yandex, sandbox):
    flow = start(yandex)
    body = assert_oauth_error(poll(yandex, flow["device_code"]), "authorization_pending")
    assert body["error_description"] == "User has not yet authorized your application"
    sandbox.control.approve_device("yandex", flow["user_code"])
    sandbox.control.advance(flow["interval"])  # polls come no faster than the announced interval
    response = poll(yandex, flow["device_code"])
    assert response.status_code == 200, response.text
    assert yandex.disk(response.json()["access_token"]).status_code == 200
    assert_oauth_error(poll(yandex, flow["device_code"]), "invalid_grant")


def test_device_code_goes_in_the_code_field(yandex, sandbox):
    flow = start(yandex)
    sandbox.control.approve_device("yandex", flow["user_code"])
    assert_oauth_error(poll(yandex, flow["device_code"], param="device_code"), "invalid_request")
    assert poll(yandex, flow["device_code"]).status_code == 200


def test_rfc_grant_type_name_is_accepted(yandex, sandbox):
    flow = start(yandex)
    sandbox.control.approve_device("yandex", flow["user_code"])
    urn = "urn:ietf:params:oauth:grant-type:device_code"
    assert poll(yandex, flow["device_code"], grant_type=urn).status_code == 200


def test_denied(yandex, sandbox):
    flow = start(yandex)
    sandbox.control.approve_device("yandex", flow["user_code"], deny=True)
    assert_oauth_error(poll(yandex, flow["device_code"]), "access_denied")


def test_expired(yandex, sandbox):
    flow = start(yandex)
    sandbox.control.advance(301)
    # Yandex documents invalid_grant for "an invalid or expired confirmation code" (RFC 8628 would say
    # expired_token); the client accepts both.
    assert_oauth_error(poll(yandex, flow["device_code"]), "invalid_grant")
    with pytest.raises(Exception, match="409"):
        sandbox.control.approve_device("yandex", flow["user_code"])


def test_polling_needs_client_credentials(yandex, sandbox):
    flow = start(yandex)
    sandbox.control.approve_device("yandex", flow["user_code"])
    response = yandex.token({"grant_type": "device_code", "code": flow["device_code"], "client_id": CLIENT_ID})
    assert_oauth_error(response, "invalid_client", 401)


def test_approval_through_the_verification_page(yandex):
    flow = start(yandex)
    page = requests.get(flow["verification_url"])
    assert page.status_code == 200
    assert 'name="user_code"' in page.text
    bad = requests.post(flow["verification_url"], data={"user_code": "zzzzzzzz", "decision": "approve"})
    assert bad.status_code == 400
    done = requests.post(flow["verification_url"], data={"user_code": flow["user_code"], "decision": "approve"})
    assert done.status_code == 200
    assert poll(yandex, flow["device_code"]).status_code == 200


def test_an_unknown_or_mistyped_device_code_is_a_bad_verification_code(yandex):
    start(yandex)
    body = assert_oauth_error(poll(yandex, "0123456789abcdef0123456789abcdef"), "bad_verification_code")
    assert body["error_description"]


def test_polls_faster_than_the_interval_are_slowed_down_and_counted(yandex, sandbox):
    flow = start(yandex)
    assert_oauth_error(poll(yandex, flow["device_code"]), "authorization_pending")
    sandbox.control.advance(2)
    assert_oauth_error(poll(yandex, flow["device_code"]), "slow_down")
    # RFC 8628 section 3.5: the interval is now 5 s longer, so 5 s is too soon
    sandbox.control.advance(5)
    assert_oauth_error(poll(yandex, flow["device_code"]), "slow_down")
    sandbox.control.advance(15)
    assert_oauth_error(poll(yandex, flow["device_code"]), "authorization_pending")
    assert sandbox.control.state("yandex")["slow_down"] == 2


def test_a_wrong_code_on_the_verification_page_shows_the_form_again_with_the_message(yandex):
    flow = start(yandex)
    bad = requests.post(flow["verification_url"], data={"user_code": "zzzzzzzz", "decision": "approve"})
    assert bad.status_code == 400 and bad.headers["content-type"].startswith("text/html")
    assert 'name="user_code" value="zzzzzzzz"' in bad.text  # the form again, the code as typed
    assert 'role="alert"' in bad.text and "No such code" in bad.text
    done = requests.post(flow["verification_url"], data={"user_code": flow["user_code"], "decision": "approve"})
    assert done.status_code == 200
    again = requests.post(flow["verification_url"], data={"user_code": flow["user_code"], "decision": "approve"})
    assert 'name="user_code"' in again.text and "already approved" in again.text
