"""`airflow social auth twitter` against the sandbox: PKCE S256, random state, loopback callback, paste mode."""

from __future__ import annotations

import argparse
import json
import shlex
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from airflow_provider_social.hooks.twitter.cli import auth_twitter
from airflow_provider_social.sandbox import twitter as xs


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def x_app(sandbox, make_connection):
    """A twitter connection holding only the app's settings (no tokens yet), pointed at the sandbox."""

    def make(client_id="sandbox-client", client_secret="sandbox-secret"):
        return make_connection(
            "twitter_auth_test", "twitter", client_id=client_id, client_secret=client_secret,
            api_base_url=f"{sandbox.base_url}/x-api", authorize_url=f"{sandbox.base_url}/x/i/oauth2/authorize",
        )

    return make


def args(**overrides):
    base = dict(conn_id="twitter_auth_test", client_id=None, client_secret=None, redirect_uri=None, scope=None,
                paste=False, timeout=20, print_only=True)
    base.update(overrides)
    return argparse.Namespace(**base)


def tokens_from(lines):
    env = next(line for line in lines if line.startswith("AIRFLOW_CONN_TWITTER_AUTH_TEST="))
    return json.loads(shlex.split(env.split("=", 1)[1])[0])["extra"]


def works(sandbox, access_token):
    response = requests.get(f"{sandbox.base_url}/x-api/2/users/me",
                            headers={"Authorization": f"Bearer {access_token}"}, timeout=10)
    return response.status_code == 200


def run_in_background(namespace):
    lines: list[str] = []
    url_ready = threading.Event()
    errors: list[BaseException] = []

    def announce(text):
        lines.append(text)
        if "oauth2/authorize?" in text:
            url_ready.set()

    def target():
        try:
            auth_twitter(namespace, announce=announce)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            url_ready.set()

    thread = threading.Thread(target=target)
    thread.start()
    assert url_ready.wait(10)
    return thread, lines, errors


def authorize_url(lines):
    return next(line for line in lines if "oauth2/authorize?" in line).splitlines()[-1]


def test_loopback_callback_confidential_client(sandbox, x_app):
    x_app()
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    thread, lines, errors = run_in_background(args(redirect_uri=redirect))
    url = authorize_url(lines)
    query = parse_qs(urlsplit(url).query)
    assert query["code_challenge_method"] == ["S256"] and len(query["state"][0]) >= 32
    assert query["scope"] == [xs.DEFAULT_SCOPE] and "%20" in url
    browser = requests.get(url, allow_redirects=True, timeout=20)  # the sandbox approves at once
    thread.join(20)
    assert errors == [] and browser.status_code == 200 and "Authorised" in browser.text
    extra = tokens_from(lines)
    assert extra["refresh_token"].startswith("xrt_") and extra["redirect_uri"] == redirect
    assert works(sandbox, extra["access_token"])
    assert extra["access_token"] not in browser.text


def test_two_runs_use_different_state_and_challenge(sandbox, x_app):
    x_app()
    seen = []
    for _ in range(2):
        redirect = f"http://127.0.0.1:{free_port()}/callback"
        thread, lines, errors = run_in_background(args(redirect_uri=redirect))
        url = authorize_url(lines)
        seen.append((parse_qs(urlsplit(url).query)["state"][0], parse_qs(urlsplit(url).query)["code_challenge"][0]))
        requests.get(url, allow_redirects=True, timeout=20)
        thread.join(20)
    assert seen[0][0] != seen[1][0] and seen[0][1] != seen[1][1]


def test_paste_mode_public_client(sandbox, x_app):
    x_app(client_id="sandbox-public-client", client_secret=None)
    lines: list[str] = []

    def paste(prompt):
        url = authorize_url(lines)
        return requests.get(url, allow_redirects=False, timeout=10).headers["location"]

    auth_twitter(args(paste=True), announce=lines.append, read_line=paste)
    extra = tokens_from(lines)
    assert "client_secret" not in extra and works(sandbox, extra["access_token"])


def test_forged_state_is_refused(sandbox, x_app):
    x_app()
    lines: list[str] = []

    def paste(prompt):
        location = requests.get(authorize_url(lines), allow_redirects=False, timeout=10).headers["location"]
        return location.replace("state=", "state=forged")

    with pytest.raises(SystemExit, match="state"):
        auth_twitter(args(paste=True), announce=lines.append, read_line=paste)
    assert not any(line.startswith("AIRFLOW_CONN_") for line in lines)


def test_code_older_than_thirty_seconds_is_explained(sandbox, x_app):
    x_app()
    lines: list[str] = []

    def paste(prompt):
        location = requests.get(authorize_url(lines), allow_redirects=False, timeout=10).headers["location"]
        sandbox.state.clock.advance(31)
        return location

    with pytest.raises(SystemExit, match="30 seconds") as info:
        auth_twitter(args(paste=True), announce=lines.append, read_line=paste)
    assert "code=" not in str(info.value)


def test_denied_access_and_missing_client_id(sandbox, x_app, make_connection):
    x_app()
    with pytest.raises(SystemExit, match="access_denied"):
        auth_twitter(args(paste=True), announce=lambda s: None,
                     read_line=lambda p: "http://127.0.0.1:8765/callback?error=access_denied&state=x")
    make_connection("twitter_empty", "twitter")
    with pytest.raises(SystemExit, match="--client-id"):
        auth_twitter(args(conn_id="twitter_empty", paste=True), announce=lambda s: None)


def test_busy_redirect_port_is_explained(sandbox, x_app):
    x_app()
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        with pytest.raises(SystemExit, match="--paste"):
            auth_twitter(args(redirect_uri=f"http://127.0.0.1:{port}/callback"), announce=lambda s: None)


def test_scope_without_offline_access_warns(sandbox, x_app):
    x_app()
    lines: list[str] = []

    def paste(prompt):
        return requests.get(authorize_url(lines), allow_redirects=False, timeout=10).headers["location"]

    auth_twitter(args(paste=True, scope="tweet.read tweet.write users.read"), announce=lines.append, read_line=paste)
    assert any("no refresh token" in line for line in lines)
    extra = tokens_from(lines)
    assert "refresh_token" not in extra and works(sandbox, extra["access_token"])
