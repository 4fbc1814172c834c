"""Yandex ID authorization-code flow, refresh and revocation on the sandbox's OAuth server."""

from __future__ import annotations

import dataclasses

import requests
from sandbox_helpers import (
    CLIENT_ID,
    CLIENT_SECRET,
    PUBLIC_CLIENT_ID,
    REDIRECT_URI,
    assert_oauth_error,
    pkce_pair,
    query_of,
)


def test_code_flow_with_s256_issues_yandex_shaped_tokens(yandex):
    verifier, challenge = pkce_pair("S256")
    code = yandex.code(code_challenge=challenge, code_challenge_method="S256")
    response = yandex.exchange(code, code_verifier=verifier)
    assert response.status_code == 200, response.text
    assert response.headers["cache-control"] == "no-store"
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token"}  # Yandex sends no scope
    assert body["access_token"].startswith("y0_")
    assert body["refresh_token"].startswith("1:")
    assert body["token_type"] == "bearer"
    assert body["expires_in"] == 31536000
    assert yandex.disk(body["access_token"]).status_code == 200


def test_s256_wrong_or_missing_verifier_is_invalid_grant(yandex):
    _verifier, challenge = pkce_pair("S256")
    code = yandex.code(code_challenge=challenge, code_challenge_method="S256")
    assert_oauth_error(yandex.exchange(code, code_verifier=pkce_pair()[0]), "invalid_grant")
    code = yandex.code(code_challenge=challenge, code_challenge_method="S256")
    assert_oauth_error(yandex.exchange(code), "invalid_grant")


def test_plain_pkce_good_and_bad_verifier(yandex):
    verifier, challenge = pkce_pair("plain")
    code = yandex.code(code_challenge=challenge, code_challenge_method="plain")
    assert yandex.exchange(code, code_verifier=verifier).status_code == 200
    code = yandex.code(code_challenge=challenge)  # method defaults to plain (RFC 7636 §4.3)
    assert_oauth_error(yandex.exchange(code, code_verifier=verifier[::-1]), "invalid_grant")


def test_bad_challenge_method_is_redirected_as_error(yandex):
    query = query_of(yandex.authorize(code_challenge=pkce_pair()[1], code_challenge_method="S512"))
    assert query["error"] == "invalid_request"
    assert query["state"] == "st"
    assert "code" not in query


def test_verifier_without_challenge_is_rejected(yandex):
    assert_oauth_error(yandex.exchange(yandex.code(), code_verifier=pkce_pair()[0]), "invalid_grant")


def test_code_expires_on_the_sandbox_clock(yandex, sandbox):
    fresh = yandex.code()
    stale = yandex.code()
    sandbox.control.advance(599)
    assert yandex.exchange(fresh).status_code == 200
    sandbox.control.advance(2)
    body = assert_oauth_error(yandex.exchange(stale), "invalid_grant")
    assert body["error_description"] == "Code has expired"


def test_code_reuse_fails_and_revokes_what_it_issued(yandex):
    code = yandex.code()
    first = yandex.exchange(code).json()
    assert yandex.disk(first["access_token"]).status_code == 200
    assert_oauth_error(yandex.exchange(code), "invalid_grant")
    assert yandex.disk(first["access_token"]).status_code == 401
    assert_oauth_error(yandex.refresh(first["refresh_token"]), "invalid_grant")


def test_code_is_bound_to_its_client(yandex):
    code = yandex.code()
    response = yandex.token({"grant_type": "authorization_code", "code": code, "client_id": PUBLIC_CLIENT_ID})
    assert_oauth_error(response, "invalid_grant")


