"""YandexDiskHook operations against the strict sandbox: every operation, reliability, bad input."""

from __future__ import annotations

import hashlib
import os

import pytest

from airflow_provider_social.core.errors import (
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    QuotaExceededError,
    ReauthorizationRequired,
    ValidationError,
)
from airflow_provider_social.hooks.yandex_disk import OperationFailedError, YandexDiskHook


@pytest.fixture
def local_file(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 17))  # more than one 1 MiB chunk, not a multiple of it
    return path


def md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def tree(sandbox) -> dict:
    return sandbox.control.state("yandex_disk")["trees"]["1000000001"]


# ------------------------------------------------------------------------------------------ folders and metadata

def test_create_folder_with_and_without_parents(hook, sandbox):
    assert hook.create_folder("/backups") == {"path": "disk:/backups", "created": True}
    with pytest.raises(ConflictError, match="path: 'disk:/backups' is an existing folder"):
        hook.create_folder("backups")
    assert hook.create_folder("backups", exist_ok=True)["created"] is False
    with pytest.raises(ConflictError, match="the folder 'disk:/a/b' does not exist") as info:
        hook.create_folder("disk:/a/b/c")
    assert "parents=True" in str(info.value)
    assert hook.create_folder("disk:/a/b/c", parents=True)["created"] is True
    assert {"disk:/a", "disk:/a/b", "disk:/a/b/c"} <= set(tree(sandbox))
    assert hook.create_folder("app:/cache")["path"] == "app:/cache"


def test_metadata_fields_paging_exists_and_type(hook, local_file):
    hook.create_folder("many")
    for i in range(7):
        hook.upload_file(local_file, f"many/f{i}.txt") if i == 0 else hook.create_folder(f"many/d{i}")
    meta = hook.get_metadata("many", fields="name,_embedded.total")
    assert meta == {"name": "many", "_embedded": {"total": 7}}
    names = [item["name"] for item in hook.iter_folder("many", page_size=3, fields=["name"])]
    assert names == ["d1", "d2", "d3", "d4", "d5", "d6", "f0.txt"]
    assert hook.exists("many/f0.txt") and not hook.exists("many/nope")
    assert hook.get_type("many") == "dir" and hook.get_type("many/f0.txt") == "file"
    with pytest.raises(NotFoundError, match="Resource not found"):
        hook.get_metadata("nope")
    with pytest.raises(ValidationError, match="is a file"):
        list(hook.iter_folder("many/f0.txt"))


# ------------------------------------------------------------------------------------------ upload / download

def test_upload_streams_and_reports_md5(hook, sandbox, local_file):
    result = hook.upload_file(local_file, "disk:/up/report.csv", parents=True)
    assert result["md5"] == md5(local_file)
    assert result["size"] == local_file.stat().st_size
    assert result["sha256"] == hashlib.sha256(local_file.read_bytes()).hexdigest()
    events = [e for e in sandbox.control.created("yandex_disk") if e["kind"] == "upload"]
    assert events[-1]["data"]["md5"] == md5(local_file)
    assert all("href" not in str(v) for v in result.values())


def test_upload_overwrite_refused_then_allowed(hook, local_file, tmp_path):
    hook.upload_file(local_file, "x.csv")
    with pytest.raises(ConflictError, match=r"remote_path: 'disk:/x.csv' already exists") as info:
        hook.upload_file(local_file, "x.csv")
    assert "overwrite=True" in str(info.value)
    other = tmp_path / "other.bin"
    other.write_bytes(b"second version")
    assert hook.upload_file(other, "x.csv", overwrite=True)["md5"] == md5(other)


def test_upload_missing_parent_names_it(hook, local_file):
    with pytest.raises(ConflictError, match="remote_path: the folder 'disk:/no/such' does not exist"):
        hook.upload_file(local_file, "no/such/file.csv")


def test_upload_onto_a_folder(hook, local_file):
    hook.create_folder("dir")
    with pytest.raises(ConflictError, match="is an existing folder"):
        hook.upload_file(local_file, "dir", overwrite=True)


