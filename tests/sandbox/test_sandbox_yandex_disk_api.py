"""The strict Disk API emulation over raw HTTP: status codes, content types, error bodies, hrefs, operations."""

from __future__ import annotations

import hashlib
from urllib.parse import quote

import pytest
import requests

OK_TYPE = "application/json; charset=utf-8"
NOT_FOUND = (
    '{"message":"Не удалось найти запрошенный ресурс.","description":"Resource not found.","error":"DiskNotFoundError"}'
)


class Disk:
    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.api = f"{sandbox.base_url}/yandex-disk/v1/disk"
        self.headers = {"Authorization": "OAuth " + sandbox.control.mint_tokens("yandex")["access_token"]}

    def call(self, method, endpoint, /, **params):
        return requests.request(method, f"{self.api}{endpoint}", params=params, headers=self.headers, timeout=10)

    def upload(self, path, data, **params):
        link = self.call("GET", "/resources/upload", path=path, **params)
        assert link.status_code == 200, link.text
        return requests.put(link.json()["href"], data=data, timeout=10)


@pytest.fixture
def disk(sandbox):
    return Disk(sandbox)


def assert_uploader_error(response, status):
    """The uploader is not the Disk API: bare HTML, never the API's JSON error body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("text/html") and '"error"' not in response.text
    return response.text


def assert_error(response, status, error):
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == error and set(body) == {"message", "description", "error"}
    return body


def test_unknown_paths_get_the_yandex_404_body(disk):
    for url in (f"{disk.api}/nope", f"{disk.sandbox.base_url}/yandex-disk/v2/x"):
        response = requests.get(url, headers=disk.headers, timeout=10)
        assert response.status_code == 404 and response.content.decode() == NOT_FOUND


def test_every_endpoint_wants_the_oauth_token(disk):
    response = requests.put(f"{disk.api}/resources", params={"path": "a"}, timeout=10)
    assert_error(response, 401, "UnauthorizedError")
    assert_error(requests.get(f"{disk.api}/operations/{'0' * 64}", timeout=10), 401, "UnauthorizedError")


def test_create_folder_codes(disk):
    created = disk.call("PUT", "/resources", path="disk:/a")
    assert created.status_code == 201 and created.headers["content-type"] == OK_TYPE
    assert created.json() == {"href": f"{disk.api}/resources?path={quote('disk:/a', safe='')}", "method": "GET",
                              "templated": False}
    body = assert_error(disk.call("PUT", "/resources", path="disk:/a"), 409, "DiskPathPointsToExistentDirectoryError")
    assert body["description"] == 'Specified path "disk:/a" points to existent directory.'
    body = assert_error(disk.call("PUT", "/resources", path="disk:/x/y"), 409, "DiskPathDoesntExistsError")
    assert body["description"] == 'Specified path "disk:/x" doesn\'t exists.'
    assert_error(disk.call("PUT", "/resources"), 400, "FieldValidationError")
    assert_error(disk.call("PUT", "/resources", path="a" * 32761), 400, "FieldValidationError")
    assert_error(disk.call("PUT", "/resources", path="n" * 256), 400, "FieldValidationError")
    assert_error(disk.call("POST", "/resources", path="disk:/a"), 405, "MethodNotAllowedError")


def test_listing_paging_and_fields(disk):
    disk.call("PUT", "/resources", path="d")
    for i in range(5):
        disk.call("PUT", "/resources", path=f"d/f{i}")
    body = disk.call("GET", "/resources", path="d", limit=2, offset=1).json()
    embedded = body["_embedded"]
    assert (embedded["limit"], embedded["offset"], embedded["total"], embedded["path"]) == (2, 1, 5, "disk:/d")
    assert [item["name"] for item in embedded["items"]] == ["f1", "f2"]
    assert disk.call("GET", "/resources", path="d", limit=20).json()["_embedded"]["limit"] == 20
    chosen = disk.call("GET", "/resources", path="d", fields="name,_embedded.items.path", limit=1).json()
    assert chosen == {"name": "d", "_embedded": {"items": [{"path": "disk:/d/f0"}]}}
    assert_error(disk.call("GET", "/resources", path="d", limit="x"), 400, "FieldValidationError")


def test_upload_href_takes_one_raw_put_and_hashes_it(disk, sandbox):
    data = b"\x00\x01raw bytes" * 5000
    link = disk.call("GET", "/resources/upload", path="f.bin").json()
    assert set(link) == {"operation_id", "href", "method", "templated"} and link["method"] == "PUT"
    assert "/yandex-uploader/upload-target/" in link["href"] and ".utd." in link["href"]
    assert disk.call("GET", f"/operations/{link['operation_id']}").json() == {"status": "in-progress"}
    assert requests.put(link["href"], data=data, timeout=10).status_code == 201
    assert disk.call("GET", f"/operations/{link['operation_id']}").json() == {"status": "success"}
    assert_uploader_error(requests.put(link["href"], data=data, timeout=10), 412)  # one PUT per href
    meta = disk.call("GET", "/resources", path="f.bin").json()
    assert meta["md5"] == hashlib.md5(data).hexdigest() and meta["sha256"] == hashlib.sha256(data).hexdigest()
    assert meta["size"] == len(data) and meta["type"] == "file"
    assert_error(disk.call("GET", "/resources/upload", path="f.bin"), 409, "DiskResourceAlreadyExistsError")
    disk.call("PUT", "/resources", path="dir")
    assert_error(disk.call("GET", "/resources/upload", path="dir", overwrite="true"), 409,
                 "DiskPathPointsToExistentDirectoryError")


def test_chunked_upload_and_multipart_is_stored_as_sent(disk):
    assert disk.upload("chunked.bin", iter([b"a" * 1000, b"b" * 1000])).status_code == 201
    assert disk.call("GET", "/resources", path="chunked.bin").json()["size"] == 2000
    # A multipart PUT (what some clients wrongly send) lands byte for byte, boundary and all.
    link = disk.call("GET", "/resources/upload", path="multi.txt").json()
    prepared = requests.Request("PUT", link["href"], files={"file": ("x.txt", b"hello")}).prepare()
    response = requests.Session().send(prepared, timeout=10)
    assert response.status_code == 201
    assert disk.call("GET", "/resources", path="multi.txt").json()["md5"] != hashlib.md5(b"hello").hexdigest()


def test_size_limit_quota_and_link_expiry(disk, sandbox):
    sandbox.control.configure("yandex_disk", max_file_size=100)
    response = disk.upload("big.bin", b"x" * 101)
    assert_uploader_error(response, 413)
    sandbox.control.configure("yandex_disk", max_file_size=10_000, total_space=150)
    assert disk.upload("one.bin", b"x" * 100).status_code == 201
    assert_uploader_error(disk.upload("two.bin", b"x" * 100), 507)
    link = disk.call("GET", "/resources/upload", path="late.bin").json()
    sandbox.control.advance(1800)
    assert "expired" in assert_uploader_error(requests.put(link["href"], data=b"x", timeout=10), 410)
    info = disk.call("GET", "").json()
    assert (info["used_space"], info["total_space"], info["max_file_size"]) == (100, 150, 10_000)


def test_download_redirects_then_streams(disk):
    disk.upload("d.txt", b"hello")
    href = disk.call("GET", "/resources/download", path="d.txt").json()["href"]
    first = requests.get(href, allow_redirects=False, timeout=10)
    assert first.status_code == 302
    final = requests.get(href, timeout=10)
    assert final.content == b"hello" and final.headers["content-length"] == "5"
    assert requests.get(href.replace("/disk/", "/disk/x"), timeout=10).status_code == 500  # tampered token


def test_async_copy_delete_and_operation_status(disk, sandbox):
    disk.call("PUT", "/resources", path="src")
    disk.upload("src/a.txt", b"a")
    accepted = disk.call("POST", "/resources/copy", **{"from": "src", "path": "dst"})
    assert accepted.status_code == 202
    op = accepted.json()["href"].rsplit("/", 1)[-1]
    assert len(op) == 64
    assert disk.call("GET", f"/operations/{op}").json() == {"status": "in-progress"}
    assert disk.call("GET", "/resources", path="dst").status_code == 404
    sandbox.control.advance(2)
    assert disk.call("GET", f"/operations/{op}").json() == {"status": "success"}
    assert disk.call("GET", "/resources", path="dst/a.txt").status_code == 200
    file_copy = disk.call("POST", "/resources/copy", **{"from": "src/a.txt", "path": "b.txt"})
    assert file_copy.status_code == 201
    assert_error(disk.call("POST", "/resources/copy", **{"from": "src/a.txt", "path": "b.txt"}), 409,
                 "DiskResourceAlreadyExistsError")
    assert disk.call("DELETE", "/resources", path="b.txt").status_code == 204
    assert disk.call("DELETE", "/resources", path="src").status_code == 202
    assert_error(disk.call("GET", f"/operations/{'0' * 64}"), 404, "DiskOperationNotFoundError")


def test_trash_items_and_restore(disk):
    disk.upload("t.txt", b"t")
    assert disk.call("DELETE", "/resources", path="t.txt").status_code == 204
    trash = disk.call("GET", "/trash/resources", path="trash:/").json()
    item = trash["_embedded"]["items"][0]
    assert item["origin_path"] == "disk:/t.txt" and item["path"].startswith("trash:/t.txt_")
    assert len(item["path"].rsplit("_", 1)[1]) == 40
    assert disk.call("PUT", "/trash/resources/restore", path=item["path"]).status_code == 201
    assert disk.call("GET", "/resources", path="t.txt").status_code == 200
    assert disk.call("DELETE", "/trash/resources").status_code == 204  # already empty


def test_public_api_needs_no_token(disk):
    disk.upload("p.txt", b"p")
    assert disk.call("PUT", "/resources/publish", path="p.txt").status_code == 200
    key = disk.call("GET", "/resources", path="p.txt").json()["public_key"]
    meta = requests.get(f"{disk.api}/public/resources", params={"public_key": key}, timeout=10)
    assert meta.status_code == 200 and meta.json()["name"] == "p.txt"
    disk.call("PUT", "/resources/unpublish", path="p.txt")
    missing = requests.get(f"{disk.api}/public/resources", params={"public_key": key}, timeout=10)
    assert missing.status_code == 404


def test_uploader_and_downloader_are_faultable_services(disk, sandbox):
    sandbox.control.add_fault(service="yandex_uploader", status=503)
    assert disk.upload("f.txt", b"f").status_code == 503
    assert sandbox.control.configure("yandex_disk")["settings"]["operation_duration"] == 2.0
    with pytest.raises(Exception, match="400"):
        sandbox.control.configure("yandex_disk", no_such_setting=1)


def test_client_gone_mid_body_stores_nothing_and_spends_the_link(disk, sandbox):
    import socket
    import time
    from urllib.parse import urlsplit

    link = disk.call("GET", "/resources/upload", path="half.bin").json()
    href = urlsplit(link["href"])
    with socket.create_connection((href.hostname, href.port), timeout=10) as sock:
        sock.sendall(f"PUT {href.path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n".encode() + b"x" * 10)
    deadline = time.monotonic() + 10
    while disk.call("GET", f"/operations/{link['operation_id']}").json()["status"] == "in-progress":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    assert disk.call("GET", f"/operations/{link['operation_id']}").json() == {"status": "failed"}
    assert disk.call("GET", "/resources", path="half.bin").status_code == 404
    assert_uploader_error(requests.put(link["href"], data=b"x", timeout=10), 412)
