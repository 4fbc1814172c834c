from __future__ import annotations

import pytest

from airflow_provider_social.core.tokens import MemoryTokenStore


@pytest.fixture
def yandex_conn(yandex_sandbox_connection):
    """A yandex_disk connection to the sandbox with freshly minted tokens; returns (conn_id, tokens)."""
    return yandex_sandbox_connection("yandex_disk_test")


@pytest.fixture
def token_store():
    return MemoryTokenStore()
