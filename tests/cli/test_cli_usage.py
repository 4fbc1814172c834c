"""`airflow social usage <service>` through the real argument parser: declared by the service, its default shown in
--help, and a failure is one line (no traceback), as for `airflow social auth`."""

from __future__ import annotations

import pytest

from airflow_provider_social.services import all_services


@pytest.fixture(scope="module")
def parser():
    from airflow.cli import cli_parser

    return cli_parser.get_parser()


def test_each_declared_usage_command_shows_its_default_connection(parser, capsys):
    declared = [service.usage for service in all_services() if service.usage]
    assert [command.name for command in declared] == ["twitter"]
    for command in declared:
        with pytest.raises(SystemExit):
            parser.parse_args(["social", "usage", command.name, "--help"])
        assert f"(default: {command.conn_id})" in " ".join(capsys.readouterr().out.split())


def test_a_missing_connection_is_one_line_not_a_traceback(parser, capsys):
    # It printed a traceback: the usage command did not go through the guard the auth commands use.
    args = parser.parse_args(["social", "usage", "twitter", "--conn-id", "no_such_connection"])
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert err.startswith("airflow social usage twitter: ") and "no_such_connection" in err
    assert "Traceback" not in err
    # The hint it gives must be an option the command takes.
    args = parser.parse_args(["social", "usage", "twitter", "--conn-id", "no_such_connection", "--verbose"])
    with pytest.raises(Exception, match="no_such_connection"):
        args.func(args)
