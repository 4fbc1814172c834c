"""Airflow's Test button, as Airflow 3.3.2 runs it: the connection is exported under a temporary random id
(``airflow.utils.strings.get_random_string()``, 8 letters and digits, as ``AIRFLOW_CONN_<ID>``) and
``Connection.test_connection()`` builds the hook by that id. Its messages must be true for a test (a test never
refreshes) and must not name that temporary id in the re-authorisation command."""

from __future__ import annotations

import copy
import json
import os

import pytest
from airflow.models.connection import Connection
from airflow.utils.strings import get_random_string

from airflow_provider_social.sandbox.connections import sandbox_connections

WRONG = "wrong-token-0123456789"


def run_like_the_test_button(conn: dict, monkeypatch) -> tuple[bool, str, str]:
    """What ``POST /api/v2/connections/test`` does in Airflow 3.3.2; returns (status, message, temporary id)."""
    transient = get_random_string()
    body = {k: v for k, v in conn.items() if k != "extra"}
    connection = Connection(conn_id=transient, extra=json.dumps(conn.get("extra") or {}), **body)
    monkeypatch.setenv(f"AIRFLOW_CONN_{transient.upper()}", connection.get_uri())
    status, message = connection.test_connection()
    return status, message, transient


@pytest.fixture
def conns(sandbox, tmp_path):
    built = sandbox_connections(sandbox.base_url, sandbox.control)
    for conn in built.values():
        conn["extra"]["token_store"] = f"file:{tmp_path}"
        conn["extra"]["max_retry_wait"] = 1
    return built


def _wrong(conns, conn_id, *, password=False, drop=(), **extra):
    conn = copy.deepcopy(conns[conn_id])
    if password:
        conn["password"] = WRONG
    for name in drop:
        conn["extra"].pop(name, None)
    conn["extra"].update(extra)
    return conn


CASES = {
    "x without refresh token": lambda c: _wrong(c, "twitter_default", access_token=WRONG, drop=("refresh_token",)),
    "x with refresh token": lambda c: _wrong(c, "twitter_default", access_token=WRONG),
    "vk user token": lambda c: _wrong(c, "vk_default", access_token=WRONG, drop=("community_token",
                                                                                    "refresh_token")),
    "ok without refresh token": lambda c: _wrong(c, "odnoklassniki_default", access_token=WRONG,
                                                 drop=("refresh_token",)),
    "ok with refresh token": lambda c: _wrong(c, "odnoklassniki_default", access_token=WRONG),
    "yandex without refresh token": lambda c: _wrong(c, "yandex_disk_default", password=True,
                                                     drop=("refresh_token",)),
    "yandex with refresh token": lambda c: _wrong(c, "yandex_disk_default", password=True),
    "vision service token": lambda c: _wrong(c, "vk_vision_default", password=True),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_failed_test_is_true_and_never_names_the_temporary_id(case, conns, monkeypatch):
    status, message, transient = run_like_the_test_button(CASES[case](conns), monkeypatch)
    print(case, "->", message)
    assert status is False
    assert transient not in message and transient.upper() not in message
    assert "after a refresh" not in message and "refresh did not help" not in message
    assert WRONG not in message


@pytest.mark.parametrize("conn_id", ["twitter_default", "vk_default", "odnoklassniki_default", "yandex_disk_default",
                                     "vk_vision_default"])
def test_the_test_button_passes_on_every_sandbox_connection(conn_id, conns, monkeypatch):
    status, message, _ = run_like_the_test_button(conns[conn_id], monkeypatch)
    assert status is True, message


def test_a_test_under_the_users_own_id_names_it(conns, monkeypatch):
    """``hook.test_connection()`` under the user's id (a health page, a script) names that id in the command."""
    from airflow_provider_social.hooks.twitter import TwitterHook

    conn = CASES["x without refresh token"](conns)
    monkeypatch.setenv("AIRFLOW_CONN_X_MAIN", json.dumps(conn))
    status, message = TwitterHook("x_main").test_connection()
    assert status is False
    assert "the token was refused; run `airflow social auth twitter --conn-id x_main`" in message


def test_the_temporary_id_is_not_named_and_a_placeholder_is(conns, monkeypatch):
    status, message, _ = run_like_the_test_button(CASES["vk user token"](conns), monkeypatch)
    assert "`airflow social auth vk --conn-id <connection id>`" in message
    assert os.environ.get("AIRFLOW_CONN_X_MAIN") is None


def _as_the_form_saves(conn: dict, empty) -> dict:
    """Every declared field of the type present, the unfilled ones ``empty`` (the Add form stores null)."""
    from airflow_provider_social.get_provider_info import get_provider_info

    form = next(c for c in get_provider_info()["connection-types"] if c["connection-type"] == conn["conn_type"])
    saved = copy.deepcopy(conn)
    saved["extra"] = {**{name: empty for name in form["conn-fields"]},
                      **{k: v for k, v in conn["extra"].items() if k not in ("token_store", "max_retry_wait")}}
    saved.setdefault("password", None)
    return saved


@pytest.mark.parametrize("empty", [None, ""], ids=["null", "empty"])
@pytest.mark.parametrize("conn_id", ["twitter_default", "vk_default", "odnoklassniki_default", "yandex_disk_default",
                                     "vk_vision_default"])
def test_every_empty_field_saved_by_the_form_means_its_default(conn_id, empty, conns, monkeypatch, tmp_path):
    saved = _as_the_form_saves(conns[conn_id], empty)
    saved["extra"]["token_store"] = f"file:{tmp_path}"
    status, message, _ = run_like_the_test_button(saved, monkeypatch)
    assert status is True, message


def test_an_old_prefixed_value_survives_the_forms_nulls(conns, monkeypatch):
    """A connection saved by an older UI (``extra__twitter__<field>``), then edited in Airflow 3.3's form: the form
    adds every field under its plain name, the unfilled ones as null; the prefixed value still counts."""
    saved = _as_the_form_saves(conns["twitter_default"], None)
    for name in ("api_base_url", "access_token", "client_id"):
        saved["extra"][f"extra__twitter__{name}"] = saved["extra"][name]
        saved["extra"][name] = None
    status, message, _ = run_like_the_test_button(saved, monkeypatch)
    assert status is True, message
