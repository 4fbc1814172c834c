"""Every transport setting of a Connection is checked (type, range) before any network call, naming the field."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("timeout", -5, "field timeout: expected a number from 0.001 to 3600, got -5"),
        ("timeout", "soon", "field timeout: expected a number from 0.001 to 3600, got 'soon'"),
        ("max_retries", -3, "field max_retries: expected a whole number from 0 to 20, got -3"),
        ("max_retries", 2.5, "field max_retries: expected a whole number from 0 to 20, got 2.5"),
        ("max_retry_wait", "nan", "field max_retry_wait: expected a number from 0 to 86400, got 'nan'"),
        ("proxy", "127.0.0.1:3128", "field proxy: expected a proxy URL"),
        ("ca_bundle", "certs/ca.pem", "field ca_bundle: expected true, false or an absolute path"),
        ("token_store", "redis", "token_store: expected 'variable', 'file:<directory>', 'postgres:<connection id>'"),
        ("token_store", "file:relative/dir", "token_store: 'file:' needs an absolute directory"),
        ("token_store", "postgres:no_such_conn", "token_store: 'postgres:no_such_conn' names connection 'no_such_co"),
        ("token_store", "redis:no_such_conn", "token_store: 'redis:no_such_conn' names connection 'no_such_conn'"),
        ("ca_bundle", "/no/such/dir/ca.pem", "field ca_bundle: no file at '/no/such/dir/ca.pem'"),
        ("api_base_url", "not-a-url", "field api_base_url: expected an http\\(s\\) URL such as https://"),
        ("api_base_url", "127.0.0.1:8765/disk", "field api_base_url: expected an http\\(s\\) URL"),
    ],
)
def test_bad_settings_are_refused_before_any_call(make_connection, scripted, field, value, expected):
    conn_id = f"ydx_bad_{field}"
    make_connection(conn_id, "yandex_disk", password="t" * 10, **{"api_base_url": scripted.url, field: value})
    hook = YandexDiskHook(conn_id)
    with pytest.raises(ValidationError, match=expected) as info:
        hook.get_disk_info()
    if field != "token_store":
        assert f"connection {conn_id!r}" in str(info.value)
    assert scripted.requests == []
    ok, message = YandexDiskHook(conn_id).test_connection()
    assert not ok and field in message


def test_good_settings_in_their_string_forms_are_accepted(make_connection):
    make_connection("ydx_strings", "yandex_disk", password="t" * 10, timeout="30", max_retries="2",
                    max_retry_wait="9.5", ca_bundle="false")
    transport = YandexDiskHook("ydx_strings").transport
    assert transport.timeout == (10.0, 30.0)
    assert transport.retry.max_attempts == 3 and transport.retry.max_total_wait == 9.5
    assert transport.verify is False


def test_a_hook_takes_a_loaded_connection_instead_of_reading_it(make_connection, monkeypatch):
    make_connection("ydx_given", "yandex_disk", password="t" * 10, api_base_url="http://127.0.0.1:9/given")
    loaded = YandexDiskHook("ydx_given").connection
    monkeypatch.delenv("AIRFLOW_CONN_YDX_GIVEN")
    hook = YandexDiskHook("ydx_given", connection=loaded)
    assert hook.endpoint("api_base_url") == "http://127.0.0.1:9/given"
    monkeypatch.setenv("AIRFLOW_CONN_YDX_GIVEN", loaded.as_json())
    for_trigger = asyncio.run(YandexDiskHook.for_trigger("ydx_given"))
    assert isinstance(for_trigger, YandexDiskHook) and for_trigger.conn_id == "ydx_given"
    assert for_trigger.endpoint("api_base_url") == "http://127.0.0.1:9/given"


def test_a_declared_call_carries_its_own_options(make_connection, scripted):
    make_connection("ydx_declared", "yandex_disk", password="t" * 10, api_base_url=scripted.url)
    hook = YandexDiskHook("ydx_declared")
    call = ApiCall("get resource", "GET", "/v1/disk/resources/{name}", idempotent=True)
    scripted.script = [(503, {}, {}), (200, {}, {"name": "a b"})]
    hook.sleep = lambda seconds: None
    assert hook.call_api(call, path_params={"name": "a b/c"}, params={"x": 1}).json() == {"name": "a b"}
    assert [r["path"] for r in scripted.requests] == ["/v1/disk/resources/a%20b%2Fc?x=1"] * 2
    assert scripted.requests[0]["headers"]["Authorization"] == "OAuth " + "t" * 10
    scripted.requests.clear()
    scripted.script = [(503, {}, {})]
    create = ApiCall("create", "POST", "/v1/things")
    with pytest.raises(Exception, match="create"):
        hook.call_api(create)
    assert len(scripted.requests) == 1  # a create-call that may have landed is not blindly re-sent