def test_download_follows_redirect_and_renames_into_place(hook, local_file, tmp_path):
    hook.upload_file(local_file, "dl/report.csv", parents=True)
    out = tmp_path / "out"
    out.mkdir()
    result = hook.download_file("dl/report.csv", out)
    assert result["local_path"] == str(out / "report.csv")
    assert md5(out / "report.csv") == md5(local_file)
    assert sorted(os.listdir(out)) == ["report.csv"]  # no temporary file left behind
    explicit = hook.download_file("dl/report.csv", tmp_path / "copy.csv")
    assert explicit["size"] == local_file.stat().st_size
    with pytest.raises(ConflictError, match="local_path"):
        hook.download_file("dl/report.csv", tmp_path / "copy.csv", overwrite=False)


def test_download_link_lapses_on_the_sandbox_clock(hook, sandbox, local_file, tmp_path):
    import requests

    hook.upload_file(local_file, "lapse.csv")
    href = hook.get_download_link("lapse.csv")
    sandbox.state.clock.advance(1801)
    response = requests.get(href, timeout=10)
    assert response.status_code == 500 and "nginx" in response.text


def test_upload_and_download_links_are_masked(hook, local_file):
    from airflow_provider_social.core.masking import redact

    hook.upload_file(local_file, "masked.csv")
    href = hook.get_download_link("masked.csv")
    assert href not in redact(f"oops {href}")


# ------------------------------------------------------------------------------------------ copy, move, delete

def test_copy_move_file_sync_and_folder_async(hook, sandbox, sleep, local_file):
    hook.upload_file(local_file, "src/a.csv", parents=True)
    assert hook.copy("src/a.csv", "src/b.csv") == {
        "path": "disk:/src/b.csv", "operation_id": None, "status": "success", "source": "disk:/src/a.csv"}
    result = hook.copy("src", "dst", poll_interval=0.5)
    assert result["status"] == "success" and result["operation_id"]
    assert sleep.calls and set(sleep.calls) == {0.5}  # polled at our interval on the sandbox clock
    assert hook.get_metadata("dst/a.csv", fields="md5")["md5"] == md5(local_file)
    with pytest.raises(ConflictError, match="destination: 'disk:/dst' already exists"):
        hook.copy("src", "dst")
    moved = hook.move("dst/a.csv", "renamed.csv")
    assert moved["path"] == "disk:/renamed.csv" and not hook.exists("dst/a.csv")
    hook.move("src/b.csv", "renamed.csv", overwrite=True)
    assert not hook.exists("src/b.csv")


def test_operation_without_waiting_and_wait_for_operation(hook, sandbox, sleep, local_file):
    hook.upload_file(local_file, "big/a.csv", parents=True)
    started = hook.copy("big", "big2", wait=False)
    assert started["status"] == "in-progress"
    assert hook.get_operation_status(started["operation_id"]) == "in-progress"
    assert not hook.exists("big2")  # takes effect only when the operation completes
    assert hook.wait_for_operation(started["operation_id"], poll_interval=1) == "success"
    assert hook.exists("big2/a.csv")


def test_failed_operation_and_timeout(hook, sandbox, local_file):
    hook.upload_file(local_file, "f/a.csv", parents=True)
    sandbox.control.configure("yandex_disk", fail_next_operations=1)
    with pytest.raises(OperationFailedError, match="failed"):
        hook.copy("f", "g")
    sandbox.control.configure("yandex_disk", operation_duration=3600)
    with pytest.raises(OperationFailedError, match="still in progress"):
        hook.copy("f", "h", timeout=10, poll_interval=2)
    with pytest.raises(NotFoundError, match="Operation not found"):
        hook.get_operation_status("0" * 64)


def test_delete_to_trash_restore_and_empty(hook, sandbox, local_file):
    hook.upload_file(local_file, "t/a.csv", parents=True)
    assert hook.delete("t/a.csv")["status"] == "success"
    trashed = list(hook.list_trash())
    assert [t["origin_path"] for t in trashed] == ["disk:/t/a.csv"]
    assert trashed[0]["path"].startswith("trash:/a.csv_")
    restored = hook.restore_from_trash(trashed[0]["path"], name="b.csv")
    assert restored["path"] == "disk:/t/b.csv" and hook.exists("t/b.csv")
    hook.delete("t")  # a non-empty folder: asynchronous, waited for
    assert not hook.exists("t")
    assert hook.get_disk_info()["trash_size"] == local_file.stat().st_size
    hook.empty_trash()
    assert list(hook.list_trash()) == [] and hook.get_disk_info()["used_space"] == 0
    hook.upload_file(local_file, "p.csv")
    hook.delete("p.csv", permanently=True)
    assert list(hook.list_trash()) == []


