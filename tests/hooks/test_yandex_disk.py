"""YandexDiskHook against the sandbox: auth, refresh through the token store, errors."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from airflow_provider_social.core.errors import AuthenticationError, ReauthorizationRequired, ValidationError
from airflow_provider_social.core.tokens import FileTokenStore
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


def test_get_disk_info(yandex_conn, token_store, fake_sleep):
    conn_id, _ = yandex_conn
    info = YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep).get_disk_info()
    assert info["max_file_size"] == 1073741824 and "total_space" in info


def test_test_connection_reports_space_without_secrets(yandex_conn, token_store):
    conn_id, tokens = yandex_conn
    ok, message = YandexDiskHook(conn_id, token_store=token_store).test_connection()
    assert ok and "GiB used" in message
    assert tokens["access_token"] not in message


def test_test_connection_never_refreshes(sandbox, yandex_conn, token_store):
    conn_id, tokens = yandex_conn
    sandbox.control.expire_token("yandex", tokens["access_token"])
    ok, message = YandexDiskHook(conn_id, token_store=token_store).test_connection()
    assert not ok and "does not refresh" in message
    assert token_store.load(conn_id) is None  # nothing rotated, nothing lost


def test_expired_access_token_is_refreshed_and_persisted(sandbox, yandex_conn, token_store, fake_sleep):
    conn_id, tokens = yandex_conn
    sandbox.control.expire_token("yandex", tokens["access_token"])
    hook = YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep)
    assert hook.get_disk_info()["max_file_size"] > 0
    stored = token_store.load(conn_id)
    assert stored.refresh_token and stored.refresh_token != tokens["refresh_token"]
    # A later task starts from the store, not from the (now spent) refresh token in the Connection.
    assert YandexDiskHook(conn_id, token_store=token_store).get_disk_info()


def test_revoked_refresh_token_asks_to_reauthorise(sandbox, yandex_conn, token_store, fake_sleep):
    conn_id, tokens = yandex_conn
    sandbox.control.revoke_token("yandex", tokens["refresh_token"])
    sandbox.control.expire_token("yandex", tokens["access_token"])
    hook = YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep)
    hook.token_manager.rotation_wait = 0
    with pytest.raises(ReauthorizationRequired) as info:
        hook.get_disk_info()
    text = str(info.value)
    assert f"airflow social auth yandex --conn-id {conn_id}" in text
    assert tokens["refresh_token"] not in text and tokens["access_token"] not in text


def test_a_refused_token_that_cannot_be_refreshed_names_this_connections_command(sandbox, yandex_sandbox_connection,
                                                                                 token_store, fake_sleep):
    """The policy reads the call's context: the hint names the command for this connection, not a generic one."""
    conn_id, tokens = yandex_sandbox_connection("ydx_no_refresh", refresh_token=None)
    sandbox.control.revoke_token("yandex", tokens["access_token"])
    with pytest.raises(AuthenticationError) as info:
        YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep).get_disk_info()
    assert info.value.api_code == "UnauthorizedError"
    assert info.value.hint.endswith(f"run `airflow social auth yandex --conn-id {conn_id}`")
    assert tokens["access_token"] not in str(info.value)


def test_the_connections_expiry_is_read_as_iso_time_or_refused_naming_the_field(sandbox, yandex_sandbox_connection,
                                                                                token_store, fake_sleep):
    conn_id, _ = yandex_sandbox_connection("ydx_iso_expiry", expires_at="2099-01-01T00:00:00+00:00")
    hook = YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep)
    assert hook.token_manager.current().expires_at == 4070908800.0
    conn_id, _ = yandex_sandbox_connection("ydx_bad_expiry", expires_at="soon")
    with pytest.raises(ValidationError, match="expires_at"):
        YandexDiskHook(conn_id, token_store=token_store, sleep=fake_sleep).get_disk_info()


def test_device_flow_authorises(sandbox, make_connection, fake_sleep, fake_clock):
    approved = []

    def show(device):
        approved.append(device.user_code)

    def sleep(seconds):
        fake_sleep(seconds)
        sandbox.control.advance(seconds)  # the sandbox enforces the interval on its own clock
        if len(fake_sleep.calls) == 2:  # the user approves while we poll
            sandbox.control.approve_device("yandex", approved[0])

    hook = YandexDiskHook.for_authorization(
        conn_id="new_conn", client_id="sandbox-client", client_secret="sandbox-secret",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth", sleep=sleep, clock=fake_clock,
    )
    tokens = hook.authorize_device(on_code=show)
    assert tokens.access_token and tokens.refresh_token
    assert fake_sleep.calls == [5.0, 5.0]  # the server's interval


def test_device_flow_denied_is_a_clear_error(sandbox, fake_sleep, fake_clock):
    codes = []

    def sleep(seconds):
        fake_sleep(seconds)
        sandbox.control.advance(seconds)
        sandbox.control.approve_device("yandex", codes[0], deny=True)

    hook = YandexDiskHook.for_authorization(
        conn_id="new_conn", client_id="sandbox-client", client_secret="sandbox-secret",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth", sleep=sleep, clock=fake_clock,
    )
    with pytest.raises(AuthenticationError, match="denied"):
        hook.authorize_device(on_code=lambda d: codes.append(d.user_code))


