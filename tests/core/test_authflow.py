"""The one authorization-code flow (core/authflow.py): start() -> (url, pending), finish(answer) -> TokenSet.

Against the sandbox's strict X authorization server for X's configuration, and against a scripted token endpoint
for a configuration like OK's / VK ID's (``;`` scopes, body client auth, ``device_id`` returned on the redirect).
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from airflow_provider_social.core.authflow import AuthCodeConfig, AuthCodeFlow, AuthorizationFlowError
from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.http import Transport
from airflow_provider_social.hooks.twitter.connection import AUTH_FLOW as X_FLOW

REDIRECT = "http://127.0.0.1:8765/callback"

LIKE_VK_ID = AuthCodeConfig(
    service="Example",
    authorize_url="https://id.example.test/authorize?lang_id=0",
    scopes="VALUABLE_ACCESS;PHOTO_CONTENT",
    scope_separator=";",
    client_auth="body",
    authorize_params={"layout": "m"},
    redirect_params=("device_id",),
    send_state=True,
    code_lifetime="Example codes live 10 minutes",
)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlsplit(url).query, keep_blank_values=True).items()}


def form(request: dict) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(request["body"].decode()).items()}


# ------------------------------------------------------------------------------------------ X, on the sandbox


@pytest.fixture
def x_flow(sandbox):
    def make(client_id="sandbox-client", client_secret="sandbox-secret", **kwargs):
        transport = Transport(service="X")
        client = X_FLOW.token_client(transport, token_url=f"{sandbox.base_url}/x-api/2/oauth2/token",
                                     client_id=client_id, client_secret=client_secret)
        return AuthCodeFlow(X_FLOW, client, redirect_uri=REDIRECT,
                            authorize_url=f"{sandbox.base_url}/x/i/oauth2/authorize", **kwargs)

    return make


def approve(url: str) -> str:
    """The sandbox consents at once: the Location it redirects the browser to."""
    return requests.get(url, allow_redirects=False, timeout=10).headers["location"]


def test_x_flow_end_to_end_with_pkce_s256(sandbox, x_flow):
    flow = x_flow()
    url, pending = flow.start()
    sent = query(url)
    assert sent["code_challenge_method"] == "S256" and sent["scope"] == X_FLOW.scopes and "%20" in url
    assert pending.code_verifier and pending.code_verifier not in url
    tokens = flow.finish(pending, redirect_url=approve(url))
    assert tokens.access_token.startswith("xat_") and tokens.refresh_token.startswith("xrt_")
    me = requests.get(f"{sandbox.base_url}/x-api/2/users/me", timeout=10,
                      headers={"Authorization": f"Bearer {tokens.access_token}"})
    assert me.status_code == 200


def test_state_is_random_and_single_use(sandbox, x_flow):
    flow = x_flow()
    (url1, first), (url2, second) = flow.start(), flow.start()
    assert first.state != second.state and query(url1)["code_challenge"] != query(url2)["code_challenge"]
    answer = query(approve(url1))
    flow.finish(first, code=answer["code"], state=answer["state"])
    with pytest.raises(AuthorizationFlowError) as spent:
        flow.finish(first, code=answer["code"], state=answer["state"])
    assert spent.value.reason == "spent"


def test_a_forged_state_is_refused_and_does_not_spend_the_request(sandbox, x_flow):
    flow = x_flow()
    url, pending = flow.start()
    landed = approve(url)
    forged = landed.replace("state=", "state=forged")
    with pytest.raises(AuthorizationFlowError, match="state") as refused:
        flow.finish(pending, redirect_url=forged)
    assert refused.value.reason == "state"
    assert flow.finish(pending, redirect_url=landed).access_token  # the real answer still works


def test_an_expired_code_is_explained_without_the_code(sandbox, x_flow):
    flow = x_flow(client_id="sandbox-public-client", client_secret=None)
    url, pending = flow.start()
    landed = approve(url)
    sandbox.state.clock.advance(31)
    with pytest.raises(AuthorizationFlowError, match="X codes live 30 seconds") as failed:
        flow.finish(pending, redirect_url=landed)
    assert failed.value.reason == "exchange" and query(landed)["code"] not in str(failed.value)


# ------------------------------------------------------------------------------------------ a ';' service


@pytest.fixture
def like_vk_id(scripted):
    def make(**kwargs):
        transport = Transport(service="Example")
        client = LIKE_VK_ID.token_client(transport, token_url=f"{scripted.url}/oauth2/token", client_id="app-1",
                                         client_secret="authflow-app-secret")
        return AuthCodeFlow(LIKE_VK_ID, client, **{"redirect_uri": REDIRECT, **kwargs})

    return make


def test_semicolon_scopes_extra_params_and_a_redirect_param_kept_with_the_tokens(scripted, like_vk_id):
    answer = {"access_token": "authflow-access-1", "refresh_token": "authflow-refresh-1", "expires_in": 3600}
    scripted.script.append((200, {}, answer))
    flow = like_vk_id(scopes=["PHOTO_CONTENT", " GROUP_CONTENT "])
    url, pending = flow.start()
    assert url.startswith("https://id.example.test/authorize?lang_id=0&response_type=code&")
    sent = query(url)
    assert sent["scope"] == "PHOTO_CONTENT;GROUP_CONTENT" and "%3B" in url
    assert sent["layout"] == "m" and sent["client_id"] == "app-1" and sent["redirect_uri"] == REDIRECT

    tokens = flow.finish(pending, params={"code": "authflow-code-1", "state": sent["state"], "device_id": "dev-42"})

    (request,) = scripted.requests
    body = form(request)
    assert body["grant_type"] == "authorization_code" and body["code"] == "authflow-code-1"
    assert body["device_id"] == "dev-42" and body["state"] == sent["state"]  # sent with the exchange
    assert body["redirect_uri"] == REDIRECT
    challenge = base64.urlsafe_b64encode(hashlib.sha256(body["code_verifier"].encode()).digest()).rstrip(b"=")
    assert challenge.decode() == sent["code_challenge"]
    assert body["client_id"] == "app-1" and body["client_secret"] == "authflow-app-secret"  # client_auth="body"
    assert "Authorization" not in request["headers"]
    assert tokens.extra["device_id"] == "dev-42"  # kept with the tokens (VK ID refreshes need it)
    assert tokens.scope == "PHOTO_CONTENT;GROUP_CONTENT"  # omitted by the server: the one requested
    assert tokens.access_token == "authflow-access-1" and tokens.refresh_token == "authflow-refresh-1"


def test_default_scopes_and_basic_client_auth(scripted):
    scripted.script.append((200, {}, {"access_token": "authflow-access-2", "scope": "a;b"}))
    config = AuthCodeConfig(service="Basic", authorize_url="https://auth.example.test/authorize", scopes="a;b",
                            scope_separator=";", client_auth="basic", pkce=False)
    client = config.token_client(Transport(service="Basic"), token_url=f"{scripted.url}/token",
                                 client_id="basic-client", client_secret="basic-client-secret-7f3a")
    flow = AuthCodeFlow(config, client, redirect_uri=REDIRECT)
    url, pending = flow.start()
    sent = query(url)
    assert sent["scope"] == "a;b" and "code_challenge" not in sent and pending.code_verifier is None
    flow.finish(pending, redirect_url=f"{REDIRECT}?code=authflow-code-2&state={sent['state']}")
    (request,) = scripted.requests
    basic = base64.b64encode(b"basic-client:basic-client-secret-7f3a").decode()
    assert request["headers"]["Authorization"] == f"Basic {basic}"
    assert "client_secret" not in form(request) and "code_verifier" not in form(request)


def test_a_missing_redirect_param_is_refused_before_the_exchange(scripted, like_vk_id):
    flow = like_vk_id()
    url, pending = flow.start()
    with pytest.raises(AuthorizationFlowError, match="device_id") as refused:
        flow.finish(pending, params={"code": "authflow-code-3", "state": query(url)["state"]})
    assert refused.value.reason == "missing_param" and scripted.requests == []


def test_a_refusal_is_reported_and_nothing_is_exchanged(scripted, like_vk_id):
    flow = like_vk_id()
    url, pending = flow.start()
    with pytest.raises(AuthorizationFlowError, match="Example refused the authorisation: access_denied") as denied:
        flow.finish(pending, redirect_url=f"{REDIRECT}?error=access_denied&state={query(url)['state']}")
    assert denied.value.reason == "denied" and denied.value.api_code == "access_denied"
    assert pending.spent and scripted.requests == []


def test_a_refused_exchange_names_the_code_lifetime_not_the_code(scripted, like_vk_id):
    scripted.script.append((400, {}, {"error": "invalid_grant", "error_description": "Code is expired"}))
    flow = like_vk_id()
    url, pending = flow.start()
    with pytest.raises(AuthorizationFlowError) as failed:
        flow.finish(pending, params={"code": "authflow-code-4", "state": query(url)["state"], "device_id": "d"})
    assert failed.value.reason == "exchange" and failed.value.status_code == 400
    assert "Example codes live 10 minutes" in str(failed.value) and "authflow-code-4" not in str(failed.value)


# ------------------------------------------------------------------------------------------ bad input, no network


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"scopes": ["PHOTO_CONTENT;GROUP_CONTENT"]}, "scope"),
        ({"scopes": ["PHOTO CONTENT"]}, "scope"),
        ({"redirect_uri": "http://127.0.0.1:8765/callback#frag"}, "redirect_uri"),
        ({"redirect_uri": "callback"}, "redirect_uri"),
        ({"authorize_url": "id.example.test/authorize"}, "authorize_url"),
    ],
)
def test_bad_input_names_the_field_before_any_request(scripted, like_vk_id, kwargs, field):
    with pytest.raises(ValidationError) as refused:
        like_vk_id(**kwargs)
    assert refused.value.api_message.startswith(f"{field}: ") and scripted.requests == []


def test_a_client_without_id_and_bad_configs_are_refused():
    client = LIKE_VK_ID.token_client(Transport(service="Example"), token_url="https://id.example.test/token",
                                     client_id=None)
    with pytest.raises(ValidationError) as refused:
        AuthCodeFlow(LIKE_VK_ID, client)
    assert refused.value.api_message.startswith("client_id: ")
    with pytest.raises(ValidationError, match="^scope_separator: "):
        AuthCodeConfig(service="S", authorize_url="https://a.test/", scope_separator=", ")
    with pytest.raises(ValidationError, match="^client_auth: "):
        AuthCodeConfig(service="S", authorize_url="https://a.test/", client_auth="jwt")
    with pytest.raises(ValidationError, match="^redirect_params: "):
        AuthCodeConfig(service="S", authorize_url="https://a.test/", redirect_params=("state",))
