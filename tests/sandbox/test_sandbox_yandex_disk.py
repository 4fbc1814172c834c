"""``GET /v1/disk`` on the Yandex Disk slice: shape, content types and the exact 401 body."""

from __future__ import annotations

import pytest
from sandbox_helpers import UNAUTHORIZED_BODY


def assert_unauthorized(response):
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/json"
    assert response.content.decode() == UNAUTHORIZED_BODY


def test_disk_info(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    response = yandex.disk(token)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    body = response.json()
    assert body["total_space"] == 10 * 1024**3
    assert body["used_space"] == 0
    assert body["trash_size"] == 0
    assert body["max_file_size"] == 1073741824
    assert body["paid_max_file_size"] == 53687091200
    assert body["is_paid"] is False
    assert body["system_folders"]["applications"] == "disk:/Приложения"
    assert body["user"]["uid"] == "1000000001"
    assert {"login", "display_name"} <= set(body["user"])
    assert sandbox.control.created() == []  # reads record nothing


def test_fields_parameter(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    body = yandex.disk(token, fields="total_space,user.login").json()
    assert body == {"total_space": 10 * 1024**3, "user": {"login": "sandbox-user"}}


def test_state_dump_shows_disks(sandbox):
    dump = sandbox.control.state("yandex_disk")
    assert dump["disks"]["1000000001"]["total_space"] == 10 * 1024**3
    assert sandbox.control.state("yandex")["service"] == "yandex"


@pytest.mark.parametrize("token", [None, "", "y0_not-a-real-token"])
def test_missing_or_unknown_token(yandex, token):
    assert_unauthorized(yandex.disk(token))


def test_bearer_scheme_is_refused(yandex, sandbox):
    token = sandbox.control.mint_tokens("yandex")["access_token"]
    assert_unauthorized(yandex.disk(token, scheme="Bearer"))


def test_expired_token_by_control_and_by_clock(yandex, sandbox):
    first = sandbox.control.mint_tokens("yandex")["access_token"]
    sandbox.control.expire_token("yandex", first)
    assert_unauthorized(yandex.disk(first))
    second = sandbox.control.mint_tokens("yandex")["access_token"]
    sandbox.control.advance(31536000 - 1)
    assert yandex.disk(second).status_code == 200
    sandbox.control.advance(1)
    assert_unauthorized(yandex.disk(second))


def test_revoked_token(yandex, sandbox):
    tokens = sandbox.control.mint_tokens("yandex")
    sandbox.control.revoke_token("yandex", tokens["access_token"])
    assert_unauthorized(yandex.disk(tokens["access_token"]))
    reason = sandbox.state.oauth["yandex"].validate_access_token(tokens["access_token"]).reason
    assert reason == "revoked"
