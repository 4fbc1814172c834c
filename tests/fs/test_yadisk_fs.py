"""``yadisk://`` against the sandbox: the fsspec filesystem, its file objects, and Airflow's ObjectStoragePath."""

from __future__ import annotations

import hashlib
import io
import os

import fsspec
import pytest
from airflow.sdk import ObjectStoragePath
from airflow.sdk.io import get_fs
from airflow.sdk.io import store as airflow_store

from airflow_provider_social.fs.yadisk import YandexDiskFileSystem, from_disk, to_disk
from airflow_provider_social.get_provider_info import get_provider_info
from tests.fs.conftest import CONN


def downloads(sandbox):
    return sandbox.control.requests()["by_service"].get("yandex_downloader", 0)


def test_the_provider_registers_the_scheme_for_airflow(disk_conn):
    assert get_provider_info()["filesystems"] == ["airflow_provider_social.fs.yadisk"]
    filesystem = get_fs("yadisk", disk_conn)
    assert isinstance(filesystem, YandexDiskFileSystem) and filesystem.conn_id == disk_conn
    assert get_fs("yadisk", None).conn_id == CONN
    assert get_fs("yadisk", "other", {"permanently": True}).permanently is True


@pytest.mark.parametrize(("url", "path"), [
    ("yadisk://yandex_disk_default@/backups/db.sql", "/backups/db.sql"),
    ("yadisk:///backups/db.sql", "/backups/db.sql"),
    ("yadisk://backups/db.sql", "/backups/db.sql"),
    ("disk:/backups/db.sql", "/backups/db.sql"),
    ("/backups/", "/backups"),
    ("yadisk://", ""),
])
def test_paths(url, path):
    assert YandexDiskFileSystem._strip_protocol(url) == path
    assert from_disk(to_disk(path)) == path


def test_the_url_form_airflow_parses(disk_conn):
    path = ObjectStoragePath("yadisk://yandex_disk_default@/backups/db.sql")
    assert (path.protocol, path.conn_id, path.path, path.key) == ("yadisk", CONN, "/backups/db.sql", "backups/db.sql")
    assert str(path) == "yadisk://yandex_disk_default@/backups/db.sql"
    assert isinstance(path.fs, YandexDiskFileSystem) and path.fs.conn_id == CONN
    child = path.parent / "other.txt"
    assert (child.conn_id, child.path) == (CONN, "/backups/other.txt")


def test_tree_operations(fs, sandbox):
    fs.mkdir("/a/b")  # parents by default
    with pytest.raises(FileExistsError):
        fs.mkdir("/a/b")
    fs.makedirs("/a/b", exist_ok=True)
    fs.pipe_file("/a/b/one.txt", b"one")
    fs.pipe_file("/a/two.csv", b"two,2\n")
    assert fs.ls("/a", detail=False) == ["/a/b", "/a/two.csv"]
    info = fs.info("/a/two.csv")
    assert (info["name"], info["type"], info["size"]) == ("/a/two.csv", "file", 6)
    assert info["md5"] == hashlib.md5(b"two,2\n").hexdigest()  # noqa: S324 - Disk's tag
    assert info["sha256"] == hashlib.sha256(b"two,2\n").hexdigest()
    assert fs.checksum("/a/two.csv") == int(info["md5"], 16)
    assert fs.info("/a")["type"] == "directory" and fs.isdir("/a") and fs.isfile("/a/b/one.txt")
    assert fs.ls("/a/two.csv", detail=False) == ["/a/two.csv"]
    assert fs.exists("/a/b/one.txt") and not fs.exists("/nope")
    with pytest.raises(FileNotFoundError):
        fs.info("/nope")
    with pytest.raises(FileNotFoundError):
        fs.ls("/nope")
    assert fs.created("/a/two.csv").year >= 2024 and fs.modified("/a/two.csv").tzinfo is not None

    fs.cp_file("/a/two.csv", "/a/copy.csv")
    fs.mv("/a/copy.csv", "/a/b")  # into an existing folder, as fsspec moves
    assert fs.cat_file("/a/b/copy.csv") == b"two,2\n"
    fs.mv("/a/b/copy.csv", "/a/renamed.csv")
    assert sorted(fs.find("/a")) == ["/a/b/one.txt", "/a/renamed.csv", "/a/two.csv"]
    assert fs.glob("/a/*.csv") == ["/a/renamed.csv", "/a/two.csv"]

    with pytest.raises(IsADirectoryError):
        fs.rm("/a/b")
    with pytest.raises(OSError, match="not empty"):
        fs.rmdir("/a/b")
    fs.rm("/a/*.csv")
    fs.rm("/a/b", recursive=True)
    assert fs.ls("/a") == []
    fs.rmdir("/a")
    assert not fs.exists("/a")
    trash = [p for p in sandbox.control.state("yandex_disk")["trees"][next(iter(
        sandbox.control.state("yandex_disk")["trees"]))] if p.startswith("trash:/")]
    assert len(trash) == 4  # two csv files, the folder b, the folder a: the trash by default


def test_rm_permanently_skips_the_trash(disk_conn, sandbox):
    fs = YandexDiskFileSystem(disk_conn, permanently=True)
    fs.pipe_file("/gone.txt", b"x")
    fs.rm("/gone.txt")
    trees = sandbox.control.state("yandex_disk")["trees"]
    assert not any(p.startswith("trash:/") for tree in trees.values() for p in tree)


