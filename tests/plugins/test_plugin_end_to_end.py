"""The one-click flow end to end, without a browser: the plugin's routes, the sandbox's consent page, the callback,
then a hook posting with the tokens the Connection now holds; the Yandex device flow; the health page's Check."""

from __future__ import annotations

import json
import re
from urllib.parse import parse_qs, urlsplit

import requests

from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import FileTokenStore, TokenSet
from tests.plugins.conftest import stored

CALLBACK = "http://127.0.0.1:8080/social-auth/callback"


def _consent(url: str) -> str:
    """Follow the sandbox's consent page (it approves at once) up to the redirect to our callback."""
    for _ in range(5):
        if url.startswith(CALLBACK):
            return url
        response = requests.get(url, allow_redirects=False, timeout=30)
        assert response.status_code in (302, 303), response.text
        url = response.headers["location"]
    raise AssertionError(f"never reached the callback: {url}")


def test_twitter_one_click_writes_working_tokens_and_supersedes_the_store(plugin, db_connection, sandbox, tmp_path):
    store_dir = tmp_path / "tokens"
    db_connection("x_e2e", "twitter", client_id="sandbox-client", client_secret="sandbox-secret",
                  api_base_url=f"{sandbox.base_url}/x-api", upload_base_url=f"{sandbox.base_url}/x-upload",
                  authorize_url=f"{sandbox.base_url}/x/i/oauth2/authorize", access_token="old-at",
                  refresh_token="old-rt", token_store=f"file:{store_dir}", scope=None)  # null, as the form saves
    # A token-store entry descending from the old grant, as rotated by earlier task runs.
    FileTokenStore(store_dir).save("x_e2e", TokenSet("stale-at", "stale-rt", seed=fingerprint("old-rt")))
    client = plugin("alice")
    start = client.post("/social-auth/connections/x_e2e/authorize")
    assert start.status_code == 303
    back = urlsplit(_consent(start.headers["location"]))
    answered = client.get(f"{back.path}?{back.query}", follow_redirects=False)
    # The callback redirects to a result page: F5 there repeats the result instead of re-spending the code
    # (reloading the callback itself had read "this authorisation is unknown or was already used").
    assert answered.status_code == 303 and answered.headers["location"].startswith("/social-auth/result/")
    done = client.get(answered.headers["location"])
    assert done.status_code == 200, done.text
    assert "Authorised" in done.text and "sandbox_user" in done.text  # the account it connected
    reloaded = client.get(answered.headers["location"])
    assert reloaded.status_code == 200 and "Authorised" in reloaded.text and "sandbox_user" in reloaded.text
    assert plugin("bob").get(answered.headers["location"]).status_code == 404  # bound to the user who authorised
    password, extra = stored("x_e2e")
    assert extra["access_token"].startswith("xat_") and extra["refresh_token"].startswith("xrt_")
    assert extra["redirect_uri"] == CALLBACK and extra["upload_base_url"].endswith("/x-upload")
    for secret in (extra["access_token"], extra["refresh_token"], "sandbox-secret"):
        assert secret not in done.text
    from airflow.sdk import Connection

    from airflow_provider_social.hooks.twitter import TwitterHook

    hook = TwitterHook("x_e2e", connection=Connection(conn_id="x_e2e", conn_type="twitter", password=password,
                                                      extra=json.dumps(extra)))
    tweet = hook.create_tweet("posted with tokens from the one-click flow")
    assert tweet["id"]
    assert hook.token_manager.current().access_token == extra["access_token"]  # the stale entry is superseded


def test_yandex_device_flow_on_the_page(plugin, db_connection, sandbox, clock):
    db_connection("ya_e2e", "yandex_disk", client_id="sandbox-client", client_secret="sandbox-secret",
                  api_base_url=f"{sandbox.base_url}/yandex-disk", oauth_base_url=f"{sandbox.base_url}/yandex-oauth")
    client = plugin("alice")
    page = client.post("/social-auth/connections/ya_e2e/authorize")
    assert page.status_code == 200
    user_code = re.search(r'id="user-code"[^>]* value="([^"]+)"', page.text).group(1)
    ticket = json.loads(re.search(r"const ticket=(\"[^\"]+\")", page.text).group(1))
    assert plugin("bob").post("/social-auth/device/poll", json={"ticket": ticket}).status_code == 400
    clock.now += 10
    assert client.post("/social-auth/device/poll", json={"ticket": ticket}).json()["status"] == "pending"
    sandbox.control.approve_device("yandex", user_code)
    clock.now += 20
    sandbox.control.advance(20)  # the sandbox answers slow_down to polls faster than the interval
    answer = client.post("/social-auth/device/poll", json={"ticket": ticket}).json()
    assert answer["status"] == "done", answer
    password, extra = stored("ya_e2e")
    assert password and extra["refresh_token"] and password not in json.dumps(answer)
    assert client.post("/social-auth/device/poll", json={"ticket": ticket}).status_code == 400  # single-use


def test_health_page_and_check(plugin, db_connection, sandbox, clock):
    tokens = sandbox.control.mint_tokens("yandex")
    db_connection("ya_health", "yandex_disk", password=tokens["access_token"], client_id="sandbox-client",
                  client_secret="sandbox-secret", refresh_token=tokens["refresh_token"],
                  api_base_url=f"{sandbox.base_url}/yandex-disk", oauth_base_url=f"{sandbox.base_url}/yandex-oauth")
    db_connection("x_expired", "twitter", client_id="c", access_token="at", expires_at=clock.now - 60)
    client = plugin("alice")
    page = client.get("/social-auth/health").text
    assert "ya_health" in page and "Yandex Disk" in page and "refreshable" in page
    assert "expired and there is no refresh token" in page  # x_expired needs re-authorisation
    assert tokens["access_token"] not in page and tokens["refresh_token"] not in page
    checked = client.post("/social-auth/connections/ya_health/check")
    assert checked.status_code == 200 and 'class="ok" role="status"' in checked.text
    assert "unknown" not in checked.text.split("ya_health", 2)[2].split("</tr>")[0]  # the account is recorded


def test_a_denied_consent_offers_try_again_and_reads_as_a_sentence(plugin, db_connection, sandbox):
    db_connection("x_denied", "twitter", client_id="sandbox-client", client_secret="sandbox-secret",
                  api_base_url=f"{sandbox.base_url}/x-api", authorize_url=f"{sandbox.base_url}/x/i/oauth2/authorize")
    client = plugin("alice")
    start = client.post("/social-auth/connections/x_denied/authorize")
    state = parse_qs(urlsplit(start.headers["location"]).query)["state"][0]
    answered = client.get("/social-auth/callback", params={"state": state, "error": "access_denied"},
                          follow_redirects=False)
    assert answered.status_code == 303
    page = client.get(answered.headers["location"]).text
    status = re.search(r'<p class="err" role="status">([^<]*)</p>', page)
    assert status and "Authorisation of &#x27;x_denied&#x27; failed" in status[1] and status[1].endswith("."), page
    # Not a dead end: the same connection's authorisation starts again from the result page.
    assert re.search(r'action="connections/x_denied/authorize"[^>]*>\s*<button type="submit">Try again</button>',
                     page), page
