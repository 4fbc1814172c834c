"""`airflow social auth yandex` against the sandbox: device flow end to end, approved through the control API."""

from __future__ import annotations

import argparse
import json
import shlex

import pytest

from airflow_provider_social.hooks.yandex_disk import cli as yandex_cli


def namespace(**overrides):
    base = {"conn_id": "yandex_cli", "client_id": "sandbox-client", "client_secret": "sandbox-secret",
            "print_only": True}
    return argparse.Namespace(**{**base, **overrides})


@pytest.fixture
def cli_conn(sandbox, make_connection):
    """An existing connection that only says where Yandex ID is (the CLI reads oauth_base_url from it)."""
    return make_connection("yandex_cli", "yandex_disk", oauth_base_url=f"{sandbox.base_url}/yandex-oauth",
                           api_base_url=f"{sandbox.base_url}/yandex-disk")


def test_print_only_prints_a_working_connection(sandbox, cli_conn, capsys, monkeypatch):
    waits = []

    def sleep(seconds):
        waits.append(seconds)
        sandbox.control.advance(seconds)  # the sandbox enforces the interval on its own clock
        if len(waits) == 2:  # the user enters the code on the second poll
            code = capsys.readouterr().out.split("enter the code ")[1].split()[0]
            sandbox.control.approve_device("yandex", code)

    yandex_cli.auth_yandex(namespace(), sleep=sleep)
    out = capsys.readouterr().out.strip().splitlines()[-1]
    assert out.startswith("AIRFLOW_CONN_YANDEX_CLI=")
    conn = json.loads(shlex.split(out.split("=", 1)[1])[0])
    assert waits == [5.0, 5.0]  # Yandex's interval
    assert conn["conn_type"] == "yandex_disk" and conn["password"].startswith("y0_")
    assert conn["extra"]["refresh_token"].startswith("1:")
    # The printed connection works.
    monkeypatch.setenv("AIRFLOW_CONN_YANDEX_CLI", json.dumps(conn))
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    assert YandexDiskHook("yandex_cli").test_connection()[0]


def test_denied_code_is_a_clear_error(sandbox, cli_conn, capsys):
    def sleep(seconds):
        sandbox.control.advance(seconds)
        code = capsys.readouterr().out.split("enter the code ")[1].split()[0]
        sandbox.control.approve_device("yandex", code, deny=True)

    from airflow_provider_social.core.errors import AuthenticationError

    with pytest.raises(AuthenticationError, match="denied"):
        yandex_cli.auth_yandex(namespace(), sleep=sleep)


def test_missing_client_credentials_name_the_options(sandbox, cli_conn):
    with pytest.raises(SystemExit, match="--client-id/--client-secret"):
        yandex_cli.auth_yandex(namespace(client_id=None, client_secret=None), sleep=lambda s: None)