def test_delete_from_trash_and_md5_guard(hook, local_file):
    hook.upload_file(local_file, "m.csv")
    with pytest.raises(ConflictError, match="MD5"):
        hook.delete("m.csv", md5="0" * 32)
    hook.delete("m.csv")
    item = next(hook.list_trash())
    hook.delete_from_trash(item["path"])
    assert list(hook.list_trash()) == []


# ------------------------------------------------------------------------------------------ lists

def test_list_files_paged_with_media_filter_and_last_uploaded(hook, tmp_path):
    for name in ("a.jpg", "b.txt", "c.jpg", "d.zip"):
        (tmp_path / name).write_bytes(name.encode())
        hook.upload_file(tmp_path / name, name)
    assert [f["name"] for f in hook.list_files(page_size=1)] == ["a.jpg", "b.txt", "c.jpg", "d.zip"]
    assert [f["name"] for f in hook.list_files(media_type="image", page_size=1)] == ["a.jpg", "c.jpg"]
    assert [f["name"] for f in hook.list_files(limit=3, page_size=2)] == ["a.jpg", "b.txt", "c.jpg"]
    assert [f["name"] for f in hook.list_last_uploaded(limit=2)] == ["d.zip", "c.jpg"]
    with pytest.raises(ValidationError, match="media_type"):
        list(hook.list_files(media_type="pictures"))


# ------------------------------------------------------------------------------------------ public resources

def test_publish_public_meta_download_save_and_unpublish(hook, sandbox, local_file, tmp_path):
    hook.upload_file(local_file, "pub/r.csv", parents=True)
    url = hook.publish("pub/r.csv")
    assert url.startswith("https://yadi.sk/")
    assert [p["path"] for p in hook.list_public()] == ["disk:/pub/r.csv"]
    assert list(hook.list_public(type="dir")) == []
    meta = hook.get_public_metadata(url, fields="name,size")
    assert meta == {"name": "r.csv", "size": local_file.stat().st_size}
    href = hook.get_public_download_link(url)
    import requests

    assert hashlib.md5(requests.get(href, timeout=10).content).hexdigest() == md5(local_file)
    saved = hook.save_public_to_disk(url, name="saved.csv", save_path="pub")
    assert saved["path"] == "disk:/pub/saved.csv" and hook.exists("pub/saved.csv")
    default = hook.save_public_to_disk(url)
    assert default["path"] == "disk:/Загрузки/r.csv"
    hook.unpublish("pub/r.csv")
    with pytest.raises(NotFoundError):
        hook.get_public_metadata(url)
    assert [e["kind"] for e in sandbox.control.created("yandex_disk")].count("publish") == 1


def test_upload_from_url_sandbox_link_and_opaque_url(hook, local_file):
    hook.upload_file(local_file, "orig.csv")
    link = hook.get_download_link("orig.csv")
    fetched = hook.upload_from_url(link, "fetched/copy.csv", parents=True)
    assert fetched["status"] == "success"
    assert hook.get_metadata("fetched/copy.csv", fields="md5")["md5"] == md5(local_file)
    hook.upload_from_url("https://example.com/data.json", "ext.json")
    expected = hashlib.md5(b"sandbox upload of https://example.com/data.json\n").hexdigest()
    assert hook.get_metadata("ext.json", fields="md5")["md5"] == expected
    with pytest.raises(ValidationError, match="url"):
        hook.upload_from_url("ftp://example.com/x", "x")


# ------------------------------------------------------------------------------------------ reliability

def test_503_then_success(hook, sandbox, sleep, local_file):
    sandbox.control.add_fault(service="yandex_disk", status=503, path_contains="/resources/upload", times=1)
    sandbox.control.add_fault(service="yandex_uploader", status=503, times=1)
    assert hook.upload_file(local_file, "r503.csv")["md5"] == md5(local_file)
    assert len(sleep.calls) == 2


