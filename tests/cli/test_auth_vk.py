"""`airflow social auth vk`: VK ID (PKCE S256, state, device_id kept), --implicit and --community-token."""

from __future__ import annotations

import argparse
import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest

from airflow_provider_social.hooks.vk import cli


@pytest.fixture
def saved(monkeypatch):
    captured: dict = {}

    def save(args, conn_type, extra, *, password=None, announce=print):
        captured.update(conn_type=conn_type, extra=extra)

    monkeypatch.setattr(cli, "save_authorised", save)
    return captured


def args(**overrides):
    base = dict(conn_id="vk_auth_test", app_id=None, implicit=False, community_token=False, redirect_uri=None,
                scope=None, paste=True, timeout=5, print_only=False)
    base.update(overrides)
    return argparse.Namespace(**base)


def test_vk_id_flow_exchanges_the_code_with_pkce_and_keeps_device_id(scripted, make_connection, saved):
    make_connection("vk_auth_test", "vk", app_id="51000001", vk_id_base_url=f"{scripted.url}/vk-id")
    scripted.script = [(200, {}, {"access_token": "vk2.a.access", "refresh_token": "vk2.a.refresh",
                                  "expires_in": 3600, "user_id": 1, "token_type": "Bearer"})]
    shown: list[str] = []

    def paste(prompt: str) -> str:
        url = next(line for line in "\n".join(shown).split("\n") if "/vk-id/authorize?" in line)
        query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
        assert query["code_challenge_method"] == "S256" and query["client_id"] == "51000001"
        paste.challenge = query["code_challenge"]
        return f"http://localhost:8765/callback?code=c0de&state={query['state']}&device_id=dev-9&expires_in=600"

    cli.auth_vk(args(), announce=shown.append, read_line=paste)
    exchange = {k: v[0] for k, v in parse_qs(scripted.requests[0]["body"].decode()).items()}
    assert scripted.requests[0]["path"] == "/vk-id/oauth2/auth"
    assert exchange["grant_type"] == "authorization_code" and exchange["device_id"] == "dev-9"
    digest = base64.urlsafe_b64encode(hashlib.sha256(exchange["code_verifier"].encode()).digest()).rstrip(b"=")
    assert digest.decode() == paste.challenge
    extra = saved["extra"]
    assert extra["refresh_token"] == "vk2.a.refresh" and extra["device_id"] == "dev-9"
    assert extra["access_token"] == "vk2.a.access" and extra["expires_at"]
    assert not any("vk2.a." in line for line in shown)


def test_vk_id_flow_refuses_a_foreign_state_before_any_exchange(scripted, make_connection, saved):
    make_connection("vk_auth_test", "vk", app_id="51000001", vk_id_base_url=f"{scripted.url}/vk-id")
    with pytest.raises(SystemExit, match="state"):
        cli.auth_vk(args(), announce=lambda _: None,
                    read_line=lambda _: "http://localhost:8765/callback?code=c&state=forged&device_id=d")
    assert scripted.requests == [] and not saved


def test_implicit_prints_the_guide_link_and_stores_the_pasted_token_without_echoing_it(make_connection, saved):
    make_connection("vk_auth_test", "vk", app_id="51000001", oauth_base_url="http://127.0.0.1:1/vk-oauth",
                    refresh_token="old-refresh", device_id="old-device")
    shown: list[str] = []

    def paste(prompt: str) -> str:
        link = next(line for line in "\n".join(shown).split("\n") if "/authorize?" in line)
        query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
        assert query["scope"] == "offline,wall,groups,photos,stats,stories,video,docs,market,ads"
        assert query["response_type"] == "token"
        assert query["redirect_uri"] == "http://127.0.0.1:1/vk-oauth/blank.html"
        return (f"http://127.0.0.1:1/vk-oauth/blank.html#access_token=vk1.a.secret&expires_in=0&user_id=1"
                f"&state={query['state']}")

    cli.auth_vk(args(implicit=True), announce=shown.append, read_line=paste)
    assert saved["extra"]["access_token"] == "vk1.a.secret"
    assert "refresh_token" not in saved["extra"] and "device_id" not in saved["extra"]
    assert not any("vk1.a.secret" in line for line in shown)


def test_implicit_without_a_token_in_the_paste_fails_clearly(make_connection, saved):
    make_connection("vk_auth_test", "vk", app_id="51000001")
    with pytest.raises(SystemExit, match="access_token"):
        cli.auth_vk(args(implicit=True), announce=lambda _: None, read_line=lambda _: "https://vk.com/")
    assert not saved


def test_implicit_needs_an_app_id(make_connection, saved):
    make_connection("vk_auth_test", "vk")
    with pytest.raises(SystemExit, match="--app-id"):
        cli.auth_vk(args(implicit=True), announce=lambda _: None, read_line=lambda _: "")


def test_community_token_is_read_from_a_hidden_prompt(make_connection, saved):
    make_connection("vk_auth_test", "vk", group_id="club1")
    shown: list[str] = []
    cli.auth_vk(args(community_token=True), announce=shown.append, read_secret=lambda _: " vk1.a.community ")
    assert saved["extra"] == {"group_id": "club1", "community_token": "vk1.a.community"}
    assert not any("vk1.a.community" in line for line in shown)


# ------------------------------------------------------------------------------------------------ against the sandbox


def test_vk_id_against_the_sandbox_gives_tokens_that_work_and_refresh(sandbox, make_connection, saved, tmp_path):
    import requests

    from airflow_provider_social.core.http import RetryPolicy
    from airflow_provider_social.core.tokens import FileTokenStore
    from airflow_provider_social.hooks.vk import VkHook
    from airflow_provider_social.sandbox.vk import vk_id

    base = sandbox.base_url
    make_connection("vk_auth_test", "vk", app_id=vk_id.CLIENT_ID, client_secret=vk_id.CLIENT_SECRET,
                    vk_id_base_url=f"{base}/vk-id", api_base_url=f"{base}/vk-api")
    shown: list[str] = []

    def browser(prompt: str) -> str:
        url = next(line for line in "\n".join(shown).split("\n") if "/vk-id/authorize?" in line)
        answer = requests.get(url, allow_redirects=False, timeout=10)  # the sandbox approves at once
        assert answer.status_code in (302, 303), answer.text
        return answer.headers["Location"]

    cli.auth_vk(args(), announce=shown.append, read_line=browser)
    extra = saved["extra"]
    assert extra["access_token"].startswith("vk2.a.") and extra["device_id"] and extra["refresh_token"]
    assert not any(extra["access_token"] in line or extra["refresh_token"] in line for line in shown)
    # The stored grant works: the hook calls the API with it, and renews it through VK ID with the device_id.
    make_connection("vk_authorised", "vk", **{**extra, "vk_id_base_url": f"{base}/vk-id",
                                              "api_base_url": f"{base}/vk-api"})
    clock = sandbox.state.clock
    hook = VkHook("vk_authorised", token_store=FileTokenStore(tmp_path), clock=clock.now, sleep=clock.advance,
                  retry=RetryPolicy(max_attempts=3))
    assert hook.call("users.get", token="user")[0]["id"] == 1
    clock.advance(3700)  # past the 1-hour access token
    assert hook.call("users.get", token="user")[0]["id"] == 1
    assert FileTokenStore(tmp_path).load("vk_authorised").refresh_token != extra["refresh_token"]
