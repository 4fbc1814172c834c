"""Yandex Disk's storage hosts in the sandbox: their own listener, the uploader's 202 and its bare answers."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from test_sandbox_yandex_disk_api import Disk, assert_uploader_error


@pytest.fixture
def disk(sandbox):
    return Disk(sandbox)


def test_hrefs_point_at_the_storage_listener_not_the_api_port(disk, sandbox):
    api, storage = urlsplit(sandbox.base_url), urlsplit(sandbox.storage_url)
    assert (storage.hostname, storage.port) != (api.hostname, api.port)
    link = disk.call("GET", "/resources/upload", path="f.txt").json()
    assert link["href"].startswith(f"{sandbox.storage_url}/yandex-uploader/upload-target/")
    assert requests.put(link["href"], data=b"hello", timeout=10).status_code == 201
    href = disk.call("GET", "/resources/download", path="f.txt").json()["href"]
    assert href.startswith(f"{sandbox.storage_url}/yandex-downloader/disk/")
    assert requests.get(href, timeout=10).content == b"hello"
    assert disk.call("GET", "/resources", path="f.txt").json()["file"].startswith(sandbox.storage_url)
    # Each listener serves only its own part: no uploads on the API port, no API or control on the storage port.
    again = disk.call("GET", "/resources/upload", path="g.txt").json()["href"]
    on_api_port = again.replace(sandbox.storage_url, sandbox.base_url)
    assert requests.put(on_api_port, data=b"x", timeout=10).status_code == 404
    assert requests.get(f"{sandbox.storage_url}/yandex-disk/v1/disk", headers=disk.headers, timeout=10
                        ).status_code == 404
    assert requests.get(f"{sandbox.storage_url}/_control/health", timeout=10).status_code == 404


def test_an_authorization_header_reaching_storage_is_recorded_without_the_token(disk, sandbox):
    token = disk.headers["Authorization"].split(" ", 1)[1]
    link = disk.call("GET", "/resources/upload", path="f.txt").json()
    assert requests.put(link["href"], data=b"x", timeout=10).status_code == 201
    assert not [e for e in sandbox.control.created() if e["kind"] == "authorization_received"]
    href = disk.call("GET", "/resources/download", path="f.txt").json()["href"]
    requests.get(href, headers=disk.headers, timeout=10)
    events = [e for e in sandbox.control.created() if e["kind"] == "authorization_received"]
    # Both the redirecting and the serving request carried it (requests keeps it on a same-host redirect).
    assert {e["service"] for e in events} == {"yandex_downloader"}
    assert events[0]["data"] == {"method": "GET", "scheme": "OAuth"}
    assert token not in str(sandbox.control.created())


def test_a_large_upload_answers_202_and_appears_only_when_its_operation_completes(disk, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_over=1000)
    link = disk.call("GET", "/resources/upload", path="big.bin").json()
    response = requests.put(link["href"], data=b"x" * 1001, timeout=10)
    assert response.status_code == 202 and response.content == b""
    operation = f"/operations/{link['operation_id']}"
    assert disk.call("GET", operation).json() == {"status": "in-progress"}
    assert disk.call("GET", "/resources", path="big.bin").status_code == 404  # not in Disk yet
    assert disk.call("GET", "").json()["used_space"] == 0
    sandbox.control.advance(1.9)
    assert disk.call("GET", "/resources", path="big.bin").status_code == 404
    sandbox.control.advance(0.1)  # operation_duration (2 s) has passed
    assert disk.call("GET", operation).json() == {"status": "success"}
    assert disk.call("GET", "/resources", path="big.bin").json()["size"] == 1001
    # At or under the threshold: 201 at once.
    assert disk.upload("small.bin", b"x" * 1000).status_code == 201


def test_upload_async_next_answers_202_for_the_next_uploads_whatever_their_size(disk, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=1)
    assert disk.upload("a.txt", b"a").status_code == 202
    assert disk.upload("b.txt", b"b").status_code == 201
    assert sandbox.control.state("yandex_disk")["settings"]["upload_async_next"] == 0


def test_a_202_upload_whose_folder_vanished_ends_failed(disk, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=1)
    disk.call("PUT", "/resources", path="dir")
    link = disk.call("GET", "/resources/upload", path="dir/f.txt").json()
    assert requests.put(link["href"], data=b"f", timeout=10).status_code == 202
    assert disk.call("DELETE", "/resources", path="dir", permanently="true").status_code == 204
    sandbox.control.advance(2)
    assert disk.call("GET", f"/operations/{link['operation_id']}").json() == {"status": "failed"}
    assert disk.call("GET", "/resources", path="dir/f.txt").status_code == 404


def test_missing_folder_at_put_time_is_a_bare_409_naming_the_path(disk, sandbox):
    disk.call("PUT", "/resources", path="gone")
    link = disk.call("GET", "/resources/upload", path="gone/f.txt").json()
    disk.call("DELETE", "/resources", path="gone", permanently="true")
    text = assert_uploader_error(requests.put(link["href"], data=b"f", timeout=10), 409)
    assert "disk:/gone/f.txt" in text
    assert disk.call("GET", f"/operations/{link['operation_id']}").json() == {"status": "failed"}


def test_unknown_lapsed_and_reused_hrefs_get_distinct_bare_answers(disk, sandbox):
    link = disk.call("GET", "/resources/upload", path="f.txt").json()["href"]
    forged = link.rsplit("/", 1)[0] + "/1.utd.forged"
    assert_uploader_error(requests.put(forged, data=b"x", timeout=10), 404)
    assert requests.put(link, data=b"x", timeout=10).status_code == 201
    assert "already been used" in assert_uploader_error(requests.put(link, data=b"x", timeout=10), 412)
    late = disk.call("GET", "/resources/upload", path="late.txt").json()["href"]
    sandbox.control.advance(1800)
    assert "expired" in assert_uploader_error(requests.put(late, data=b"x", timeout=10), 410)
