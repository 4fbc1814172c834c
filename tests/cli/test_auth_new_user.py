"""`airflow social auth ...` tried as a new user would, through the real argument parser: every default in
--help, a brand-new connection against the sandbox with --sandbox, one clear line (no traceback) on failure."""

from __future__ import annotations

import json
import shlex

import pytest

from airflow_provider_social.hooks.yandex_disk import cli as yandex_cli


@pytest.fixture(scope="module")
def parser():
    from airflow.cli import cli_parser

    return cli_parser.get_parser()


@pytest.fixture
def fake_sleep_for_yandex(sandbox, monkeypatch, capsys):
    """The device flow's waits advance the sandbox clock; ``answer`` decides what the user does with the code."""
    state = {"answer": None}

    def sleep(seconds):
        sandbox.control.advance(seconds)
        out = capsys.readouterr().out
        if state["answer"] and "enter the code " in out:
            state["answer"](out.split("enter the code ")[1].split()[0])
            state["answer"] = None

    monkeypatch.setitem(yandex_cli.auth_yandex.__kwdefaults__, "sleep", sleep)
    monkeypatch.setitem(yandex_cli.auth_yandex.__kwdefaults__, "clock", sandbox.state.clock.now)
    return state


@pytest.mark.parametrize("service, conn_id", [("yandex", "yandex_disk_default"), ("twitter", "twitter_default"),
                                              ("vk", "vk_default"), ("ok", "odnoklassniki_default")])
def test_help_shows_each_default(parser, capsys, service, conn_id):
    with pytest.raises(SystemExit):
        parser.parse_args(["social", "auth", service, "--help"])
    text = " ".join(capsys.readouterr().out.split())
    assert f"(default: {conn_id})" in text
    assert "--sandbox URL" in text and "--verbose" in text
    assert "300" in text  # --timeout


def test_yandex_takes_a_timeout(parser, sandbox, fake_sleep_for_yandex, capsys):
    args = parser.parse_args(["social", "auth", "yandex", "--conn-id", "brand_new", "--sandbox", sandbox.base_url,
                              "--timeout", "12", "--print-only"])
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    err = capsys.readouterr().err
    assert "not approved within 12 s" in err and "Traceback" not in err


def test_a_brand_new_connection_is_authorised_against_the_sandbox(parser, sandbox, fake_sleep_for_yandex, capsys,
                                                                    monkeypatch):
    fake_sleep_for_yandex["answer"] = lambda code: sandbox.control.approve_device("yandex", code)
    args = parser.parse_args(["social", "auth", "yandex", "--conn-id", "brand_new", "--sandbox", sandbox.base_url,
                              "--print-only"])
    args.func(args)
    *_, said, line = capsys.readouterr().out.strip().splitlines()
    assert said.startswith("Authorised; connected account: ") and said.endswith(".")  # names the account, as the UI
    conn = json.loads(shlex.split(line.split("=", 1)[1])[0])
    assert conn["extra"]["api_base_url"] == f"{sandbox.base_url}/yandex-disk"
    monkeypatch.setenv("AIRFLOW_CONN_BRAND_NEW", json.dumps(conn))
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    assert YandexDiskHook("brand_new").test_connection()[0]


def test_deny_is_one_clear_line_and_exit_1(parser, sandbox, fake_sleep_for_yandex, capsys):
    fake_sleep_for_yandex["answer"] = lambda code: sandbox.control.approve_device("yandex", code, deny=True)
    args = parser.parse_args(["social", "auth", "yandex", "--conn-id", "brand_new", "--sandbox", sandbox.base_url,
                              "--print-only"])
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and err.startswith("airflow social auth yandex: ")
    assert "denied" in err and "Traceback" not in err


def test_unreachable_host_is_one_line_and_verbose_shows_the_traceback(parser, fake_sleep_for_yandex, capsys):
    argv = ["social", "auth", "yandex", "--conn-id", "brand_new", "--client-id", "a", "--client-secret", "b",
            "--oauth-base-url", "http://127.0.0.1:9", "--print-only"]
    args = parser.parse_args(argv)
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "127.0.0.1:9" in err and "check the base URL" in err
    args = parser.parse_args([*argv, "--verbose"])
    from airflow_provider_social.core.errors import SocialApiError

    with pytest.raises(SocialApiError):
        args.func(args)


def test_missing_settings_are_one_line(parser, capsys):
    # --print-only: without it the command first asks for a usable metadata database, which this home lacks.
    args = parser.parse_args(["social", "auth", "twitter", "--conn-id", "nothing_here_yet", "--print-only"])
    with pytest.raises(SystemExit) as info:
        args.func(args)
    assert info.value.code == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0] == ("airflow social auth twitter: connection 'nothing_here_yet' does not exist; the printed "
                      "connection uses only the values given")
    assert err[1].startswith("airflow social auth twitter: --client-id") and len(err) == 2


@pytest.mark.parametrize("service, conn_type, oauth_field, oauth_value", [
    ("yandex", "yandex_disk", "oauth_base_url", "http://h/o"),
    ("twitter", "twitter", "authorize_url", "http://h/o/i/oauth2/authorize"),
    ("vk", "vk", "vk_id_base_url", "http://h/o"),
    ("ok", "odnoklassniki", "oauth_base_url", "http://h/o"),
])
def test_endpoint_overrides_fill_the_new_connection(parser, sandbox, service, conn_type, oauth_field, oauth_value):
    from airflow_provider_social.cli.options import endpoint_overrides
    from airflow_provider_social.sandbox.connections import sandbox_settings

    args = parser.parse_args(["social", "auth", service, "--oauth-base-url", "http://h/o/", "--api-base-url",
                              "http://h/a"])
    extra, _ = endpoint_overrides(args, conn_type)
    assert extra == {oauth_field: oauth_value, "api_base_url": "http://h/a"}
    args = parser.parse_args(["social", "auth", service, "--sandbox", sandbox.base_url])
    extra, _ = endpoint_overrides(args, conn_type)
    assert extra == sandbox_settings(sandbox.base_url)[conn_type]["extra"]


def test_a_brand_new_x_connection_against_the_sandbox(parser, sandbox, capsys):
    """`auth twitter --sandbox URL` with no stored connection: the consent page, the code exchange, a token that
    works. The redirect URI the sandbox settings give is on the callback port, not the sandbox's."""
    import requests

    from airflow_provider_social.hooks.twitter.cli import auth_twitter
    from airflow_provider_social.sandbox.connections import callback_uri

    args = parser.parse_args(["social", "auth", "twitter", "--conn-id", "x_brand_new", "--sandbox", sandbox.base_url,
                              "--paste", "--print-only"])
    lines: list[str] = []

    def paste(prompt):
        url = next(line for line in lines if "oauth2/authorize?" in line).splitlines()[-1]
        return requests.get(url, allow_redirects=False, timeout=10).headers["location"]

    from airflow_provider_social.cli.options import endpoint_overrides
    from airflow_provider_social.core.setup import Overrides

    overrides = Overrides(*endpoint_overrides(args, "twitter"))  # what `airflow social auth` hands the command
    auth_twitter(args, overrides=overrides, announce=lines.append, read_line=paste)
    conn = json.loads(shlex.split(lines[-1].split("=", 1)[1])[0])
    assert conn["extra"]["redirect_uri"] == callback_uri(sandbox.base_url)
    assert conn["extra"]["api_base_url"] == f"{sandbox.base_url}/x-api"
    me = requests.get(f"{sandbox.base_url}/x-api/2/users/me", timeout=10,
                      headers={"Authorization": f"Bearer {conn['extra']['access_token']}"})
    assert me.status_code == 200
