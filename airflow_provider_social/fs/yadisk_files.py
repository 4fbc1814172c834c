"""The file objects of ``yadisk://``: reads streamed from the download host, writes streamed to the upload host.

Reading keeps one streamed download open and serves consecutive blocks from it, so a sequential read (a copy)
is one download; a seek elsewhere opens a new one with ``Range: bytes=<offset>-`` (a download host answering
``200`` instead of ``206`` is skipped forward, so random access works either way, only slower). A download that
breaks mid-way is reopened once at the position reached.

Writing streams: the upload link is taken when the file is opened and one ``PUT`` with a chunked body starts then;
each write goes straight to the upload, which sends every full 1 MiB piece as it fills, from a fixed set of reused
buffers, so memory stays flat and no local space is needed
(:mod:`~airflow_provider_social.hooks.yandex_disk.transfers_stream`). fsspec's own write buffer is skipped: a new
``BytesIO`` per block is fresh memory to page-fault in. With that and 64 KiB chunks (see ``FRAME`` there), a 1 GiB
write from memory to the benchmark's sink went from 1.22-1.50 s to 0.68-0.78 s (the hook's upload of a local file:
0.33-0.41 s). The account's limits are checked as the bytes come; a throttled type goes
up under a neutral name and is renamed on close. Leaving the ``with`` block by an exception, or dropping the file
unclosed, breaks the body off: nothing is stored under the name. An upload that fails is not repeated (the bytes
were consumed); the error is raised from ``write`` (after which ``close`` stores nothing) or ``close``.
"""

from __future__ import annotations

import errno
import io
from typing import TYPE_CHECKING, Any, Protocol

from fsspec.spec import AbstractBufferedFile

from airflow_provider_social.fs.disk_translation import os_errors, to_disk

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

#: Bytes read from the network per call while skipping or filling a block.
_READ = 1024 * 1024
#: The block size fsspec is told for writes (it buffers nothing here: writes go straight to the upload).
WRITE_BLOCK = 1024 * 1024


class DiskFileSystem(Protocol):
    """What the file objects use of their filesystem (:class:`.yadisk.YandexDiskFileSystem`) beyond fsspec's own:
    stated here so this module does not import the filesystem that imports it."""

    #: Upload a throttled type under a neutral name and rename it (the hook's ``avoid_throttle``).
    avoid_throttle: bool

    @property
    def hook(self) -> YandexDiskHook:
        """The hook every call goes through."""


class YandexDiskReadFile(AbstractBufferedFile):
    """A Disk file opened ``rb``: blocks fetched from one streamed download, reopened with ``Range`` on a seek."""

    fs: DiskFileSystem

    def __init__(self, fs: DiskFileSystem, path: str, block_size: Any = None,
                 cache_options: dict[str, Any] | None = None, **kwargs: Any) -> None:
        self._response: Any = None
        self._position = 0  # the file offset the open response's next byte has
        kwargs.setdefault("cache_type", "readahead")
        super().__init__(fs, path, mode="rb", block_size=block_size, cache_options=cache_options, **kwargs)
        if self.details.get("type") == "directory":
            raise IsADirectoryError(errno.EISDIR, "a folder cannot be opened for reading", path)

    def _fetch_range(self, start: int, end: int) -> bytes:
        import requests
        from urllib3.exceptions import HTTPError

        end = min(end, self.size)
        if start >= end:
            return b""
        for attempt in (1, 2):
            try:
                if self._response is None or self._position != start:
                    self._reopen(start)
                data = self._read(end - start)
            except (requests.RequestException, HTTPError):
                self._close_response()
                if attempt == 2:
                    raise
                continue
            self._position += len(data)
            return data
        raise AssertionError("unreachable")  # pragma: no cover

    def _reopen(self, start: int) -> None:
        self._close_response()
        self._response, begins_at = self.fs.hook.transfers.open_download(to_disk(self.path), start=start)
        self._position = begins_at
        while self._position < start:  # the host sent the whole file: skip to start
            skipped = self._read(min(_READ, start - self._position))
            if not skipped:
                raise EOFError(f"{self.path}: the download ended at byte {self._position}, before {start}")
            self._position += len(skipped)

    def _read(self, count: int) -> bytes:
        raw = self._response.raw
        parts, wanted = [], count
        while wanted > 0:
            chunk = raw.read(min(wanted, _READ))
            if not chunk:
                break
            parts.append(chunk)
            wanted -= len(chunk)
        return b"".join(parts)

    def _close_response(self) -> None:
        if self._response is not None:
            self._response.close()
            self._response = None

    def close(self) -> None:
        self._close_response()
        super().close()


class YandexDiskWriteFile(AbstractBufferedFile):
    """A Disk file opened ``wb``/``xb``: each block streamed to the upload host as it fills, the upload finished on
    close (:meth:`.YandexDiskTransfers.open_upload`)."""

    fs: DiskFileSystem

    def __init__(self, fs: DiskFileSystem, path: str, mode: str = "wb", block_size: Any = None,
                 **kwargs: Any) -> None:
        super().__init__(fs, path, mode=mode, block_size=block_size or WRITE_BLOCK, **kwargs)
        #: What Yandex computed for the file (``path``, ``size``, ``md5``, ``sha256``), once it is closed.
        self.uploaded: dict[str, Any] | None = None
        self._failed = False  # a write failed: close() stores nothing
        with os_errors(path):
            self._upload = fs.hook.transfers.open_upload(to_disk(path), overwrite=mode == "wb", parents=True,
                                                         avoid_throttle=fs.avoid_throttle)

    def write(self, data: Any) -> int:
        """Hand ``data`` to the upload at once (fsspec's version buffers it in a new ``BytesIO`` per block).

        :param data: the next bytes of the file.
        :return: how many bytes were written.
        """
        if not self.writable():
            raise ValueError("File not in write mode")
        if self.closed:
            raise ValueError("I/O operation on closed file.")
        if self.forced:
            raise ValueError("This file has been force-flushed, can only close")
        size = memoryview(data).nbytes
        self._send(data, final=False)
        self.loc += size
        return size

    def _initiate_upload(self) -> None:
        """Nothing to do: the upload started when the file was opened."""

    def _upload_chunk(self, final: bool = False) -> bool:
        self._send(self.buffer.getvalue(), final=final)  # empty unless something wrote to fsspec's buffer itself
        return True

    def _send(self, data: Any, *, final: bool) -> None:
        try:
            with os_errors(self.path):
                self._upload.write(data)
                if final:
                    self.uploaded = self._upload.close()
        except BaseException:
            self._failed = True
            self._upload.abort()
            raise

    def close(self) -> None:
        """Finish the upload; after a write that failed (its error already raised), store nothing and close."""
        if getattr(self, "_failed", False) and not self.closed:
            self.discard()
            return
        super().close()

    def discard(self) -> None:
        """Drop what was written: the upload is broken off and nothing is stored."""
        self._upload.abort()
        self.buffer = io.BytesIO()
        self.closed = True

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is not None:
            self.discard()
            return
        self.close()

    def __del__(self) -> None:
        # A file dropped without close() was not finished: store nothing rather than what was written so far
        # (fsspec's files commit in __del__).
        if not getattr(self, "closed", True) and hasattr(self, "_upload"):
            self.discard()
