"""Writing downloads and exports to a local path or a store (core/targets.py): atomic on every store."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.targets import is_storage_target, storage_target, write_atomically
from tests.sources.conftest import BUCKET, S3_CONN_ID

BLOCK = b"x" * (1 << 20)


def _broken(blocks: int):
    for _ in range(blocks):
        yield BLOCK
    raise OSError("the connection broke off")


def _target(url: str):
    return storage_target(url, field="output_path")


def test_a_transfer_that_breaks_leaves_the_old_object_and_no_partial_one(memory_store, tmp_path):
    memory_store.pipe("/out/report.bin", b"old")
    for url in ("memory://out/report.bin", f"file://{tmp_path}/report.bin"):
        with pytest.raises(OSError, match="broke off"):
            write_atomically(_broken(3), _target(url))
    assert memory_store.cat_file("/out/report.bin") == b"old"
    assert memory_store.ls("/out", detail=False) == ["/out/report.bin"]
    assert list(tmp_path.iterdir()) == []
    assert write_atomically([BLOCK, memoryview(b"end")], _target("memory://out/report.bin")) == len(BLOCK) + 3
    assert memory_store.cat_file("/out/report.bin") == BLOCK + b"end"


def test_a_folder_target_keeps_the_name_and_unknown_schemes_are_refused(memory_store):
    memory_store.mkdir("/dir")
    assert str(storage_target("memory://dir", field="f", name="a.txt")) == "memory://dir/a.txt"
    assert str(storage_target("memory://new/", field="f", name="a.txt")) == "memory://new/a.txt"
    with pytest.raises(ValidationError, match="output_path: nosuch://x/y: Airflow's object storage has no"):
        _target("nosuch://x/y")
    assert is_storage_target("s3://b/k") and not is_storage_target("file:///tmp/x") and not is_storage_target("/x")


def test_s3_writes_are_moved_into_place_whole(s3_store):
    url = f"s3://{S3_CONN_ID}@{BUCKET}/atomic/big.bin"
    with pytest.raises(OSError, match="broke off"):
        write_atomically(_broken(7), _target(url))  # past one 5 MiB part: a multipart upload had begun
    s3_store.invalidate_cache()
    assert not s3_store.exists(f"{BUCKET}/atomic/big.bin") and not s3_store.exists(f"{BUCKET}/atomic/.big.bin.part")
    assert write_atomically([BLOCK] * 6, _target(url)) == 6 * len(BLOCK)
    assert s3_store.ls(f"{BUCKET}/atomic", detail=False, refresh=True) == [f"{BUCKET}/atomic/big.bin"]


def test_file_urls_and_local_object_storage_paths_are_output_targets(tmp_path):
    """A file:// URL was taken for the relative local path "file:/..."; a file:// ObjectStoragePath was refused."""
    from airflow.sdk import ObjectStoragePath

    from airflow_provider_social.core.targets import output_target

    for value in (f"file://{tmp_path}/a/url.bin", ObjectStoragePath(f"file://{tmp_path}/a/osp.bin")):
        write_atomically([b"x"], output_target(value, field="path"))
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["osp.bin", "url.bin"]