def test_reading_is_one_download_until_a_seek_asks_for_a_range(fs, sandbox):
    data = os.urandom(10_000)
    fs.pipe_file("/r.bin", data)
    before = downloads(sandbox)
    with fs.open("/r.bin", "rb", block_size=1000) as fh:
        assert b"".join(iter(lambda: fh.read(700), b"")) == data
        sequential = downloads(sandbox) - before
        fh.seek(2500)
        assert fh.read(10) == data[2500:2510]
        fh.seek(9000)
        assert fh.read() == data[9000:]
    assert sequential == 2  # the download href and its redirect: one download for the whole sequential read
    with pytest.raises(IsADirectoryError):
        fs.open("/", "rb")
    with pytest.raises(FileNotFoundError):
        fs.open("/missing.bin", "rb")
    assert downloads(sandbox) - before == 6  # each seek back: another href, asked for with a Range


def test_random_access_works_when_the_download_host_ignores_range(fs, sandbox):
    sandbox.control.configure("yandex_disk", download_ranges=0)
    data = os.urandom(5_000)
    fs.pipe_file("/r.txt", data)
    with fs.open("/r.txt", "rb", block_size=500) as fh:
        fh.seek(3000)
        assert fh.read(100) == data[3000:3100]  # the whole file came (200) and was skipped forward
        fh.seek(10)
        assert fh.read(5) == data[10:15]
    assert fs.read_block("/r.txt", 4990, 100) == data[4990:]


def test_exclusive_create(fs):
    with fs.open("/x.txt", "xb") as fh:
        fh.write(b"1")
    with pytest.raises(FileExistsError):
        fs.open("/x.txt", "xb")
    with pytest.raises(FileExistsError):
        fs.put_file(__file__, "/x.txt", mode="create")


def test_object_storage_path_reads_writes_and_lists(disk_conn):
    base = ObjectStoragePath(f"yadisk://{disk_conn}@/reports")
    (base / "2026" / "a.txt").write_text("alpha")  # parents are made, as object stores do
    (base / "2026" / "b.csv").write_bytes(b"b,1\n")
    assert (base / "2026" / "a.txt").read_text() == "alpha"
    assert sorted(p.name for p in (base / "2026").iterdir()) == ["a.txt", "b.csv"]
    assert [p.name for p in base.glob("**/*.csv")] == ["b.csv"]
    assert (base / "2026" / "b.csv").stat().st_size == 4 and (base / "2026").is_dir()
    assert (base / "2026" / "a.txt").checksum() == int(hashlib.md5(b"alpha").hexdigest(), 16)  # noqa: S324
    (base / "2026" / "a.txt").move(base / "a.txt")
    assert (base / "a.txt").exists() and not (base / "2026" / "a.txt").exists()
    (base / "a.txt").copy(base / "c.txt")  # the same store: Disk copies it, no bytes through the worker
    assert (base / "c.txt").read_text() == "alpha"
    (base / "c.txt").unlink()
    assert sorted(p.name for p in base.iterdir()) == ["2026", "a.txt"]


def test_copy_and_move_to_and_from_memory_and_file(disk_conn, tmp_path):
    # No provider registers memory:// with Airflow: a DAG attaches it by hand, as here.
    airflow_store.attach("memory", fs=fsspec.filesystem("memory"))
    disk = ObjectStoragePath(f"yadisk://{disk_conn}@/backups")
    memory = ObjectStoragePath("memory://bucket/db.sql")
    memory.write_bytes(b"CREATE TABLE t (id int);\n" * 1000)

    memory.copy(disk / "db.sql")
    assert (disk / "db.sql").read_bytes() == memory.read_bytes()
    (disk / "db.sql").copy(ObjectStoragePath("memory://back/db.sql"))
    assert ObjectStoragePath("memory://back/db.sql").read_bytes() == memory.read_bytes()

    local = tmp_path / "dump.zip"
    local.write_bytes(os.urandom(50_000))
    ObjectStoragePath(f"file://{local}").copy(disk / "dump.zip")
    assert (disk / "dump.zip").read_bytes() == local.read_bytes()
    (disk / "dump.zip").copy(ObjectStoragePath(f"file://{tmp_path / 'again.zip'}"))
    assert (tmp_path / "again.zip").read_bytes() == local.read_bytes()

    (disk / "db.sql").move(ObjectStoragePath("memory://moved/db.sql"))
    assert not (disk / "db.sql").exists() and ObjectStoragePath("memory://moved/db.sql").exists()
    ObjectStoragePath("memory://moved/db.sql").move(disk / "in" / "db.sql")
    assert (disk / "in" / "db.sql").read_bytes() == memory.read_bytes()


def test_fsspec_users_open_yadisk_urls(disk_conn):
    with fsspec.open(f"yadisk://{disk_conn}@/data/t.csv", "wb") as fh:
        fh.write(b"a,b\n1,2\n")
    with fsspec.open(f"yadisk://{disk_conn}@/data/t.csv", "rb") as fh:
        assert io.TextIOWrapper(fh).read() == "a,b\n1,2\n"