def test_device_flow_expiry_is_a_clear_error(sandbox, fake_sleep, fake_clock):
    hook = YandexDiskHook.for_authorization(
        conn_id="new_conn", client_id="sandbox-client", client_secret="sandbox-secret",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth", sleep=fake_sleep, clock=fake_clock,
    )
    with pytest.raises(AuthenticationError, match="not approved within|no longer valid"):
        hook.authorize_device(on_code=lambda d: None)


def test_device_flow_slows_down_when_told_and_the_sandbox_counts_it(sandbox, fake_sleep, fake_clock):
    """RFC 8628 slow_down: the next polls wait 5 s more. Here the sandbox clock lags the client's by 1 s per poll,
    as a server's clock may, so the first second poll is early; after slowing down no poll is early again."""
    codes = []

    def sleep(seconds):
        fake_sleep(seconds)
        sandbox.control.advance(seconds - 1 if len(fake_sleep.calls) == 2 else seconds)
        if len(fake_sleep.calls) == 4:
            sandbox.control.approve_device("yandex", codes[0])

    hook = YandexDiskHook.for_authorization(
        conn_id="new_conn", client_id="sandbox-client", client_secret="sandbox-secret",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth", sleep=sleep, clock=fake_clock,
    )
    tokens = hook.authorize_device(on_code=lambda d: codes.append(d.user_code))
    assert tokens.access_token
    assert fake_sleep.calls == [5.0, 5.0, 10.0, 10.0]
    assert sandbox.control.state("yandex")["slow_down"] == 1


@pytest.mark.parametrize(
    ("answer", "message"),
    [
        ({"error": "bad_verification_code", "error_description": "Invalid code"}, "does not recognise the device"),
        ({"error": "invalid_grant", "error_description": "Code has expired"}, "expired or already used"),
        ({"error": "expired_token", "error_description": "expired"}, "the device code expired"),
    ],
)
def test_each_device_flow_refusal_has_a_clear_message(make_connection, answer, message, fake_sleep, fake_clock):
    from tests.core.scripted_server import ScriptedServer

    server = ScriptedServer()
    try:
        device = {"device_code": "d" * 32, "user_code": "abcdefgh", "verification_url": "https://ya.ru/device",
                  "interval": 5, "expires_in": 300}
        server.script = [(200, {}, device), (400, {}, answer)]
        hook = YandexDiskHook.for_authorization(
            conn_id="new_conn", client_id="sandbox-client", client_secret="sandbox-secret",
            oauth_base_url=server.url, sleep=fake_sleep, clock=fake_clock,
        )
        with pytest.raises(AuthenticationError, match=message) as info:
            hook.authorize_device(on_code=lambda d: None)
        assert info.value.api_code == answer["error"] and info.value.hint
    finally:
        server.close()


# ------------------------------------------------------------------------------------------ concurrency

def _refresher(conn_id: str, store_dir: str, barrier, results) -> None:
    try:
        hook = YandexDiskHook(conn_id, token_store=FileTokenStore(store_dir))
        barrier.wait(30)
        hook.get_disk_info()  # 401 (expired on the server) -> refresh -> retry
        results.put("ok")
    except Exception as exc:  # reported to the parent
        results.put(f"{type(exc).__name__}: {exc}")


@pytest.mark.slow  # starts processes
def test_twenty_concurrent_processes_share_one_single_use_refresh_token(sandbox, yandex_conn, tmp_path):
    conn_id, tokens = yandex_conn
    sandbox.control.expire_token("yandex", tokens["access_token"])
    ctx = multiprocessing.get_context("fork")
    barrier, results = ctx.Barrier(20), ctx.Queue()
    procs = [ctx.Process(target=_refresher, args=(conn_id, str(tmp_path), barrier, results)) for _ in range(20)]
    for p in procs:
        p.start()
    outcomes = [results.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(30)
    assert outcomes == ["ok"] * 20
    stored = FileTokenStore(tmp_path).load(conn_id)
    assert stored.refresh_token != tokens["refresh_token"]
    # The refresh token left in the store still works: force one more refresh with it.
    hook = YandexDiskHook(conn_id, token_store=FileTokenStore(tmp_path))
    assert hook.token_manager.refresh(force=True).refresh_token != stored.refresh_token
    assert hook.get_disk_info()


def test_twenty_concurrent_threads_with_separate_hooks(sandbox, yandex_conn, token_store):
    conn_id, tokens = yandex_conn
    sandbox.control.expire_token("yandex", tokens["access_token"])
    errors = []

    def work():
        try:
            YandexDiskHook(conn_id, token_store=token_store).get_disk_info()
        except Exception as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert YandexDiskHook(conn_id, token_store=token_store).token_manager.refresh(force=True)
