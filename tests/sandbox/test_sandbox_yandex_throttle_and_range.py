"""The Yandex sandbox's upload throttle (by the name's media type when the link is asked for) and download ranges."""

from __future__ import annotations

import time

import pytest
import requests
from test_sandbox_yandex_disk_api import Disk

from airflow_provider_social.sandbox.yandex.downloader import byte_range

RATE = 128 * 1024


@pytest.fixture
def disk(sandbox):
    return Disk(sandbox)


def upload_events(sandbox):
    return [e["data"] for e in sandbox.control.created("yandex_disk") if e["kind"] == "upload"]


def test_throttle_follows_the_media_type_of_the_name_the_link_was_asked_for(disk, sandbox):
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0)
    payload = b"x" * (RATE // 2)
    for name in ("backup.zip", "dump.db", "clip.mp4", "notes.txt", "blob.bin", "noextension"):
        assert disk.upload(name, payload).status_code == 201
    by_path = {e["path"]: e for e in upload_events(sandbox)}
    assert {path: e["throttled"] for path, e in by_path.items()} == {
        "disk:/backup.zip": "compressed", "disk:/dump.db": "data", "disk:/clip.mp4": "video",
        "disk:/notes.txt": None, "disk:/blob.bin": None, "disk:/noextension": None,
    }
    assert by_path["disk:/backup.zip"]["throttled_seconds"] == pytest.approx(0.5)
    assert by_path["disk:/notes.txt"]["throttled_seconds"] == 0.0


def test_the_throttle_is_fixed_when_the_link_is_issued(disk, sandbox):
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0)
    link = disk.call("GET", "/resources/upload", path="archive.zip").json()
    sandbox.control.configure("yandex_disk", upload_throttle_rate=0)  # later links are not throttled
    assert requests.put(link["href"], data=b"PK\x03\x04 plain text inside", timeout=10).status_code == 201
    assert disk.upload("later.zip", b"x").status_code == 201
    assert [e["throttled"] for e in upload_events(sandbox)] == ["compressed", None]


def test_a_throttled_upload_is_answered_no_sooner_than_its_size_at_the_rate(disk, sandbox):
    # 50 KB at 250 KB/s: at least 0.2 s of the sandbox's own waiting; the same bytes under a plain name do not wait.
    sandbox.control.configure("yandex_disk", upload_throttle_rate=250_000, upload_throttle_time_scale=1)
    started = time.monotonic()
    assert disk.upload("slow.gz", b"x" * 50_000).status_code == 201
    throttled = time.monotonic() - started
    started = time.monotonic()
    assert disk.upload("fast.txt", b"x" * 50_000).status_code == 201
    plain = time.monotonic() - started
    assert throttled >= 0.2 > plain


def test_download_ranges(disk, sandbox):
    data = bytes(range(256)) * 4
    assert disk.upload("r.txt", data).status_code == 201
    href = disk.call("GET", "/resources/download", path="r.txt").json()["href"]
    whole = requests.get(href, timeout=10)
    assert whole.status_code == 200 and whole.content == data and whole.headers["accept-ranges"] == "bytes"
    middle = requests.get(href, headers={"Range": "bytes=10-19"}, timeout=10)
    assert middle.status_code == 206 and middle.content == data[10:20]
    assert middle.headers["content-range"] == "bytes 10-19/1024" and middle.headers["content-length"] == "10"
    tail = requests.get(href, headers={"Range": "bytes=1000-"}, timeout=10)
    assert tail.status_code == 206 and tail.content == data[1000:]
    suffix = requests.get(href, headers={"Range": "bytes=-4"}, timeout=10)
    assert suffix.status_code == 206 and suffix.content == data[-4:]
    past = requests.get(href, headers={"Range": "bytes=1024-"}, timeout=10)
    assert past.status_code == 416 and past.headers["content-range"] == "bytes */1024"
    several = requests.get(href, headers={"Range": "bytes=0-1,5-6"}, timeout=10)
    assert several.status_code == 200 and several.content == data


def test_a_download_host_that_ignores_ranges(disk, sandbox):
    sandbox.control.configure("yandex_disk", download_ranges=0)
    assert disk.upload("r.txt", b"0123456789").status_code == 201
    href = disk.call("GET", "/resources/download", path="r.txt").json()["href"]
    answer = requests.get(href, headers={"Range": "bytes=5-"}, timeout=10)
    assert answer.status_code == 200 and answer.content == b"0123456789" and answer.headers["accept-ranges"] == "none"


@pytest.mark.parametrize(("header", "expected"), [
    (None, None), ("bytes=0-0", (0, 1)), ("bytes=5-", (5, 10)), ("bytes=5-100", (5, 10)), ("bytes=-3", (7, 10)),
    ("bytes=-0", "unsatisfiable"), ("bytes=10-", "unsatisfiable"), ("bytes=7-3", None), ("items=0-1", None),
    ("bytes=a-b", None), ("bytes=-", None),
])
def test_byte_range_parsing(header, expected):
    assert byte_range(header, 10) == expected
