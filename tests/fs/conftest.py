"""Fixtures of the ``yadisk://`` tests: the default Yandex Disk connection to the sandbox, and a filesystem on it."""

from __future__ import annotations

import fsspec
import pytest
from airflow.sdk.io import store as airflow_store

from airflow_provider_social.fs.yadisk import YandexDiskFileSystem

CONN = "yandex_disk_default"


@pytest.fixture
def disk_conn(yandex_sandbox_connection, tmp_path, sandbox):
    """The default yandex_disk connection to the sandbox (tokens rotate through a file store); Airflow's cache of
    attached stores is emptied around the test (it would keep another test's hook and token). The sandbox's clock
    is frozen and these hooks sleep for real, so asynchronous operations (a folder's delete) complete at once."""
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0, operation_duration=0)
    conn_id, _ = yandex_sandbox_connection(CONN, token_store=f"file:{tmp_path / 'tokens'}")
    _forget_stores()
    yield conn_id
    _forget_stores()
    fsspec.filesystem("memory").store.clear()


def _forget_stores():
    for alias in [alias for alias in airflow_store._STORE_CACHE if alias.startswith(("yadisk", "memory"))]:
        del airflow_store._STORE_CACHE[alias]


@pytest.fixture
def fs(disk_conn):
    return YandexDiskFileSystem(disk_conn)


