"""A newcomer's first commands (issue 21): a fresh AIRFLOW_HOME, a wrong ``--sandbox``, a misspelled connection id.
Each used to fail late or misleadingly; each is now one line before any browser flow starts."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="module")
def parser():
    from airflow.cli import cli_parser

    return cli_parser.get_parser()


@pytest.fixture
def fresh_database(tmp_path):
    """A metadata database as a fresh AIRFLOW_HOME has it before `airflow db migrate`: no tables."""
    from airflow import settings

    previous = settings.SQL_ALCHEMY_CONN
    settings.SQL_ALCHEMY_CONN = f"sqlite:///{tmp_path / 'airflow.db'}"
    settings.configure_orm()
    yield
    settings.dispose_orm()
    settings.SQL_ALCHEMY_CONN = previous
    settings.configure_orm()


def _fails(parser, capsys, argv: list[str]) -> tuple[str, str]:
    args = parser.parse_args(argv)
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    captured = capsys.readouterr()
    return captured.out, captured.err.strip()


def test_a_fresh_home_fails_before_the_consent_with_what_to_run(parser, capsys, sandbox, fresh_database):
    out, err = _fails(parser, capsys, ["social", "auth", "vk", "--sandbox", sandbox.base_url, "--paste"])
    # Before: the consent link, the user's consent, then "sqlite3.OperationalError: no such table: connection".
    assert out == "", out  # no link printed, no flow started
    last = err.splitlines()[-1]
    assert last.startswith("airflow social auth vk: the metadata database of AIRFLOW_HOME=")
    assert "`airflow db migrate`" in last and "--print-only" in last and "Traceback" not in err


def test_sandbox_without_a_scheme_names_the_option(parser, capsys):
    out, err = _fails(parser, capsys, ["social", "auth", "vk", "--sandbox", "127.0.0.1:8765", "--print-only"])
    assert err.splitlines()[-1] == ("airflow social auth vk: --sandbox 127.0.0.1:8765: give the sandbox's URL with "
                                    "its scheme, e.g. http://127.0.0.1:8765")
    assert out == ""


def test_a_sandbox_url_where_nothing_answers_fails_at_once(parser, capsys):
    import socket
    import time

    with socket.socket() as sock:  # a loopback port with nothing listening
        sock.bind(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{sock.getsockname()[1]}"
    started = time.monotonic()
    out, err = _fails(parser, capsys, ["social", "auth", "twitter", "--sandbox", url, "--print-only"])
    assert time.monotonic() - started < 30  # not the 300 s --timeout spent waiting for a redirect
    assert err.splitlines()[-1].startswith(f"airflow social auth twitter: --sandbox {url}: no sandbox answers there")
    assert "airflow social sandbox" in err and out == ""


def test_a_misspelled_connection_id_says_it_does_not_exist_and_names_the_close_one(parser, capsys, monkeypatch):
    monkeypatch.setenv("AIRFLOW_CONN_VK_DEFAULT", '{"conn_type": "vk", "extra": {"app_id": "123"}}')
    out, err = _fails(parser, capsys, ["social", "auth", "vk", "--conn-id", "vk_defualt", "--print-only"])
    first, *rest = err.splitlines()
    assert first == ("airflow social auth vk: connection 'vk_defualt' does not exist; the printed connection uses "
                     "only the values given (did you mean 'vk_default'?)")
    assert rest and rest[-1].startswith("airflow social auth vk: --app-id")  # the missing value, second
