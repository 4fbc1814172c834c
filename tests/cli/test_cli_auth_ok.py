"""`airflow social auth ok` against the sandbox: ';' permissions, random state, loopback callback, paste mode."""

from __future__ import annotations

import argparse
import json
import shlex
import socket
import threading
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.hooks.ok.cli import auth_ok
from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_KEY, SANDBOX_APP_SECRET


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def ok_app(sandbox, make_connection):
    """An odnoklassniki connection with the app's three values and no tokens yet, pointed at the sandbox."""
    return make_connection("ok_auth_test", "odnoklassniki", password=SANDBOX_APP_SECRET,
                           application_id=SANDBOX_APP_ID, application_key=SANDBOX_APP_KEY,
                           api_base_url=f"{sandbox.base_url}/ok-api", oauth_base_url=f"{sandbox.base_url}/ok-connect")


def args(**overrides):
    base = dict(conn_id="ok_auth_test", application_id=None, application_key=None, redirect_uri=None,
                permissions=None, paste=False, timeout=20, print_only=True)
    base.update(overrides)
    return argparse.Namespace(**base)


def saved(lines):
    env = next(line for line in lines if line.startswith("AIRFLOW_CONN_OK_AUTH_TEST="))
    return json.loads(shlex.split(env.split("=", 1)[1])[0])


def authorize_url(lines):
    return next(line for line in lines if "oauth/authorize?" in line).splitlines()[-1]


def test_loopback_flow_writes_working_tokens(sandbox, ok_app, make_connection):
    redirect = f"http://127.0.0.1:{free_port()}/callback"
    lines: list[str] = []
    ready = threading.Event()
    errors: list[BaseException] = []

    def announce(text):
        lines.append(text)
        if "oauth/authorize?" in text:
            ready.set()

    def run():
        try:
            auth_ok(args(redirect_uri=redirect), announce=announce)
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
            ready.set()

    thread = threading.Thread(target=run)
    thread.start()
    assert ready.wait(10)
    url = authorize_url(lines)
    query = parse_qs(urlsplit(url).query)
    assert query["scope"] == ["VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT"]
    assert len(query["state"][0]) >= 32 and query["response_type"] == ["code"] and query["layout"] == ["w"]
    browser = requests.get(url, allow_redirects=True, timeout=20)
    thread.join(20)
    assert errors == [] and "Authorised" in browser.text
    conn = saved(lines)
    assert conn["password"] == SANDBOX_APP_SECRET and conn["conn_type"] == "odnoklassniki"
    extra = conn["extra"]
    assert extra["refresh_token"] and extra["expires_at"] and extra["redirect_uri"] == redirect
    make_connection("ok_auth_test", "odnoklassniki", password=conn["password"], **extra)
    assert OkHook("ok_auth_test", token_store=MemoryTokenStore()).get_current_user()["uid"]


def test_paste_mode_with_a_forged_state_is_refused(sandbox, ok_app):
    lines: list[str] = []

    def paste(prompt):
        location = requests.get(authorize_url(lines), allow_redirects=False, timeout=10).headers["location"]
        return location.replace("state=", "state=forged")

    with pytest.raises(SystemExit, match="state"):
        auth_ok(args(paste=True), announce=lines.append, read_line=paste)


def test_an_expired_code_names_the_two_minute_life(sandbox, ok_app):
    lines: list[str] = []

    def paste(prompt):
        location = requests.get(authorize_url(lines), allow_redirects=False, timeout=10).headers["location"]
        sandbox.control.advance(121)
        return location

    with pytest.raises(SystemExit, match="2 minutes"):
        auth_ok(args(paste=True), announce=lines.append, read_line=paste)