def test_basic_auth_is_accepted_and_wins_over_body_credentials(yandex):
    code = yandex.code()
    ok = yandex.token({"grant_type": "authorization_code", "code": code}, auth=(CLIENT_ID, CLIENT_SECRET))
    assert ok.status_code == 200, ok.text
    # Good body credentials do not rescue a wrong Basic header: the header is the only one looked at.
    code = yandex.code()
    data = {"grant_type": "authorization_code", "code": code, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    response = yandex.token(data, auth=(CLIENT_ID, "wrong"))
    assert_oauth_error(response, "invalid_client", 401)
    assert response.headers["www-authenticate"].startswith("Basic")
    # ... and the code was not burnt by the failed attempt.
    assert yandex.exchange(code).status_code == 200


def test_body_client_authentication_failures(yandex):
    code = yandex.code()
    assert_oauth_error(yandex.exchange(code, client_secret="wrong"), "invalid_client", 401)
    assert_oauth_error(yandex.exchange(code, client_secret=None), "invalid_client", 401)
    assert_oauth_error(yandex.exchange(code, client_id="nobody"), "invalid_client", 401)
    assert yandex.exchange(code).status_code == 200


def test_public_client_sends_only_client_id(yandex):
    verifier, challenge = pkce_pair()
    code = yandex.code(client_id=PUBLIC_CLIENT_ID, code_challenge=challenge, code_challenge_method="S256")
    data = {"grant_type": "authorization_code", "code": code, "client_id": PUBLIC_CLIENT_ID, "code_verifier": verifier}
    assert_oauth_error(yandex.token({**data, "client_secret": "anything"}), "invalid_client", 401)
    response = yandex.token(data)
    assert response.status_code == 200, response.text


def test_token_endpoint_is_strict_about_the_request(yandex):
    code = yandex.code()
    as_json = requests.post(f"{yandex.oauth}/token", json={"grant_type": "authorization_code", "code": code})
    assert_oauth_error(as_json, "invalid_request")
    assert_oauth_error(yandex.exchange(code, grant_type="password"), "unsupported_grant_type")
    repeated = requests.post(f"{yandex.oauth}/token", data=[("code", code), ("code", code)])
    assert_oauth_error(repeated, "invalid_request")


def test_redirect_uri_rules(yandex):
    unknown = yandex.authorize(redirect_uri="https://evil.example/cb")
    assert unknown.status_code == 400  # never redirected to an unregistered URI
    assert "location" not in unknown.headers
    assert yandex.authorize(client_id="nobody").status_code == 400
    loopback = "http://127.0.0.1:49152/oauth/done"  # any loopback port (RFC 8252)
    response = yandex.authorize(redirect_uri=loopback)
    assert response.headers["location"].startswith(loopback + "?")
    code = query_of(response)["code"]
    assert_oauth_error(yandex.exchange(code, redirect_uri=REDIRECT_URI), "invalid_grant")
    assert yandex.exchange(code, redirect_uri=loopback).status_code == 200


def test_consent_page_when_auto_approve_is_off(yandex, sandbox):
    sandbox.control.set_auto_approve("yandex", False)
    page = yandex.authorize()
    assert page.status_code == 200
    assert "<form" in page.text
    consent_id = page.text.split('name="consent_id" value="')[1].split('"')[0]
    approve = requests.post(
        f"{yandex.oauth}/authorize", data={"consent_id": consent_id, "decision": "approve"}, allow_redirects=False
    )
    assert yandex.exchange(query_of(approve)["code"]).status_code == 200
    page = yandex.authorize()
    consent_id = page.text.split('name="consent_id" value="')[1].split('"')[0]
    deny = requests.post(
        f"{yandex.oauth}/authorize", data={"consent_id": consent_id, "decision": "deny"}, allow_redirects=False
    )
    assert query_of(deny)["error"] == "access_denied"
    assert query_of(deny)["state"] == "st"
    # A per-request override skips the page.
    assert "code" in query_of(yandex.authorize(sandbox_auto_approve="1"))


def test_refresh_rotates_and_old_refresh_token_is_single_use(yandex):
    first = yandex.exchange(yandex.code()).json()
    second = yandex.refresh(first["refresh_token"])
    assert second.status_code == 200, second.text
    second = second.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["refresh_token"].startswith("1:")
    assert yandex.disk(second["access_token"]).status_code == 200
    # UNCONFIRMED at Yandex; the sandbox is strict: the used refresh token is dead.
    assert_oauth_error(yandex.refresh(first["refresh_token"]), "invalid_grant")
    # Family revocation is off for Yandex, so the rotated token still works.
    assert yandex.refresh(second["refresh_token"]).status_code == 200


def test_refresh_reuse_revokes_the_family_when_enabled(yandex, sandbox):
    server = sandbox.state.oauth["yandex"]
    server.config = dataclasses.replace(server.config, revoke_family_on_reuse=True)
    first = yandex.exchange(yandex.code()).json()
    second = yandex.refresh(first["refresh_token"]).json()
    third = yandex.refresh(second["refresh_token"]).json()
    other = yandex.exchange(yandex.code()).json()  # a separate grant is untouched
    assert_oauth_error(yandex.refresh(first["refresh_token"]), "invalid_grant")
    assert_oauth_error(yandex.refresh(third["refresh_token"]), "invalid_grant")
    assert yandex.disk(third["access_token"]).status_code == 401
    assert yandex.disk(other["access_token"]).status_code == 200


def test_expired_refresh_token_is_invalid_grant(yandex, sandbox):
    tokens = yandex.exchange(yandex.code()).json()
    sandbox.control.advance(31536000 + 1)
    assert_oauth_error(yandex.refresh(tokens["refresh_token"]), "invalid_grant")


def test_refresh_token_of_another_client_is_refused(yandex, sandbox):
    tokens = sandbox.control.mint_tokens("yandex", client_id=PUBLIC_CLIENT_ID)
    response = yandex.token(
        {"grant_type": "refresh_token", "refresh_token": tokens["refresh_token"], "client_id": CLIENT_ID},
        auth=(CLIENT_ID, CLIENT_SECRET),
    )
    assert_oauth_error(response, "invalid_grant")


def test_revoke_token_yandex_and_rfc7009_styles(yandex, sandbox):
    tokens = yandex.exchange(yandex.code()).json()
    response = requests.post(
        f"{yandex.oauth}/revoke_token",
        data={"access_token": tokens["access_token"], "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET},
    )
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    assert yandex.disk(tokens["access_token"]).status_code == 401
    assert_oauth_error(yandex.refresh(tokens["refresh_token"]), "invalid_grant")

    other = sandbox.control.mint_tokens("yandex")
    response = requests.post(
        f"{yandex.oauth}/revoke_token", data={"token": other["access_token"]}, auth=(CLIENT_ID, CLIENT_SECRET)
    )
    assert response.json() == {"status": "ok"}
    assert yandex.disk(other["access_token"]).status_code == 401


def test_revoke_requires_client_authentication(yandex, sandbox):
    tokens = sandbox.control.mint_tokens("yandex")
    response = requests.post(f"{yandex.oauth}/revoke_token", data={"access_token": tokens["access_token"]})
    assert_oauth_error(response, "invalid_client", 401)
    assert yandex.disk(tokens["access_token"]).status_code == 200
