"""Fixtures for the source tests: an HTTP file server, a ``memory://`` store, and S3 (moto_server) as ``s3://``."""

from __future__ import annotations

import pytest

from tests.sources.servers import FileServer, MotoServer

BUCKET = "media"
S3_CONN_ID = "moto_s3"


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


@pytest.fixture(scope="session")
def moto_server():
    server = MotoServer()
    yield server
    server.close()


@pytest.fixture(scope="session")
def s3_store(moto_server):
    """``s3://moto_s3@media/...``: s3fs against the moto server, attached to Airflow's object storage under the
    connection id ``moto_s3`` (the amazon provider would build the same filesystem from an ``aws`` connection)."""
    import boto3
    import s3fs
    from airflow.sdk.io.store import attach

    options = {"endpoint_url": moto_server.url, "region_name": "us-east-1"}
    boto3.client("s3", aws_access_key_id="testing", aws_secret_access_key="testing", **options
                 ).create_bucket(Bucket=BUCKET)
    fs = s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs=options, skip_instance_cache=True)
    attach("s3", conn_id=S3_CONN_ID, fs=fs)
    return fs
