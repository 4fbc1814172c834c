"""Every route of the plugin requires an Airflow user allowed to edit connections; the state is single-use,
expires, and belongs to the user who started the authorisation."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest

from tests.plugins.conftest import stored

ROUTES = [("get", "/social-auth/"), ("get", "/social-auth/health"), ("get", "/social-auth/callback?state=x&code=y"),
          ("post", "/social-auth/connections/x_ui/authorize"), ("post", "/social-auth/connections/x_ui/check"),
          ("post", "/social-auth/device/poll")]


@pytest.fixture
def x_conn(db_connection, sandbox):
    return db_connection("x_ui", "twitter", client_id="sandbox-client", client_secret="sandbox-secret",
                         api_base_url=f"{sandbox.base_url}/x-api",
                         authorize_url=f"{sandbox.base_url}/x/i/oauth2/authorize")


@pytest.mark.parametrize("method,path", ROUTES)
def test_anonymous_is_refused_everywhere(plugin, x_conn, method, path):
    response = getattr(plugin(None), method)(path)
    assert response.status_code == 401


@pytest.mark.parametrize("method,path", ROUTES)
def test_user_who_cannot_edit_connections_is_refused_everywhere(plugin, x_conn, method, path):
    response = getattr(plugin("vera"), method)(path)
    assert response.status_code == 403


def test_a_forged_token_is_refused(plugin, x_conn):
    client = plugin(None)
    client.cookies.set("_token", "not-a-jwt")
    assert client.get("/social-auth/").status_code == 403


def _start(client):
    response = client.post("/social-auth/connections/x_ui/authorize")
    assert response.status_code == 303, response.text
    return response.headers["location"]


def test_authorize_redirects_with_pkce_s256_and_a_random_state(plugin, x_conn, sandbox):
    first, second = _start(plugin()), _start(plugin())
    query = parse_qs(urlsplit(first).query)
    assert first.startswith(f"{sandbox.base_url}/x/i/oauth2/authorize?")
    assert query["code_challenge_method"] == ["S256"] and len(query["code_challenge"][0]) == 43
    assert query["redirect_uri"] == ["http://127.0.0.1:8080/social-auth/callback"]
    assert len(query["state"][0]) >= 32 and query["state"] != parse_qs(urlsplit(second).query)["state"]
    assert "sandbox-secret" not in first and "code_verifier" not in first


def test_callback_refuses_another_users_state_without_spending_it(plugin, x_conn):
    state = parse_qs(urlsplit(_start(plugin("alice"))).query)["state"][0]
    refused = plugin("bob").get(f"/social-auth/callback?state={state}&code=whatever")
    assert refused.status_code == 400 and "another Airflow user" in refused.text
    # Still pending for alice: her (wrong) code reaches the exchange instead of an unknown-state refusal.
    alice = plugin("alice")
    answered = alice.get(f"/social-auth/callback?state={state}&code=wrong-code")
    assert answered.status_code == 303  # to the (reloadable) result page
    mine = alice.get(answered.headers["location"])
    assert mine.status_code == 400 and "code exchange failed" in mine.text


def test_callback_refuses_an_expired_state(plugin, x_conn, clock):
    state = parse_qs(urlsplit(_start(plugin())).query)["state"][0]
    clock.now += 601
    response = plugin().get(f"/social-auth/callback?state={state}&code=c")
    assert response.status_code == 400 and "expired" in response.text


def test_callback_refuses_an_unknown_or_replayed_state(plugin, x_conn):
    state = parse_qs(urlsplit(_start(plugin())).query)["state"][0]
    assert plugin().get("/social-auth/callback?state=made-up&code=c").status_code == 400
    plugin().get(f"/social-auth/callback?state={state}&code=wrong")  # spends it
    again = plugin().get(f"/social-auth/callback?state={state}&code=wrong")
    assert again.status_code == 400 and "unknown or was already used" in again.text


def test_pending_file_holds_no_plain_state(plugin, x_conn, tmp_path):
    state = parse_qs(urlsplit(_start(plugin())).query)["state"][0]
    files = list((tmp_path / "state").glob("*.json"))
    assert files and all(state not in f.name and oct(f.stat().st_mode)[-3:] == "600" for f in files)


def test_connection_page_lists_only_social_connections_and_no_secret(plugin, x_conn, db_connection):
    db_connection("pg_other", "postgres", password="pg-secret")
    page = plugin().get("/social-auth/").text
    assert "x_ui" in page and "pg_other" not in page
    assert "sandbox-secret" not in page and "pg-secret" not in page
    assert 'value="http://127.0.0.1:8080/social-auth/callback"' in page  # the redirect URI to register
    assert stored("x_ui")[1]["client_secret"] == "sandbox-secret"
