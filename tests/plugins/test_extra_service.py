"""A service declared in the test tree alone (``tests/extra_service``) and registered with ``services.register``
appears in the provider info, the ``airflow social`` CLI (with its sandbox connection and ``--oauth-base-url``
target), the credentials page (with a working "Authorize") and the health page, with no other edit: the shared
modules only loop over ``services.py``. ``tests/test_docs_architecture.py`` checks the README's recipe against it."""

from __future__ import annotations

import argparse
import io
import json
import shlex
from urllib.parse import parse_qs, urlsplit

import pytest

from airflow_provider_social import services
from tests.extra_service.connection import SERVICE


@pytest.fixture
def extra_service():
    services.register(SERVICE)
    yield SERVICE
    services.unregister(SERVICE)


def test_it_is_absent_until_registered():
    from airflow_provider_social.get_provider_info import get_provider_info

    assert SERVICE.connection.conn_type not in {c["connection-type"] for c in get_provider_info()["connection-types"]}


def test_a_name_or_connection_type_cannot_be_registered_twice(extra_service):
    with pytest.raises(ValueError, match="is taken"):
        services.register(extra_service)


def test_provider_info_lists_its_connection_type(extra_service):
    from airflow_provider_social.get_provider_info import get_provider_info

    info = get_provider_info()
    assert extra_service.connection.provider_info() in info["connection-types"]
    assert "Example Social" in info["name"] and "Example Social" in info["description"]


def _parser() -> argparse.ArgumentParser:
    """The ``airflow`` parser built by Airflow's own code from the provider's command list, read now (Airflow's
    cached parser holds the command list of its first import)."""
    from airflow.cli import cli_parser

    from airflow_provider_social.cli.definition import get_cli_commands

    parser = cli_parser.DefaultHelpParser(prog="airflow")
    subparsers = parser.add_subparsers(dest="subcommand")
    for command in get_cli_commands():
        cli_parser._add_command(subparsers, command)
    return parser


def test_the_cli_has_its_auth_command_with_its_sandbox_connection(extra_service, sandbox, monkeypatch, capsys):
    # A running sandbox: --sandbox URL must answer its health endpoint (it was a dead port, read only for settings).
    args = _parser().parse_args(["social", "auth", "example", "--conn-id", "example_cli", "--print-only",
                                 "--sandbox", sandbox.base_url, "--oauth-base-url", "http://id.local/"])
    monkeypatch.setattr("sys.stdin", io.StringIO("tok-123\n"))
    args.func(args)
    line = capsys.readouterr().out.strip().splitlines()[-1].removeprefix("Access token: ")  # input()'s prompt
    name, _, value = line.partition("=")
    assert name == "AIRFLOW_CONN_EXAMPLE_CLI"
    conn = json.loads(shlex.split(value)[0])
    assert conn["conn_type"] == "example_social"
    assert conn["extra"] == {"client_id": "sandbox-example", "api_base_url": f"{sandbox.base_url}/example-api",
                             "oauth_base_url": "http://id.local/oauth", "access_token": "tok-123"}


def test_the_sandbox_prints_its_connection(extra_service):
    from airflow_provider_social.sandbox.connections import sandbox_settings

    assert sandbox_settings("http://127.0.0.1:9/")["example_social"]["extra"]["api_base_url"] == (
        "http://127.0.0.1:9/example-api")


def test_the_credentials_page_lists_it_and_authorize_starts_its_flow(extra_service, plugin, db_connection):
    db_connection("example_main", "example_social", client_id="app-1")
    client = plugin("alice")
    page = client.get("/social-auth/")
    assert page.status_code == 200
    assert "<td>example_main</td><td>Example Social</td>" in page.text
    assert 'action="connections/example_main/authorize"' in page.text

    started = client.post("/social-auth/connections/example_main/authorize")
    assert started.status_code == 303
    consent = urlsplit(started.headers["location"])
    query = parse_qs(consent.query)
    assert (consent.netloc, consent.path) == ("id.example.test", "/authorize")
    assert query["client_id"] == ["app-1"] and query["scope"] == ["read write"]
    assert query["redirect_uri"] == ["http://127.0.0.1:8080/social-auth/callback"]


def test_the_health_page_describes_it_as_it_declares(extra_service, plugin, db_connection):
    db_connection("example_key", "example_social", api_key="k")
    db_connection("example_empty", "example_social")
    page = plugin("alice").get("/social-auth/health").text
    key_row = page.split("example_key", 1)[1].split("</tr>", 1)[0]
    empty_row = page.split("example_empty", 1)[1].split("</tr>", 1)[0]
    assert "<td>Example Social</td>" in key_row and "<td>API key</td>" in key_row
    assert "No token" not in key_row
    assert "<td>none</td>" in empty_row and "No token: authorise this connection." in empty_row
