"""Every media input kind as a sized, re-openable stream (core/sources.py), against real stores: local files,
``file://``, ``memory://``, an HTTP server on loopback, and S3 (moto_server) for the slow tier."""

from __future__ import annotations

import io
import os

import pytest

from airflow_provider_social.core.errors import PayloadTooLargeError, ValidationError
from airflow_provider_social.core.sources import LocalSource, media_source
from airflow_provider_social.core.uploads import FileBody, MultipartFiles, MultipartStream
from tests.sources.conftest import BUCKET, S3_CONN_ID

DATA = bytes(range(256)) * 8192  # 2 MiB: more than one read block


def _read(source, offset=0):
    with source.open(offset) as fh:
        return b"".join(iter(lambda: fh.read(300_000), b""))


def test_local_path_is_sized_and_reopened_at_any_offset(tmp_path):
    path = tmp_path / "clip.mp4"
    path.write_bytes(DATA)
    for value in (path, str(path), f"file://{path}"):
        source = media_source(value, field="media")
        assert (source.name, source.size) == ("clip.mp4", len(DATA))
        assert _read(source) == DATA and _read(source, 1000) == DATA[1000:]


def test_missing_local_file_names_the_field(tmp_path):
    with pytest.raises(ValidationError, match=r"media: file .*nope\.jpg.* does not exist"):
        media_source(tmp_path / "nope.jpg", field="media")
    with pytest.raises(ValidationError, match=r"media: file:///.*nope\.jpg does not exist"):
        media_source(f"file://{tmp_path}/nope.jpg", field="media")


def test_bytes_and_seekable_file_objects_reread_from_where_they_started():
    assert _read(media_source(DATA, field="image")) == DATA
    fh = io.BytesIO(b"header" + DATA)
    fh.seek(6)
    source = media_source(fh, field="image")
    assert source.size == len(DATA)
    assert _read(source) == DATA and _read(source) == DATA  # a retry reads it all again
    assert not fh.closed  # the caller's object stays the caller's


def test_non_seekable_file_object_is_spooled_to_disk_and_deleted_on_close(tmp_path):
    read_fd, write_fd = os.pipe()
    with os.fdopen(write_fd, "wb") as writer:
        writer.write(DATA[:60_000])  # fits the pipe's buffer
    with os.fdopen(read_fd, "rb", buffering=0) as pipe:
        source = media_source(pipe, field="media")
    assert isinstance(source, LocalSource) and source.size == 60_000
    spooled = source.local_path()
    assert _read(source) == DATA[:60_000] and spooled.exists()
    source.close()
    assert not spooled.exists()


def test_a_stream_of_unknown_size_stops_at_the_limit(http_files):
    http_files.files["big.bin"] = DATA
    with pytest.raises(PayloadTooLargeError, match=r"media: the video big\.bin is over 1\.0 MiB "
                                                   r"\(stopped reading at 2\.0 MiB\), over the 1\.0 MiB limit"):
        media_source(f"{http_files.url}/chunked/big.bin", field="media", limit=1 << 20, what="video")


def test_empty_and_unknown_inputs_are_refused():
    with pytest.raises(ValidationError, match="image: <0 bytes> is empty"):
        media_source(b"", field="image")
    with pytest.raises(ValidationError, match="image: expected a local path, an ObjectStoragePath .* got int"):
        media_source(42, field="image")
    with pytest.raises(ValidationError, match=r"image: a file object must be opened in binary mode"):
        media_source(io.StringIO("text"), field="image")


def test_memory_store_by_url_and_by_object_storage_path(memory_store):
    from airflow.sdk import ObjectStoragePath

    memory_store.pipe("/photos/cat.png", DATA)
    for value in ("memory://photos/cat.png", ObjectStoragePath("memory://photos/cat.png")):
        source = media_source(value, field="photo")
        assert (source.name, source.size) == ("cat.png", len(DATA))
        assert _read(source, 5) == DATA[5:]
    with pytest.raises(ValidationError, match=r"photo: memory://photos/dog\.png does not exist"):
        media_source("memory://photos/dog.png", field="photo")
    with pytest.raises(ValidationError, match=r"photo: memory://photos is a directory"):
        media_source("memory://photos", field="photo")


def test_a_scheme_airflow_does_not_know_is_an_input_error():
    with pytest.raises(ValidationError, match=r"photo: nosuch://b/k\.jpg: Airflow's object storage has no "
                                              r"filesystem for the scheme 'nosuch'"):
        media_source("nosuch://b/k.jpg", field="photo")