def test_dropped_connection_mid_upload_retries_with_a_fresh_link(hook, sandbox, local_file):
    sandbox.control.add_fault(service="yandex_uploader", action="drop", drop_after_bytes=1024 * 1024, times=2)
    result = hook.upload_file(local_file, "dropped.csv")
    assert result["md5"] == md5(local_file) and result["size"] == local_file.stat().st_size
    links = [op for op in sandbox.state.services["yandex_disk"].uploads.values()]
    assert len(links) == 3 and sum(link.used for link in links) == 1  # a fresh link for each attempt


def test_429_retry_after_is_honoured(hook, sandbox, sleep):
    sandbox.control.add_fault(service="yandex_disk", status=429, headers={"Retry-After": "3"},
                              body={"message": "Слишком много запросов", "description": "Too Many Requests",
                                    "error": "TooManyRequestsError"}, times=1)
    assert hook.get_disk_info()["total_space"] > 0
    assert sleep.calls == [3.0]


def test_expired_token_refreshes_then_operation_succeeds(hook, sandbox, yandex_conn, token_store, local_file):
    _, tokens = yandex_conn
    sandbox.control.expire_token("yandex", tokens["access_token"])
    assert hook.upload_file(local_file, "after-refresh.csv")["md5"] == md5(local_file)
    assert token_store.load(hook.conn_id).refresh_token != tokens["refresh_token"]


def test_revoked_refresh_token_asks_to_reauthorise(hook, sandbox, yandex_conn, local_file):
    _, tokens = yandex_conn
    sandbox.control.revoke_token("yandex", tokens["refresh_token"])
    sandbox.control.expire_token("yandex", tokens["access_token"])
    hook.token_manager.rotation_wait = 0
    with pytest.raises(ReauthorizationRequired, match="airflow social auth yandex"):
        hook.create_folder("x")


def test_413_and_507_are_clear(hook, sandbox, local_file):
    sandbox.control.configure("yandex_disk", max_file_size=1024)
    with pytest.raises(PayloadTooLargeError, match="local_path: report.csv is 3.0 MiB .* max_file_size of 1.0 KiB"):
        hook.upload_file(local_file, "big.csv")
    sandbox.control.configure("yandex_disk", max_file_size=2**30, total_space=1024 * 1024)
    with pytest.raises(QuotaExceededError, match="no room"):
        hook.upload_file(local_file, "big.csv")
    assert not hook.exists("big.csv")


def test_lapsed_upload_link_is_refused(sandbox, hook):
    import requests

    href = hook.get_upload_link("late.txt")
    sandbox.state.clock.advance(30 * 60)
    assert requests.put(href, data=b"x", timeout=10).status_code == 410


# ------------------------------------------------------------------------------------------ bad input, no network

class Unreachable:
    def __init__(self):
        self.calls = 0


@pytest.fixture
def offline_hook(make_connection):
    conn_id = make_connection("yandex_offline", "yandex_disk", password="y0_x",
                              api_base_url="http://127.0.0.1:9", oauth_base_url="http://127.0.0.1:9")
    hook = YandexDiskHook(conn_id, sleep=lambda s: None)

    def no_network(*args, **kwargs):
        raise AssertionError("a network call was made")

    hook.transport.request = no_network  # type: ignore[method-assign]
    return hook


