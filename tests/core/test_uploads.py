from __future__ import annotations

import hashlib
import logging
import os

import pytest

from airflow_provider_social.core.errors import PayloadTooLargeError, ValidationError
from airflow_provider_social.core.http import RetryPolicy, Transport
from airflow_provider_social.core.ratelimit import RateLimiterRegistry, fingerprint
from airflow_provider_social.core.uploads import (
    FileBody,
    MultipartStream,
    check_local_file,
    check_size,
    file_md5,
    stream_to_file,
)


@pytest.fixture
def payload(tmp_path):
    path = tmp_path / "data.bin"
    path.write_bytes(bytes(range(256)) * 4096)  # 1 MiB
    return path


def test_check_local_file_names_the_field(tmp_path):
    with pytest.raises(ValidationError, match="local_path: file .* does not exist"):
        check_local_file(tmp_path / "missing.txt")
    with pytest.raises(ValidationError, match="media: .* is a directory"):
        check_local_file(tmp_path, field="media")


def test_check_size_names_field_and_limit():
    with pytest.raises(PayloadTooLargeError, match=r"image: the file is 6.0 MiB, over the 5.0 MiB limit"):
        check_size(6 * 2**20, 5 * 2**20, field="image")
    check_size(5 * 2**20, 5 * 2**20, field="image")


def test_file_body_streams_whole_file_with_content_length(scripted, payload, fake_sleep, fake_clock):
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock)
    body = FileBody(payload)
    transport.request("PUT", scripted.url + "/upload", operation="upload", body=body.open)
    sent = scripted.requests[0]
    assert sent["headers"]["Content-Length"] == str(payload.stat().st_size)
    assert sent["body"] == payload.read_bytes()


def test_file_body_window_sends_one_segment(scripted, payload, fake_sleep, fake_clock):
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock)
    window = FileBody(payload, offset=1000, length=5000)
    transport.request("POST", scripted.url, operation="append", body=window.open)
    assert scripted.requests[0]["body"] == payload.read_bytes()[1000:6000]
    assert scripted.requests[0]["headers"]["Content-Length"] == "5000"


def test_file_body_is_reread_from_the_start_on_retry(scripted, payload, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {}), (201, {}, {})]
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock, retry=RetryPolicy(max_attempts=3))
    transport.request("PUT", scripted.url, operation="upload", body=FileBody(payload).open)
    assert [r["body"] == payload.read_bytes() for r in scripted.requests] == [True, True]


def test_multipart_stream_is_sent_whole_and_rebuilt_per_attempt(scripted, payload, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {}), (200, {}, {})]
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock, retry=RetryPolicy(max_attempts=3))

    def body() -> MultipartStream:
        return MultipartStream({"media_category": "tweet_image"}, "media", payload, boundary="bnd",
                               content_type="image/png")

    transport.request("POST", scripted.url, operation="upload", body=body, idempotent=True,
                      headers={"Content-Type": body().content_type})
    for request in scripted.requests:
        assert request["headers"]["Content-Type"] == "multipart/form-data; boundary=bnd"
        assert request["headers"]["Content-Length"] == str(len(body()))
        assert payload.read_bytes() in request["body"] and b"tweet_image" in request["body"]
    assert len(scripted.requests) == 2


def test_multipart_stream_is_flat_and_exact(tmp_path):
    path = tmp_path / "blob"
    path.write_bytes(bytes(range(256)) * 40_000)
    stream = MultipartStream({"segment_index": 3}, "media", path, offset=1000, length=5_000_000 // 2, boundary="b")
    blocks = list(stream)
    assert max(len(b) for b in blocks) <= MultipartStream.BLOCK
    body = b"".join(blocks)
    assert len(body) == len(stream)
    assert body.startswith(b'--b\r\nContent-Disposition: form-data; name="segment_index"\r\n\r\n3\r\n')
    assert path.read_bytes()[1000:1000 + 2_500_000] in body and body.endswith(b"\r\n--b--\r\n")


def test_stream_to_file_is_atomic(tmp_path):
    target = tmp_path / "out" / "file.bin"

    def broken():
        yield b"partial"
        raise ConnectionError("dropped")

    with pytest.raises(ConnectionError):
        stream_to_file(broken(), target)
    assert not target.exists() and list((tmp_path / "out").iterdir()) == []
    assert stream_to_file(iter([b"a", b"b"]), target) == 2 and target.read_bytes() == b"ab"


def test_file_md5(payload):
    assert file_md5(payload) == hashlib.md5(payload.read_bytes()).hexdigest()


def test_rate_limit_buckets_are_shared_per_credential_and_never_keyed_by_the_secret(fake_clock, fake_sleep):
    registry = RateLimiterRegistry()
    a1 = registry.bucket("VK", "token-a-123456", 3, clock=fake_clock, sleep=fake_sleep)
    assert registry.bucket("VK", "token-a-123456", 3) is a1
    assert registry.bucket("VK", "token-b-123456", 3) is not a1
    assert all("token-a" not in key[1] for key in registry._buckets)
    assert fingerprint("token-a-123456") == fingerprint("token-a-123456") != fingerprint("token-b-123456")


def test_logged_urls_have_secrets_redacted(scripted, fake_sleep, fake_clock, caplog):
    caplog.set_level(logging.DEBUG, logger="airflow_provider_social.core.http")
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock)
    transport.request("GET", scripted.url + "/m?access_token=abcdef123456&v=5.199", operation="get")
    transport.request("PUT", scripted.url + "/upload-target/signed-secret-part", operation="put", signed_url=True)
    assert "abcdef123456" not in caplog.text and "v=5.199" in caplog.text
    assert "signed-secret-part" not in caplog.text