def test_the_size_limit_is_checked_before_any_byte_is_read(memory_store, http_files):
    memory_store.pipe("/v/long.mp4", DATA)
    with pytest.raises(PayloadTooLargeError, match=r"media: the video long\.mp4 is 2\.0 MiB, over the 1\.0 MiB"):
        media_source("memory://v/long.mp4", field="media", limit=1 << 20, what="video")
    http_files.files["long.mp4"] = DATA
    with pytest.raises(PayloadTooLargeError, match="over the 1.0 MiB limit"):
        media_source(f"{http_files.url}/sized/long.mp4", field="media", limit=1 << 20, what="video")
    assert [method for method, _, _ in http_files.requests] == ["HEAD"]


def test_http_url_sized_by_head_and_reopened_with_range(http_files):
    http_files.files["a.mp4"] = DATA
    source = media_source(f"{http_files.url}/sized/a.mp4?sig=s3cr3t", field="media")
    assert (source.name, source.size) == ("a.mp4", len(DATA))
    assert _read(source) == DATA and _read(source, 123_456) == DATA[123_456:]
    assert http_files.requests[-1][2]["Range"] == "bytes=123456-"
    ignoring = media_source(f"{http_files.url}/norange/a.mp4", field="media")
    assert _read(ignoring, 123_456) == DATA[123_456:]  # a server that ignores Range is read past the offset


def test_http_url_without_length_or_head_is_spooled_once(http_files):
    http_files.files["c.gif"] = DATA
    for mode in ("chunked", "nohead"):
        source = media_source(f"{http_files.url}/{mode}/c.gif", field="media")
        gets = sum(method == "GET" for method, _, _ in http_files.requests)
        assert source.size == len(DATA) and _read(source) == DATA and _read(source, 7) == DATA[7:]
        assert sum(method == "GET" for method, _, _ in http_files.requests) == gets  # retries read the copy
        source.close()


def test_unreadable_url_errors_name_the_field_never_the_signature(http_files):
    with pytest.raises(ValidationError) as missing:
        media_source(f"{http_files.url}/sized/gone.jpg?X-Amz-Signature=topsecret", field="photo")
    assert str(missing.value) == f"photo: {http_files.url}/sized/gone.jpg answered HTTP 404."
    with pytest.raises(ValidationError, match=r"photo: http://127\.0\.0\.1:9/x\.jpg could not be read") as refused:
        media_source("http://user:pw@127.0.0.1:9/x.jpg?token=topsecret", field="photo")
    assert "topsecret" not in str(refused.value) and "pw" not in str(refused.value)


def test_a_signed_urls_query_never_reaches_the_logs(http_files, caplog):
    import logging

    caplog.set_level(logging.DEBUG)
    http_files.files["s.png"] = DATA[:5000]
    url = f"{http_files.url}/sized/s.png?X-Goog-Signature=c2lnbmF0dXJlLXRoYXQtaXMtbm90LWhleA&Expires=99"
    source = media_source(url, field="photo")
    assert _read(source, 10) == DATA[10:5000]
    logged = caplog.text
    assert "/sized/s.png" in logged and "c2lnbmF0dXJlLXRoYXQtaXMtbm90LWhleA" not in logged


def test_upload_bodies_stream_any_source(http_files, memory_store):
    http_files.files["v.mp4"] = DATA
    memory_store.pipe("/m/p.png", DATA[:1000])
    web = media_source(f"{http_files.url}/sized/v.mp4", field="media")
    stream = MultipartStream({"segment_index": 1}, "media", web, offset=1000, length=500_000, boundary="b")
    blocks = list(stream)
    assert b"".join(blocks[1:-1]) == DATA[1000:501_000] and sum(map(len, blocks)) == len(stream)
    body = FileBody(media_source("memory://m/p.png", field="photo")).open()
    assert body.len == 1000 and body.read() == DATA[:1000]
    files = MultipartFiles([("pic1", media_source(DATA[:10], field="p"), "a.png", "image/png"),
                            ("pic2", media_source("memory://m/p.png", field="p"), "b.png", "image/png")],
                           boundary="b")
    joined = b"".join(files)
    assert len(joined) == len(files) and DATA[:10] in joined and DATA[:1000] in joined


def test_s3_objects_by_url_with_the_connection_in_the_user_part(s3_store):
    s3_store.pipe(f"{BUCKET}/in/clip.mp4", DATA)
    source = media_source(f"s3://{S3_CONN_ID}@{BUCKET}/in/clip.mp4", field="media")
    assert (source.name, source.size, source.label) == ("clip.mp4", len(DATA),
                                                        f"s3://{S3_CONN_ID}@{BUCKET}/in/clip.mp4")
    assert _read(source) == DATA and _read(source, 1 << 20) == DATA[1 << 20:]
    with pytest.raises(ValidationError, match=rf"media: s3://{S3_CONN_ID}@{BUCKET}/in/none\.mp4 does not exist"):
        media_source(f"s3://{S3_CONN_ID}@{BUCKET}/in/none.mp4", field="media")
