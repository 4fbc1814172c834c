"""YandexDiskHook against the sandbox's stricter Yandex: 202 uploads, the storage host's answers, limits checked
before any upload, and bad input refused before any request (counted on the hook's own session)."""

from __future__ import annotations

import hashlib
import os
from urllib.parse import urlsplit

import pytest

from airflow_provider_social.core.errors import (
    ConflictError,
    PayloadTooLargeError,
    QuotaExceededError,
    ValidationError,
)
from airflow_provider_social.hooks.yandex_disk import OperationFailedError


@pytest.fixture
def sent(hook):
    """Every request the hook sends, as (method, path), counted on its own session."""
    calls: list[tuple[str, str]] = []
    session = hook.transport.session
    original = session.request

    def counting(method, url, *args, **kwargs):
        calls.append((method, urlsplit(url).path))
        return original(method, url, *args, **kwargs)

    session.request = counting
    return calls


@pytest.fixture
def local_file(tmp_path):
    path = tmp_path / "report.csv"
    path.write_bytes(os.urandom(3 * 1024 * 1024 + 17))
    return path


def md5(path) -> str:
    return hashlib.md5(path.read_bytes()).hexdigest()


def upload_links_issued(sandbox) -> int:
    return len(sandbox.state.services["yandex_disk"].uploads)


# ------------------------------------------------------------------------------------------ 202 from the uploader


def test_an_upload_answered_202_waits_for_its_operation_then_reads_the_file(hook, sandbox, sleep, local_file):
    sandbox.control.configure("yandex_disk", upload_async_next=1)
    result = hook.upload_file(local_file, "later.csv")
    assert result["md5"] == md5(local_file) and result["size"] == local_file.stat().st_size
    assert result["status"] == "success" and result["operation_id"]
    assert sum(sleep.calls) >= 2.0  # waited (on the sandbox clock) for the 2 s the sandbox takes to store it
    assert hook.upload_file(local_file, "at-once.csv")["operation_id"] is None  # a 201: nothing to wait for


def test_an_upload_answered_202_can_be_handed_over_instead_of_waited_for(hook, sandbox, local_file):
    sandbox.control.configure("yandex_disk", upload_async_over=1024 * 1024)  # "large" from 1 MiB on
    result = hook.upload_file(local_file, "big.csv", wait=False)
    assert result["status"] == "in-progress" and result["md5"] is None
    assert not hook.exists("big.csv")  # not in Disk until the operation completes
    assert hook.wait_for_operation(result["operation_id"], poll_interval=1.0) == "success"
    assert hook.check_uploaded("disk:/big.csv", result["size"])["md5"] == md5(local_file)


def test_an_upload_answered_202_that_never_lands_fails_clearly(hook, sandbox, local_file):
    sandbox.control.configure("yandex_disk", upload_async_next=1, operation_duration=10_000)
    with pytest.raises(OperationFailedError, match=r"remote_path: Yandex accepted the upload of 'disk:/slow.csv' "
                                                   r"\(HTTP 202\) but did not put it into Disk.*after 30 s"):
        hook.upload_file(local_file, "slow.csv", timeout=30)


# ------------------------------------------------------------------------------------------ the upload host's answers


def test_a_lapsed_upload_link_is_retried_with_a_fresh_one(hook, sandbox, monkeypatch):
    original, links = hook.transfers.upload_link, []

    def lapsing(path, overwrite):
        links.append(original(path, overwrite))
        if len(links) == 1:
            sandbox.state.clock.advance(30 * 60)  # the first link lapses before its PUT
        return links[-1]

    monkeypatch.setattr(hook.transfers, "upload_link", lapsing)
    assert hook.upload_bytes(b"on time", "lapse.txt")["size"] == 7
    assert len(links) == 2


def test_a_reused_upload_link_is_a_clear_conflict(hook, monkeypatch):
    href = hook.transfers.upload_link("disk:/first.txt", False)
    monkeypatch.setattr(hook.transfers, "upload_link", lambda path, overwrite: href)
    hook.upload_bytes(b"one", "first.txt")
    with pytest.raises(ConflictError, match="remote_path: the upload link for 'disk:/second.txt' was already used"):
        hook.upload_bytes(b"two", "second.txt")


def test_a_folder_removed_after_the_link_was_issued_is_named(hook, monkeypatch):
    hook.create_folder("gone")
    original = hook.transfers.upload_link

    def then_remove(path, overwrite):
        link = original(path, overwrite)
        hook.delete("gone", permanently=True)
        return link

    monkeypatch.setattr(hook.transfers, "upload_link", then_remove)
    with pytest.raises(ConflictError, match="remote_path: the upload host refused 'disk:/gone/f.txt': its folder "
                                            "'disk:/gone' no longer exists"):
        hook.upload_bytes(b"f", "gone/f.txt")