def test_each_attempts_file_body_is_closed(scripted, payload, fake_sleep, fake_clock):
    scripted.script = [(503, {}, {}), (201, {}, {})]
    transport = Transport(service="T", sleep=fake_sleep, clock=fake_clock, retry=RetryPolicy(max_attempts=3))
    opened = []

    def body():
        opened.append(FileBody(payload).open())
        return opened[-1]

    transport.request("PUT", scripted.url, operation="upload", body=body)
    assert len(opened) == 2 and all(fh.closed for fh in opened)


def _raw_http_server(payload: bytes):
    """A one-shot server that answers every request with ``payload`` verbatim, then closes."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(payload)

    threading.Thread(target=serve, daemon=True).start()
    return server, f"http://127.0.0.1:{server.getsockname()[1]}/file"


def test_response_blocks_read_the_whole_body_into_one_buffer(tmp_path):
    import requests

    from airflow_provider_social.core.uploads import response_blocks

    body = os.urandom(3 * 1024 * 1024 + 17)
    server, url = _raw_http_server(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % len(body) + body)
    with server, requests.get(url, stream=True, timeout=10) as response:
        assert stream_to_file(response_blocks(response, 1024 * 1024), tmp_path / "f") == len(body)
    assert (tmp_path / "f").read_bytes() == body


def test_response_blocks_refuse_a_body_cut_short(tmp_path):
    import requests

    from airflow_provider_social.core.uploads import response_blocks

    server, url = _raw_http_server(b"HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n" + b"x" * 600)
    with server, requests.get(url, stream=True, timeout=10) as response:
        with pytest.raises(requests.exceptions.ChunkedEncodingError, match="600 of 1000"):
            stream_to_file(response_blocks(response), tmp_path / "f")
    assert not (tmp_path / "f").exists() and not (tmp_path / ".f.part").exists()


def test_response_blocks_decode_an_encoded_body(tmp_path):
    import gzip

    import requests

    from airflow_provider_social.core.uploads import response_blocks

    packed = gzip.compress(b"hello " * 1000)
    head = b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(packed)
    server, url = _raw_http_server(head + packed)
    with server, requests.get(url, stream=True, timeout=10) as response:
        stream_to_file(response_blocks(response), tmp_path / "f")
    assert (tmp_path / "f").read_bytes() == b"hello " * 1000
def test_multipart_files_streams_several_files_with_the_declared_length(tmp_path):
    from airflow_provider_social.core.uploads import MultipartFiles
    from airflow_provider_social.sandbox.twitter import parse_multipart

    one, two = tmp_path / "a.png", tmp_path / "b.jpg"
    one.write_bytes(b"\x89PNG" + b"1" * 3000)
    two.write_bytes(b"\xff\xd8\xff" + b"2" * 10)
    body = MultipartFiles([("pic1", one, "a.png", "image/png"), ("pic2", two, "b.jpg", "image/jpeg")],
                          fields={"note": "x"})
    body.BLOCK = 1024  # several blocks per file
    raw = b"".join(body)
    assert len(raw) == len(body)
    parts = parse_multipart(raw, body.content_type)
    assert parts == {"note": (b"x", None), "pic1": (one.read_bytes(), "a.png"), "pic2": (two.read_bytes(), "b.jpg")}


def test_save_response_body_holds_one_buffer_whatever_the_size(tmp_path):
    """A download's memory is its one reused buffer: a body of 24 blocks traces less than two blocks' worth."""
    import socket
    import threading
    import tracemalloc

    import requests

    from airflow_provider_social.core.uploads import save_response_body

    block, blocks = 1024 * 1024, 24
    piece = os.urandom(block)
    server = socket.create_server(("127.0.0.1", 0))

    def serve():
        conn, _ = server.accept()
        with conn:
            conn.recv(65536)
            conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: %d\r\n\r\n" % (block * blocks))
            for _ in range(blocks):
                conn.sendall(piece)

    threading.Thread(target=serve, daemon=True).start()
    url = f"http://127.0.0.1:{server.getsockname()[1]}/file"
    with server, requests.get(url, stream=True, timeout=10) as response:
        tracemalloc.start()
        try:
            written = save_response_body(response, tmp_path / "f", block_size=block)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    assert written == block * blocks
    assert peak < 2 * block
    with open(tmp_path / "f", "rb") as fh:
        assert all(fh.read(block) == piece for _ in range(blocks))
