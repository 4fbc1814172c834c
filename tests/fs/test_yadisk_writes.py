"""``yadisk://`` files opened for writing: streamed to the upload host as they are written, and never leaving a
partial file under the name when the write fails or is abandoned."""

from __future__ import annotations

import gc
import os
import time
import tracemalloc

import pytest

from airflow_provider_social.core.errors import PayloadTooLargeError, ServerError


def uploader_requests(sandbox):
    return sandbox.control.requests()["by_service"].get("yandex_uploader", 0)


def stored_names(sandbox):
    """Every path in the sandbox's Disk trees (temporary upload names included)."""
    trees = sandbox.control.state("yandex_disk")["trees"]
    return {path for tree in trees.values() for path in tree}


def uploads(sandbox):
    return [e["data"] for e in sandbox.control.created("yandex_disk") if e["kind"] == "upload"]


def seen_within(condition, *, seconds: float) -> bool:
    """Whether ``condition`` holds within ``seconds`` (looked at every 10 ms): a look across threads, not a wait for
    time to pass."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_the_bytes_reach_the_upload_host_while_the_file_is_written(fs, sandbox, tmp_path, monkeypatch):
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    chunk = os.urandom(300_000)
    before = uploader_requests(sandbox)
    with fs.open("/w/out.dat", "wb", block_size=256 * 1024) as fh:
        for _ in range(10):
            fh.write(chunk)
        # The PUT is under way before the file is closed. It is sent from another thread and the sandbox counts it
        # on its own thread once the headers came in: wait for that (bounded), a fixed look would race them.
        assert seen_within(lambda: uploader_requests(sandbox) - before == 1, seconds=20)
        assert not list(tmp_path.iterdir())  # nothing spooled locally
        assert not fs.exists("/w/out.dat")  # nothing under the name until the file is closed
    assert fs.cat_file("/w/out.dat") == chunk * 10  # the parent folder was made
    assert fh.uploaded is not None and fh.uploaded["size"] == 3_000_000 and fh.uploaded["path"] == "disk:/w/out.dat"
    # .dat is a throttled type: it went up under a neutral name and was renamed.
    [upload] = uploads(sandbox)
    assert upload["throttled"] is None and upload["path"] != "disk:/w/out.dat"
    assert not [name for name in stored_names(sandbox) if ".upload-" in name]


def test_an_empty_file_is_written(fs):
    with fs.open("/empty.txt", "wb"):
        pass
    assert fs.info("/empty.txt")["size"] == 0 and fs.cat_file("/empty.txt") == b""


@pytest.mark.parametrize("name", ["/half.txt", "/half.zip"])  # the final name's PUT, the temporary name's PUT
def test_an_exception_inside_the_with_block_stores_nothing(fs, sandbox, name):
    with pytest.raises(RuntimeError), fs.open(name, "wb", block_size=256 * 1024) as fh:
        for _ in range(16):  # 4 MiB: more than the queue holds, so most of it was already sent
            fh.write(os.urandom(256 * 1024))
        raise RuntimeError("the producer failed")
    assert not fs.exists(name)
    assert not uploads(sandbox) and stored_names(sandbox) <= {"disk:/", "trash:/", "app:/"}


def test_a_file_dropped_without_close_stores_nothing(fs, sandbox):
    fh = fs.open("/dropped.txt", "wb", block_size=64 * 1024)
    fh.write(os.urandom(1024 * 1024))
    del fh
    gc.collect()
    assert not fs.exists("/dropped.txt") and not uploads(sandbox)


def test_the_account_limit_is_checked_as_the_bytes_come(fs, sandbox):
    sandbox.control.configure("yandex_disk", max_file_size=1024 * 1024)
    written = 0
    with pytest.raises(PayloadTooLargeError, match="max_file_size"), \
            fs.open("/big.txt", "wb", block_size=256 * 1024) as fh:
        for _ in range(8):
            fh.write(b"x" * 256 * 1024)
            written += 256 * 1024
    assert written == 1024 * 1024  # the fifth write, crossing the limit, was refused: not the close
    assert not fs.exists("/big.txt") and not uploads(sandbox)


def test_a_small_file_over_the_limit_is_refused_by_the_write(fs, sandbox):
    sandbox.control.configure("yandex_disk", max_file_size=100)
    with fs.open("/big.txt", "wb") as fh, pytest.raises(PayloadTooLargeError, match="big.txt"):
        fh.write(b"x" * 200)  # writes are not buffered in the file: the write itself meets the limit
    assert fh.closed  # closing after the failed write (the with block did) raised nothing more and stored nothing
    assert not uploads(sandbox) and not fs.exists("/big.txt")


def test_writes_of_any_size_and_kind_arrive_whole_and_in_order(fs):
    """Writes are copied into 1 MiB pieces: sizes that straddle pieces, a buffer the caller refills at once after
    each write, a memoryview and a write larger than every piece buffer together all arrive as written."""
    expected = bytearray()
    reused = bytearray(70_000)
    with fs.open("/mixed.bin", "wb") as fh:
        for round_ in range(40):
            reused[:] = os.urandom(len(reused))
            fh.write(reused)  # refilled on the next round, after write() returned
            expected += reused
            small = os.urandom(round_ + 1)
            fh.write(small)
            expected += small
        big = os.urandom(7 * 1024 * 1024 + 3)  # more than the six piece buffers together
        fh.write(memoryview(big)[1:])
        expected += big[1:]
    assert fh.tell() == len(expected)
    assert fs.cat_file("/mixed.bin") == bytes(expected)


def test_a_connection_broken_mid_upload_raises_from_write_and_stores_nothing(fs, sandbox):
    sandbox.control.add_fault(service="yandex_uploader", action="drop", drop_after_bytes=512 * 1024)
    with pytest.raises(ServerError, match="connection"), fs.open("/broken.txt", "wb", block_size=256 * 1024) as fh:
        for _ in range(64):  # 16 MiB: the break is noticed long before the end
            fh.write(os.urandom(256 * 1024))
    assert not fs.exists("/broken.txt") and not uploads(sandbox)


def test_an_upload_host_refusal_raises_from_close_naming_the_path(fs, sandbox):
    sandbox.control.add_fault(service="yandex_uploader", status=503)
    with pytest.raises(ServerError), fs.open("/refused.txt", "wb") as fh:
        fh.write(b"some bytes")
    assert not fs.exists("/refused.txt")
    with fs.open("/refused.txt", "wb") as fh:  # the next write takes a fresh link
        fh.write(b"some bytes")
    assert fs.cat_file("/refused.txt") == b"some bytes"


def test_a_taken_name_is_refused_at_open(fs):
    fs.pipe_file("/taken.zip", b"1")
    with pytest.raises(FileExistsError):
        fs.open("/taken.zip", "xb")
    fs.mkdir("/folder.txt")
    with pytest.raises(FileExistsError):
        fs.open("/folder.txt", "wb")


def test_memory_stays_flat_while_writing(fs):
    block = os.urandom(256 * 1024)
    tracemalloc.start()
    try:
        with fs.open("/flat.bin", "wb", block_size=256 * 1024) as fh:
            for _ in range(128):  # 32 MiB
                fh.write(block)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fs.info("/flat.bin")["size"] == 32 * 1024 * 1024
    # Six reused 1 MiB piece buffers, whatever the size; the in-process sandbox's reads are in it too.
    assert peak < 12 * 1024 * 1024, peak


def test_an_upload_answered_202_is_waited_for_before_close_returns(fs, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=1)  # the next upload: received, not yet in Disk
    upload = fs.hook.transfers.open_upload("disk:/later/report.csv", parents=True)
    upload.write(b"day,orders\n1,2\n")
    result = upload.close()
    assert result["status"] == "success" and result["operation_id"] and result["size"] == 15
    assert fs.cat_file("/later/report.csv") == b"day,orders\n1,2\n"
    with pytest.raises(ValueError, match="closed"):
        upload.write(b"more")


def test_the_limit_counts_bytes_not_items_of_a_wide_buffer(fs, sandbox):
    """A memoryview of 4-byte items has a len() a quarter of its size: the account's limit is checked on bytes."""
    import array

    sandbox.control.configure("yandex_disk", max_file_size=100)
    wide = memoryview(array.array("I", range(30)))  # 30 items, 120 bytes
    with fs.open("/wide.bin", "wb") as fh, pytest.raises(PayloadTooLargeError, match="max_file_size"):
        fh.write(wide)
    assert not uploads(sandbox) and not fs.exists("/wide.bin")