def test_no_authorization_header_ever_reaches_the_storage_listener(hook, sandbox, local_file, tmp_path):
    hook.upload_file(local_file, "t/a.csv", parents=True)
    hook.upload_bytes(b"x", "t/b.txt")
    hook.download_file("t/a.csv", tmp_path / "back.csv")
    assert hook.read_bytes("t/b.txt") == b"x"
    url = hook.publish("t/b.txt")
    import requests

    assert requests.get(hook.get_public_download_link(url), timeout=10).content == b"x"
    events = sandbox.control.created()
    assert [e["kind"] for e in events if e["kind"] == "upload"] == ["upload", "upload"]
    assert not [e for e in events if e["kind"] == "authorization_received"]


# ------------------------------------------------------------------------------------------ limits before any upload


def test_a_file_over_max_file_size_is_refused_with_one_cheap_call(hook, sandbox, sent, local_file):
    sandbox.control.configure("yandex_disk", max_file_size=1024)
    with pytest.raises(PayloadTooLargeError, match=r"local_path: report.csv is 3.0 MiB \(3145745 bytes\), over the "
                                                   r"account's max_file_size of 1.0 KiB \(1024 bytes\)"):
        hook.upload_file(local_file, "big.csv")
    assert sent == [("GET", "/yandex-disk/v1/disk")]
    assert upload_links_issued(sandbox) == 0
    with pytest.raises(PayloadTooLargeError, match=r"data: data is 2.0 KiB \(2048 bytes\)"):
        hook.upload_bytes(b"x" * 2048, "big.bin")
    assert len(sent) == 2  # the disk info is read again before refusing on a cached answer, and nothing else


def test_a_file_over_the_free_space_is_refused_with_one_cheap_call(hook, sandbox, sent, local_file):
    sandbox.control.configure("yandex_disk", total_space=1024 * 1024)
    with pytest.raises(QuotaExceededError, match=r"local_path: no room on Yandex Disk for report.csv: it is 3.0 MiB "
                                                 r"\(3145745 bytes\), the free space is 1.0 MiB \(1048576 bytes\)"):
        hook.upload_file(local_file, "big.csv")
    assert sent == [("GET", "/yandex-disk/v1/disk")] and upload_links_issued(sandbox) == 0


def test_the_disk_info_is_read_once_per_hook_and_again_before_refusing(hook, sandbox, sent):
    sandbox.control.configure("yandex_disk", total_space=3000)
    hook.upload_bytes(b"a" * 1000, "a.bin")
    hook.upload_bytes(b"b" * 1000, "b.bin")
    assert sent.count(("GET", "/yandex-disk/v1/disk")) == 1
    # The cache says 1000 bytes are free; the account grew meanwhile: re-read, not refused.
    sandbox.control.configure("yandex_disk", total_space=10_000)
    hook.upload_bytes(b"c" * 5000, "c.bin")
    assert sent.count(("GET", "/yandex-disk/v1/disk")) == 2
    # A limit lowered after the cache was read: the upload host's 413 is still clear.
    sandbox.control.configure("yandex_disk", max_file_size=10)
    with pytest.raises(PayloadTooLargeError, match="data: data is 100 B; the account's limit is 10 B"):
        hook.upload_bytes(b"d" * 100, "d.bin")


def test_overwrite_leaves_the_free_space_check_to_the_upload_host(hook, sandbox):
    # The replaced file frees room the client cannot see, so it does not refuse locally (the tolerant side);
    # whether Yandex counts that room when the PUT starts is unconfirmed, and the sandbox does not (the strict side).
    sandbox.control.configure("yandex_disk", total_space=1500)
    hook.upload_bytes(b"a" * 1000, "a.bin")
    with pytest.raises(QuotaExceededError, match="no room") as refused:
        hook.upload_bytes(b"b" * 800, "a.bin", overwrite=True)
    assert refused.value.status_code == 507 and upload_links_issued(sandbox) == 2


# ------------------------------------------------------------------------------------------ bad input, no request


@pytest.mark.parametrize("local_path", ["", "   ", None])
def test_download_without_a_local_path_is_refused_before_any_request(hook, sent, local_path, tmp_path,
                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ValidationError, match="local_path: a local file path or an existing directory is required"):
        hook.download_file("a.csv", local_path)
    assert sent == [] and os.listdir(tmp_path) == []


@pytest.mark.parametrize(("source", "destination"), [("disk:/a", "/a"), ("a", "disk:/a/"), ("/a/b", "a/b")])
def test_copy_or_move_onto_itself_is_refused_before_any_request(hook, sent, source, destination):
    for method in (hook.copy, hook.move):
        with pytest.raises(ValidationError, match=r"destination: is the same path as source \('disk:/a"):
            method(source, destination)
    assert sent == []


def test_copy_or_move_into_itself_is_refused_before_any_request(hook, sent):
    with pytest.raises(ValidationError, match="destination: 'disk:/a/b' is inside source 'disk:/a'"):
        hook.move("a", "a/b")
    assert sent == []
