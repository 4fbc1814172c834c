"""VK ID (OAuth 2.1, PKCE, device_id, rotating refresh tokens) and the legacy Implicit Flow on the sandbox."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import parse_qs, urlsplit

import requests
from vk_helpers import Vk

APP = "51000001"
REDIRECT = "http://127.0.0.1:8765/callback"


def _pkce() -> tuple[str, str]:
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def _authorize(vk: Vk, **params: str) -> requests.Response:
    query = {"response_type": "code", "client_id": APP, "redirect_uri": REDIRECT, "state": "s" * 32,
             "scope": "vkid.personal_info wall"}
    query.update(params)
    return requests.get(f"{vk.base_url}/vk-id/authorize", params=query, allow_redirects=False, timeout=10)


def _redirect_query(response: requests.Response) -> dict[str, str]:
    assert response.status_code == 302, response.text
    return {k: v[0] for k, v in parse_qs(urlsplit(response.headers["location"]).query).items()}


def _token(vk: Vk, **data: str) -> requests.Response:
    return requests.post(f"{vk.base_url}/vk-id/oauth2/auth", data=data, timeout=10)


def _login(vk: Vk) -> tuple[dict, str]:
    verifier, challenge = _pkce()
    got = _redirect_query(_authorize(vk, code_challenge=challenge, code_challenge_method="s256"))
    answer = _token(vk, grant_type="authorization_code", code=got["code"], code_verifier=verifier, client_id=APP,
                    device_id=got["device_id"], redirect_uri=REDIRECT, state="s" * 32)
    assert answer.status_code == 200, answer.text
    return answer.json(), got["device_id"]


def test_authorize_redirect_carries_code_state_device_id(vk: Vk) -> None:
    _, challenge = _pkce()
    got = _redirect_query(_authorize(vk, code_challenge=challenge, code_challenge_method="S256"))
    assert set(got) == {"code", "state", "device_id", "expires_in", "type"} and got["state"] == "s" * 32
    missing_pkce = _redirect_query(_authorize(vk))
    assert missing_pkce["error"] == "invalid_request"
    plain = _redirect_query(_authorize(vk, code_challenge=challenge, code_challenge_method="plain"))
    assert plain["error"] == "invalid_request"


def test_code_exchange_gives_one_hour_token_usable_on_the_api(vk: Vk, sandbox) -> None:
    tokens, _ = _login(vk)
    assert tokens["expires_in"] == 3600 and tokens["user_id"] == 1 and tokens["state"] == "s" * 32
    assert {"access_token", "refresh_token", "id_token", "token_type", "scope"} <= set(tokens)
    assert vk.ok("users.get", tokens["access_token"])[0]["id"] == 1
    sandbox.control.advance(3601)
    assert vk.raw("users.get", tokens["access_token"])["error"]["error_msg"] == (
        "User authorization failed: access_token has expired.")


def test_code_is_single_use_and_bound_to_pkce_and_device(vk: Vk) -> None:
    verifier, challenge = _pkce()
    got = _redirect_query(_authorize(vk, code_challenge=challenge, code_challenge_method="s256"))
    base = {"grant_type": "authorization_code", "code": got["code"], "client_id": APP, "redirect_uri": REDIRECT,
            "state": "s" * 32}
    wrong_device = _token(vk, **base, code_verifier=verifier, device_id="another-device")
    assert wrong_device.status_code == 400 and wrong_device.json()["error"] == "invalid_grant"
    assert wrong_device.json()["state"] == "s" * 32
    wrong_verifier = _token(vk, **base, code_verifier=_pkce()[0], device_id=got["device_id"])
    assert wrong_verifier.json()["error"] == "invalid_grant"
    no_device = _token(vk, **base, code_verifier=verifier)
    assert no_device.json()["error"] == "invalid_request"
    assert _token(vk, **base, code_verifier=verifier, device_id=got["device_id"]).status_code == 200
    again = _token(vk, **base, code_verifier=verifier, device_id=got["device_id"])
    assert again.json()["error"] == "invalid_grant"


def test_refresh_rotates_and_refuses_reuse_and_other_devices(vk: Vk) -> None:
    tokens, device = _login(vk)
    base = {"grant_type": "refresh_token", "client_id": APP, "state": "t" * 32}
    other = _token(vk, **base, refresh_token=tokens["refresh_token"], device_id="other")
    assert other.json()["error"] == "invalid_grant"
    fresh = _token(vk, **base, refresh_token=tokens["refresh_token"], device_id=device)
    assert fresh.status_code == 200 and fresh.json()["refresh_token"] != tokens["refresh_token"]
    reuse = _token(vk, **base, refresh_token=tokens["refresh_token"], device_id=device)
    assert reuse.json()["error"] == "invalid_grant"
    assert vk.ok("users.get", fresh.json()["access_token"])[0]["id"] == 1


def test_minted_tokens_carry_a_device_id_for_refreshing(vk: Vk) -> None:
    minted = vk.control.mint_tokens("vk_id")
    assert minted["device_id"] and minted["user_id"] == 1
    assert vk.ok("wall.post", minted["access_token"], owner_id=-1000001, message="x")["post_id"]
    fresh = _token(vk, grant_type="refresh_token", client_id=APP, state="u" * 32,
                   refresh_token=minted["refresh_token"], device_id=minted["device_id"])
    assert fresh.status_code == 200, fresh.text


def test_user_info_and_logout(vk: Vk) -> None:
    tokens, _ = _login(vk)
    url = f"{vk.base_url}/vk-id/oauth2"
    info = requests.post(f"{url}/user_info", data={"client_id": APP, "access_token": tokens["access_token"]},
                         timeout=10)
    assert info.json()["user"]["user_id"] == "1"
    out = requests.post(f"{url}/logout", data={"client_id": APP, "access_token": tokens["access_token"]}, timeout=10)
    assert out.json() == {"response": 1}
    assert vk.raw("users.get", tokens["access_token"])["error"]["error_code"] == 5
    again = requests.post(f"{url}/user_info", data={"client_id": APP, "access_token": tokens["access_token"]},
                          timeout=10)
    assert again.status_code == 401 and again.json()["error"] == "invalid_token"


def _legacy(vk: Vk, **params: str) -> requests.Response:
    query = {"client_id": APP, "redirect_uri": "https://oauth.vk.ru/blank.html", "display": "page",
             "scope": "offline,wall,groups,photos,stats,stories,video,docs,market,ads", "response_type": "token",
             "v": "5.199", "state": "abc"}
    query.update(params)
    return requests.get(f"{vk.base_url}/vk-oauth/authorize", params=query, allow_redirects=False, timeout=10)


def test_legacy_implicit_flow_with_offline_scope(vk: Vk) -> None:
    response = _legacy(vk)
    assert response.status_code == 302
    location = response.headers["location"]
    assert location.startswith(f"{vk.base_url}/vk-oauth/blank.html#")
    fragment = {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}
    assert (fragment["expires_in"], fragment["user_id"], fragment["state"]) == ("0", "1", "abc")
    assert vk.ok("wall.post", fragment["access_token"], owner_id=-1000001, message="x")["post_id"]
    assert requests.get(location.split("#")[0], timeout=10).status_code == 200


def test_legacy_flow_without_offline_expires_and_limits_scope(vk: Vk, sandbox) -> None:
    location = _legacy(vk, scope=str(4 + 8192)).headers["location"]  # photos + wall bitmask
    fragment = {k: v[0] for k, v in parse_qs(urlsplit(location).fragment).items()}
    assert fragment["expires_in"] == "3600"
    assert vk.err("docs.getUploadServer", fragment["access_token"])["error_code"] == 15
    sandbox.control.advance(3601)
    assert vk.raw("users.get", fragment["access_token"])["error"]["error_code"] == 5


def test_legacy_flow_refusals_and_consent(vk: Vk) -> None:
    assert _legacy(vk, client_id="1").json()["error"] == "invalid_client"
    assert _legacy(vk, redirect_uri="https://evil.example/cb").json()["error"] == "invalid_request"
    assert _legacy(vk, response_type="code").json()["error"] == "unsupported_response_type"
    vk.control.vk_configure(legacy_auto_approve=False)
    page = _legacy(vk)
    assert page.status_code == 200 and "Allow" in page.text
    denied = requests.post(f"{vk.base_url}/vk-oauth/authorize", allow_redirects=False, timeout=10, data={
        "client_id": APP, "redirect_uri": "https://oauth.vk.ru/blank.html", "response_type": "token",
        "state": "abc", "decision": "deny"})
    assert "error=access_denied" in denied.headers["location"]


def test_sandbox_connection_for_vk(vk: Vk, sandbox) -> None:
    from airflow_provider_social.sandbox.connections import sandbox_connections

    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]
    extra = conn["extra"]
    assert conn["conn_type"] == "vk" and extra["api_version"] == "5.199" and extra["group_id"] == 1000001
    assert extra["api_base_url"] == f"{sandbox.base_url}/vk-api" and extra["app_id"] == APP
    assert vk.ok("wall.post", extra["access_token"], owner_id=-1000001, message="x")["post_id"]
    assert vk.ok("messages.send", extra["community_token"], peer_id=1, random_id=9, message="x")
    fresh = _token(vk, grant_type="refresh_token", client_id=APP, client_secret=extra["client_secret"],
                   state="v" * 32, refresh_token=extra["refresh_token"], device_id=extra["device_id"])
    assert fresh.status_code == 200, fresh.text
    bad_secret = _token(vk, grant_type="refresh_token", client_id=APP, client_secret="wrong", state="v" * 32,
                        refresh_token=fresh.json()["refresh_token"], device_id=extra["device_id"])
    assert bad_secret.json()["error"] == "invalid_client"
