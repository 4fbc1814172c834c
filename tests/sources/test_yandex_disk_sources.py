"""Yandex Disk uploads from any source and downloads to any store, against the sandbox and real stores: a broken
download leaves nothing under the final name, and the bytes that land are the ones sent."""

from __future__ import annotations

import hashlib

import pytest

from airflow_provider_social.core.errors import ConflictError, ValidationError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from tests.hooks.yandex_disk.conftest import SandboxSleep
from tests.sources.conftest import BUCKET, S3_CONN_ID

DATA = bytes(range(256)) * 12_000 + b"tail"  # ~2.9 MiB


@pytest.fixture
def hook(yandex_sandbox_connection, sandbox):
    conn_id, _ = yandex_sandbox_connection("yandex_disk_test")
    return YandexDiskHook(conn_id, token_store=MemoryTokenStore(), sleep=SandboxSleep(sandbox),
                          clock=sandbox.state.clock.now)


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()  # noqa: S324 - Disk reports md5


def test_upload_from_a_store_an_http_url_and_a_file_object(hook, memory_store, http_files, tmp_path):
    memory_store.pipe("/in/a.bin", DATA)
    http_files.files["b.bin"] = DATA[::-1]
    assert hook.upload_file("memory://in/a.bin", "src/a.bin", parents=True)["md5"] == _md5(DATA)
    assert hook.upload_file(f"{http_files.url}/chunked/b.bin", "src/b.bin")["md5"] == _md5(DATA[::-1])
    local = tmp_path / "c.bin"
    local.write_bytes(DATA[:1000])
    with open(local, "rb") as fh:
        assert hook.upload_file(fh, "src/c.bin")["size"] == 1000
    assert hook.upload_file(b"", "src/empty.txt")["size"] == 0  # a file store takes empty files


def test_upload_operator_takes_a_rendered_list_of_urls(hook, memory_store, http_files):
    import json

    from airflow_provider_social.operators.yandex_disk import YandexDiskUploadOperator

    memory_store.pipe("/in/x.csv", b"a,b\n")
    http_files.files["y.csv"] = b"c,d\n"
    op = YandexDiskUploadOperator(task_id="up", remote_folder="disk:/ops", yandex_disk_conn_id=hook.conn_id,
                                  local_path=json.dumps(["memory://in/x.csv", f"{http_files.url}/sized/y.csv?k=v"]))
    op.hook = hook
    result = op.execute({})
    assert [r["path"] for r in result] == ["disk:/ops/x.csv", "disk:/ops/y.csv"]
    assert result[1]["local_path"] == f"{http_files.url}/sized/y.csv"  # no query string in XCom
    with pytest.raises(ValidationError, match="local_path: item 0 is not a file path or pattern: bytes"):
        YandexDiskUploadOperator(task_id="b", remote_folder="disk:/ops", local_path=[b"a,b\n"],
                                 yandex_disk_conn_id=hook.conn_id).execute({})


def test_download_to_a_store_lands_whole_under_the_final_name(hook, memory_store):
    hook.upload_file(DATA, "dl/report.bin", parents=True)
    result = hook.download_file("disk:/dl/report.bin", "memory://out/")
    assert result["local_path"] == "memory://out/report.bin" and result["size"] == len(DATA)
    assert memory_store.cat_file("/out/report.bin") == DATA
    assert memory_store.ls("/out", detail=False) == ["/out/report.bin"]  # no temporary object left
    with pytest.raises(ConflictError, match="local_path"):
        hook.download_file("disk:/dl/report.bin", "memory://out/report.bin", overwrite=False)


def test_a_broken_download_leaves_no_partial_object(hook, sandbox, memory_store):
    hook.upload_file(DATA, "dl/broken.bin", parents=True)
    for _ in range(10):  # every attempt breaks off mid-body
        sandbox.control.add_fault(service="yandex_downloader", action="drop", drop_after_bytes=0)
    with pytest.raises(Exception, match="broke off|download"):
        hook.download_file("disk:/dl/broken.bin", "memory://out2/broken.bin")
    assert not memory_store.exists("/out2/broken.bin")
    assert not memory_store.exists("/out2/.broken.bin.part")


def test_download_operator_to_s3_and_upload_back(hook, s3_store):
    from airflow_provider_social.operators.yandex_disk import YandexDiskDownloadOperator

    hook.upload_file(DATA, "dl/s3.bin", parents=True)
    op = YandexDiskDownloadOperator(task_id="dl", remote_path="disk:/dl/s3.bin", yandex_disk_conn_id=hook.conn_id,
                                    local_path=f"s3://{S3_CONN_ID}@{BUCKET}/backups/s3.bin")
    op.hook = hook
    assert op.execute({})["size"] == len(DATA)
    assert s3_store.cat_file(f"{BUCKET}/backups/s3.bin") == DATA
    assert s3_store.ls(f"{BUCKET}/backups", detail=False) == [f"{BUCKET}/backups/s3.bin"]
    back = hook.upload_file(f"s3://{S3_CONN_ID}@{BUCKET}/backups/s3.bin", "dl/back.bin")
    assert back["md5"] == _md5(DATA)
