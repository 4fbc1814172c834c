from __future__ import annotations

import pytest

from airflow_provider_social.core.tokens import MemoryTokenStore


@pytest.fixture
def yandex_conn(sandbox, make_connection):
    """A yandex_disk connection to the sandbox with freshly minted tokens; returns (conn_id, tokens)."""
    tokens = sandbox.control.mint_tokens("yandex")
    conn_id = make_connection(
        "yandex_disk_test",
        "yandex_disk",
        password=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        api_base_url=f"{sandbox.base_url}/yandex-disk",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth",
        max_retry_wait=5,
    )
    return conn_id, tokens


@pytest.fixture
def token_store():
    return MemoryTokenStore()
