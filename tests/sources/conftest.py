"""Fixtures for the source tests: an HTTP file server and a ``memory://`` store (S3 as ``s3://``: the session's
``moto_server`` and ``s3_store`` of tests/conftest.py)."""

from __future__ import annotations

import pytest

from tests.sources.servers import BUCKET, S3_CONN_ID, FileServer  # noqa: F401 - the S3 names the tests use


@pytest.fixture
def http_files():
    server = FileServer()
    yield server
    server.close()


@pytest.fixture
def memory_store():
    """``memory://`` attached to Airflow's object storage (Airflow registers no filesystem for it by itself), empty
    for each test."""
    from airflow.sdk.io.store import attach
    from fsspec.implementations.memory import MemoryFileSystem

    fs = MemoryFileSystem()
    fs.store.clear()
    fs.pseudo_dirs.clear()
    fs.pseudo_dirs.append("")
    attach("memory", fs=fs)
    return fs
