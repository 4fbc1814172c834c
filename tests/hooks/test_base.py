"""SocialHook behaviour shared by every service (exercised through the smallest hook, Yandex Disk)."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.tokens import FileTokenStore, VariableTokenStore
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


def test_token_store_setting_is_validated(make_connection, tmp_path):
    make_connection("ydx_store_file", "yandex_disk", password="t" * 10, token_store=f"file:{tmp_path}")
    assert isinstance(YandexDiskHook("ydx_store_file").token_store, FileTokenStore)
    make_connection("ydx_store_default", "yandex_disk", password="t" * 10)
    assert isinstance(YandexDiskHook("ydx_store_default").token_store, VariableTokenStore)
    make_connection("ydx_store_bad", "yandex_disk", password="t" * 10, token_store="memory")
    with pytest.raises(ValidationError, match="token_store: expected 'variable', 'file:<directory>', 'postgres:<con"):
        YandexDiskHook("ydx_store_bad").token_store
    make_connection("ydx_store_pg", "yandex_disk", password="t" * 10, token_store="postgres:tokens_pg")
    store = YandexDiskHook("ydx_store_pg").token_store
    assert type(store).__name__ == "PostgresTokenStore" and store.conn_id == "tokens_pg"
    make_connection("ydx_store_redis", "yandex_disk", password="t" * 10, token_store="redis:tokens_redis")
    store = YandexDiskHook("ydx_store_redis").token_store
    assert type(store).__name__ == "RedisTokenStore" and store.conn_id == "tokens_redis"
    make_connection("ydx_store_noconn", "yandex_disk", password="t" * 10, token_store="postgres:")
    with pytest.raises(ValidationError, match="token_store: expected"):
        YandexDiskHook("ydx_store_noconn").token_store


def test_endpoints_default_to_the_real_service_and_are_overridable(make_connection):
    make_connection("ydx_default_urls", "yandex_disk", password="t" * 10)
    hook = YandexDiskHook("ydx_default_urls")
    assert hook.endpoint("api_base_url") == "https://cloud-api.yandex.net"
    make_connection("ydx_proxy_urls", "yandex_disk", password="t" * 10, api_base_url="http://127.0.0.1:9/disk/")
    assert YandexDiskHook("ydx_proxy_urls").url("api_base_url", "/v1/disk") == "http://127.0.0.1:9/disk/v1/disk"
    with pytest.raises(ValidationError, match="upload_url: not an endpoint of Yandex Disk"):
        hook.endpoint("upload_url")


def test_transport_settings_come_from_the_connection(make_connection, tmp_path):
    bundle = tmp_path / "custom.pem"  # the bundle must exist on the task's host (checked before any call)
    bundle.write_text("-----BEGIN CERTIFICATE-----\n")
    make_connection(
        "ydx_transport", "yandex_disk", password="t" * 10, timeout=30, max_retries=2, max_retry_wait=9,
        proxy="http://127.0.0.1:3128", ca_bundle=str(bundle),
    )
    transport = YandexDiskHook("ydx_transport").transport
    assert transport.timeout == (10.0, 30.0)
    assert transport.retry.max_attempts == 3 and transport.retry.max_total_wait == 9
    assert transport.proxies == {"http": "http://127.0.0.1:3128", "https": "http://127.0.0.1:3128"}
    assert transport.verify == str(bundle)
    assert transport.session.headers["User-Agent"].startswith("airflow-provider-social/")


def test_test_connection_reports_failures_without_secrets(make_connection):
    secret = "y0_this-token-must-never-show"
    make_connection("ydx_unreachable", "yandex_disk", password=secret, api_base_url="http://127.0.0.1:9",
                    max_retries=0)
    ok, message = YandexDiskHook("ydx_unreachable").test_connection()
    assert not ok and "connection to http://127.0.0.1:9" in message and secret not in message
