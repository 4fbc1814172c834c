"""Streaming request bodies: files (whole, a window, or inside multipart) are read from their source in chunks.

A body reads a :class:`~airflow_provider_social.core.sources.MediaSource` (a local file, an object in a store, an
http(s) URL, bytes, a file object) or a plain local path. Sizes are checked before anything is sent, so a file over
a service limit fails fast with the field and limit.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO, Any, TypeVar

from airflow_provider_social.core.errors import SocialApiError

# The block size and the input checks live in core.media_checks (below core.sources, which uses them too); they
# stay importable from here, where callers have always taken them.
from airflow_provider_social.core.media_checks import CHUNK_SIZE
from airflow_provider_social.core.media_checks import check_local_file as check_local_file
from airflow_provider_social.core.media_checks import check_size as check_size
from airflow_provider_social.core.media_checks import human_size as human_size
from airflow_provider_social.core.source_base import LocalSource, MediaSource

T = TypeVar("T")

# A download's one reused buffer. 4 MiB took ~10% less CPU per byte than 1 MiB on 2 cores (a quarter of the
# recv/write calls, and the sender is woken a quarter as often); memory still grows by this much, whatever the size.
DOWNLOAD_BLOCK = 4 * 1024 * 1024


def as_source(source: MediaSource | str | os.PathLike[str]) -> MediaSource:
    """``source`` itself, or a local path as a :class:`~airflow_provider_social.core.sources.LocalSource`."""
    return source if isinstance(source, MediaSource) else LocalSource(Path(source))


class FileBody:
    """A re-openable, length-known file body for ``requests``: each attempt reads the source from the start (or
    from ``offset``).

    ``requests`` streams file-like objects with a known length without buffering them, so memory stays flat.

    :param path: a :class:`~airflow_provider_social.core.sources.MediaSource` or a local path.
    """

    def __init__(self, path: MediaSource | Path, *, offset: int = 0, length: int | None = None) -> None:
        self.source = as_source(path)
        self.path = self.source.local_path()
        self.offset = offset
        self.length = length if length is not None else self.source.size - offset

    def open(self) -> IO[bytes]:
        fh = self.source.open(self.offset)
        if self.path is not None and not self.offset and self.length == self.source.size:
            return fh  # a whole local file: requests sizes it with fstat
        return _Window(fh, self.length)  # type: ignore[return-value]


class _Window:
    """A read-only window of ``length`` bytes over an open file (one chunk of a chunked upload)."""

    def __init__(self, fh: IO[bytes], length: int) -> None:
        self._fh = fh
        self._left = length
        self.len = length  # requests reads ``len`` to set Content-Length

    def read(self, size: int = -1) -> bytes:
        if self._left <= 0:
            return b""
        size = self._left if size is None or size < 0 else min(size, self._left)
        data = self._fh.read(size)
        self._left -= len(data)
        return data

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self.read(CHUNK_SIZE):
            yield chunk

    def close(self) -> None:
        self._fh.close()


def copy_blocks(source: MediaSource, offset: int, length: int, block: int = CHUNK_SIZE) -> Iterator[bytes]:
    """``length`` bytes of ``source`` from ``offset`` in blocks of at most ``block``; an OSError when the source
    ends early (it shrank while it was being uploaded)."""
    left = length
    with contextlib.closing(source.open(offset)) as fh:
        while left > 0:
            data = fh.read(min(block, left))
            if not data:
                raise OSError(f"{source.label} shrank while it was being uploaded")
            left -= len(data)
            yield data


class RefusedLinkRetry:
    """Sends to a single-use upload link so that its first refusal is retried once from a fresh link.

    Upload hosts (VK's, OK's) answer a link that expired or was already used with the same kind of error body as a
    file they will not take, and neither documents how to tell them apart (UNCONFIRMED); so the first refusal asks
    :meth:`~airflow_provider_social.core.http.Transport.with_retries` for another attempt (which gets a fresh link)
    and a second refusal is final. A failed send is safe to repeat too: nothing is saved until the upload's answer
    is used. Build one per upload (it counts that upload's refusals).
    """

    def __init__(self) -> None:
        self.refusals = 0

    def send(self, send: Callable[[], T]) -> T:
        """``send()``: its answer, or a RetryableError for the first refusal; a second refusal is raised as is."""
        from airflow_provider_social.core.http import RetryableError

        try:
            return send()
        except RetryableError as failed:
            raise RetryableError(failed.error, failed.wait, safe_to_repeat=True) from None
        except SocialApiError as refused:
            self.refusals += 1
            if self.refusals > 1:
                raise
            raise RetryableError(refused, safe_to_repeat=True) from None


def file_md5(path: Path, chunk_size: int = CHUNK_SIZE) -> str:
    digest = hashlib.md5()  # noqa: S324 - the APIs use MD5 as an integrity tag, not for security
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            digest.update(chunk)
    return digest.hexdigest()


class MultipartStream:
    """A multipart/form-data body streamed from disk: text fields, then one file window (``offset``/``length``).

    Its length is known up front (``requests`` sends ``Content-Length`` and iterates), and it holds at most one
    read block in memory, so memory stays flat whatever the file size. Build one per attempt; each iteration
    reads the file from the window's start.

    Written rather than taken from requests-toolbelt: ``MultipartEncoder`` encodes a 256 MiB file at ~0.7 GiB/s
    when urllib3 reads it in 16 KiB blocks, this at ~5 GiB/s, and CPU spent encoding is CPU the upload lacks on
    small workers. It also needs no file-window wrapper for chunked uploads.
    """

    BLOCK = CHUNK_SIZE

    def __init__(self, fields: Mapping[str, Any], file_field: str, path: MediaSource | Path, *, offset: int = 0,
                 length: int | None = None, filename: str = "blob",
                 content_type: str = "application/octet-stream", boundary: str | None = None) -> None:
        self.boundary = boundary or secrets.token_hex(16)
        self.source = as_source(path)
        self.offset = offset
        self.length = self.source.size - offset if length is None else length
        b = self.boundary
        head = "".join(
            f'--{b}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        )
        head += (f'--{b}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
                 f"Content-Type: {content_type}\r\n\r\n")
        self._head = head.encode("utf-8")
        self._tail = f"\r\n--{b}--\r\n".encode()

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        return len(self._head) + self.length + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._head
        yield from copy_blocks(self.source, self.offset, self.length, self.BLOCK)
        yield self._tail


def response_blocks(response: Any, size: int = CHUNK_SIZE) -> Iterator[bytes | memoryview]:
    """A streamed ``requests`` response's body in blocks, for :func:`stream_to_file`.

    An unencoded body is read with ``readinto`` into one reused buffer straight from the HTTP connection: one copy
    from the socket per byte instead of the three that ``raw.read`` makes (the new bytes, urllib3's decoded-content
    queue, the join), which made downloads about half as fast as curl on a 2-core machine (``make bench``,
    ``yandex_download_vs_curl_ratio``). Each block is only valid until the next one is read. ``readinto`` does
    not enforce Content-Length (a connection closed early reads as the end), so the total is checked here and a
    short body raises ``requests.exceptions.ChunkedEncodingError`` like urllib3 would. Encoded bodies (gzip) go
    through urllib3's decoder.
    """
    import requests

    raw = response.raw
    reader: Any = getattr(raw, "_fp", None)  # urllib3's http.client.HTTPResponse
    if response.headers.get("Content-Encoding") or not callable(getattr(reader, "readinto", None)):
        while block := raw.read(size, decode_content=True):
            yield block
        return
    declared = response.headers.get("Content-Length")
    buffer = memoryview(bytearray(size))
    total = 0
    while n := reader.readinto(buffer):
        total += n
        yield buffer[:n]
    if declared is not None and total != int(declared):
        raise requests.exceptions.ChunkedEncodingError(f"body ended after {total} of {declared} bytes")


class MultipartFiles:
    """A multipart/form-data body of several files streamed from their sources (OK's ``pic1``..``picN`` in one
    request).

    ``files`` are ``(field, source or path, filename, content_type)``; like :class:`MultipartStream` its length is
    known up front and it holds at most one read block in memory. Build one per attempt.
    """

    BLOCK = CHUNK_SIZE

    def __init__(self, files: Sequence[tuple[str, MediaSource | Path, str, str]], *,
                 fields: Mapping[str, Any] | None = None, trailing_fields: Mapping[str, Any] | None = None,
                 boundary: str | None = None) -> None:
        self.boundary = boundary or secrets.token_hex(16)
        self.trailing_fields = dict(trailing_fields or {})
        self._fields = self._text_parts(fields or {})
        self._trailing = self._text_parts(self.trailing_fields)
        b = self.boundary
        self._parts = [
            ((f'--{b}\r\nContent-Disposition: form-data; name="{field}"; filename="{filename}"\r\n'
              f"Content-Type: {content_type}\r\n\r\n").encode(), source, source.size)
            for field, source, filename, content_type in ((f, as_source(p), n, t) for f, p, n, t in files)
        ]
        self._tail = f"--{b}--\r\n".encode()

    def _text_parts(self, fields: Mapping[str, Any]) -> bytes:
        return "".join(
            f'--{self.boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
            for name, value in fields.items()
        ).encode("utf-8")

    @property
    def content_type(self) -> str:
        return f"multipart/form-data; boundary={self.boundary}"

    def __len__(self) -> int:
        parts = sum(len(head) + size + 2 for head, _, size in self._parts)
        return len(self._fields) + parts + len(self._trailing) + len(self._tail)

    def __iter__(self) -> Iterator[bytes]:
        yield self._fields
        for head, source, size in self._parts:
            yield head
            yield from copy_blocks(source, 0, size, self.BLOCK)
            yield b"\r\n"
        yield self._trailing
        yield self._tail


def save_response_body(response: Any, target: Path, *, block_size: int = DOWNLOAD_BLOCK) -> int:
    """Copy a streamed ``requests`` response's body into ``target`` through one reused buffer of ``block_size``
    (see :func:`response_blocks`), atomically (:func:`stream_to_file`); return the bytes written."""
    return stream_to_file(response_blocks(response, block_size), target)


def stream_to_file(chunks: Iterable[bytes | memoryview], target: Path) -> int:
    """Write ``chunks`` to a temp file beside ``target`` and rename it into place; return bytes written.

    The file is unbuffered: each chunk is one ``write`` call from the caller's memory, with no copy through a
    buffered writer.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.part")
    written = 0
    try:
        with open(tmp, "wb", buffering=0) as fh:
            for chunk in chunks:
                view = memoryview(chunk)
                while view:  # an unbuffered write may take part of a chunk
                    n = fh.write(view)
                    written += n
                    view = view[n:]
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return written