def test_bad_input_fails_before_any_network_call(offline_hook, tmp_path):
    hook = offline_hook
    with pytest.raises(ValidationError, match="local_path: file .* does not exist"):
        hook.upload_file(tmp_path / "missing.csv", "x.csv")
    with pytest.raises(ValidationError, match="local_path: .* is a directory"):
        hook.upload_file(tmp_path, "x.csv")
    (tmp_path / "ok.csv").write_text("x")
    with pytest.raises(ValidationError, match="remote_path: the path is 32761 characters, over the 32760 limit"):
        hook.upload_file(tmp_path / "ok.csv", "a" * 32761)
    with pytest.raises(ValidationError, match="remote_path: the name .* is 256 characters, over the 255 limit"):
        hook.upload_file(tmp_path / "ok.csv", "dir/" + "n" * 256)
    with pytest.raises(ValidationError, match="remote_path"):
        hook.upload_file(tmp_path / "ok.csv", "  ")
    with pytest.raises(ValidationError, match="destination: relative segments"):
        hook.copy("a", "../b")
    with pytest.raises(ValidationError, match="url"):
        hook.upload_from_url("not a url", "x")
    with pytest.raises(ValidationError, match="trash_path"):
        hook.restore_from_trash("trash:/")
    with pytest.raises(ValidationError, match="page_size"):
        list(hook.list_files(page_size=0))
    with pytest.raises(ValidationError, match="local_path: the directory"):
        hook.download_file("a.csv", tmp_path / "no" / "dir" / "a.csv")


def test_download_cut_off_mid_body_is_retried_with_a_fresh_link(hook, sandbox, local_file, tmp_path):
    hook.upload_file(local_file, "cut.csv")
    sandbox.control.add_fault(service="yandex_downloader", action="drop", path_contains="/get/", times=1)
    sandbox.control.add_fault(service="yandex_downloader", status=500, body="<html>nginx</html>", times=1)
    result = hook.download_file("cut.csv", tmp_path / "cut.csv")
    assert md5(tmp_path / "cut.csv") == md5(local_file) and result["size"] == local_file.stat().st_size
    assert sorted(os.listdir(tmp_path)) == ["cut.csv", "report.csv"]  # no partial file left behind


def test_upload_bytes_and_read_bytes(hook, sandbox, sleep):
    sandbox.control.add_fault(service="yandex_uploader", status=503, times=1)
    result = hook.upload_bytes(b"hello, disk\n" * 100_000, "mem/hello.txt", parents=True)
    assert result["md5"] == hashlib.md5(b"hello, disk\n" * 100_000).hexdigest() and sleep.calls
    assert hook.read_bytes("mem/hello.txt") == b"hello, disk\n" * 100_000
    assert hook.upload_bytes(b"", "mem/empty.txt")["size"] == 0
    assert hook.read_bytes("mem/empty.txt") == b""
    with pytest.raises(PayloadTooLargeError, match="over max_size"):
        hook.read_bytes("mem/hello.txt", max_size=10)
    with pytest.raises(ValidationError, match="is a folder"):
        hook.read_bytes("mem")
    with pytest.raises(ValidationError, match="data: bytes expected"):
        hook.upload_bytes("text", "mem/x.txt")  # type: ignore[arg-type]
    with pytest.raises(ConflictError, match="already exists"):
        hook.upload_bytes(b"again", "mem/hello.txt")


def test_the_token_never_travels_to_the_uploader(hook, sandbox, local_file):
    hook.upload_file(local_file, "no-token.csv")
    hook.upload_bytes(b"x", "no-token.txt")
    uploads = [e["data"] for e in sandbox.control.created("yandex_disk") if e["kind"] == "upload"]
    assert len(uploads) == 2 and not any(u["authorization_sent"] for u in uploads)


def test_public_folder_items_download_and_save(hook, sandbox, tmp_path):
    hook.upload_bytes(b"inner file", "shared/sub/inner.txt", parents=True)
    url = hook.publish("shared")
    assert url.startswith("https://yadi.sk/d/")
    listing = hook.get_public_metadata(url, path="/sub", fields="_embedded.items.name")
    assert listing == {"_embedded": {"items": [{"name": "inner.txt"}]}}
    import requests

    href = hook.get_public_download_link(url, path="/sub/inner.txt")
    assert requests.get(href, timeout=10).content == b"inner file"
    hook.create_folder("copies")
    saved = hook.save_public_to_disk(url, path="/sub/inner.txt", save_path="copies", name="got.txt")
    assert saved["path"] == "disk:/copies/got.txt" and hook.read_bytes("copies/got.txt") == b"inner file"
    folder = hook.save_public_to_disk(url, save_path="copies", name="whole")  # a folder: asynchronous, waited for
    assert folder["status"] == "success" and hook.read_bytes("copies/whole/sub/inner.txt") == b"inner file"
