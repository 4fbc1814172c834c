"""``yadisk://`` <-> ``s3://`` through ObjectStoragePath: moto's S3-compatible server and the Yandex sandbox."""

from __future__ import annotations

import os

from airflow.sdk import ObjectStoragePath

from tests.fs.conftest import disk_conn  # noqa: F401 - the yadisk:// tests' connection fixture
from tests.sources.conftest import BUCKET, S3_CONN_ID

DATA = os.urandom(3 * 1024 * 1024 + 17)  # several of fsspec's blocks and a tail


def s3(key: str) -> ObjectStoragePath:
    return ObjectStoragePath(f"s3://{S3_CONN_ID}@{BUCKET}/{key}")


def test_s3_to_disk_and_back(disk_conn, s3_store):  # noqa: F811 - the imported fixture
    s3_store.pipe(f"{BUCKET}/dumps/db.sql", DATA)
    backup = ObjectStoragePath(f"yadisk://{disk_conn}@/backups/db.sql")
    s3("dumps/db.sql").copy(backup)
    assert backup.read_bytes() == DATA and backup.stat().st_size == len(DATA)

    backup.copy(s3("restored/db.sql"))
    assert s3_store.cat(f"{BUCKET}/restored/db.sql") == DATA

    backup.move(s3("moved/db.sql"))
    assert not backup.exists() and s3_store.cat(f"{BUCKET}/moved/db.sql") == DATA
    again = ObjectStoragePath(f"yadisk://{disk_conn}@/backups/again.sql")
    s3("moved/db.sql").move(again)
    assert not s3_store.exists(f"{BUCKET}/moved/db.sql") and again.read_bytes() == DATA


def test_an_s3_prefix_copied_to_disk(disk_conn, s3_store):  # noqa: F811 - the imported fixture
    for name in ("a.csv", "b.zip", "deeper/c.txt"):
        s3_store.pipe(f"{BUCKET}/prefix/{name}", name.encode() * 100)
    target = ObjectStoragePath(f"yadisk://{disk_conn}@/mirror")
    s3("prefix").copy(target, recursive=True)
    copied = sorted(p.path for p in target.glob("**/*") if p.is_file())
    # Airflow's copy between stores keeps the source's key under the target folder.
    assert copied == ["/mirror/prefix/a.csv", "/mirror/prefix/b.zip", "/mirror/prefix/deeper/c.txt"]
    assert (target / "prefix" / "b.zip").read_bytes() == b"b.zip" * 100
