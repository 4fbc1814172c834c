"""The file objects of ``yadisk://``: reads streamed from the download host, writes spooled then uploaded.

Reading keeps one streamed download open and serves consecutive blocks from it, so a sequential read (a copy)
is one download; a seek elsewhere opens a new one with ``Range: bytes=<offset>-`` (a download host answering
``200`` instead of ``206`` is skipped forward, so random access works either way, only slower). A download that
breaks mid-way is reopened once at the position reached.

Writing spools the bytes to a temporary local file (memory stays at one block) and uploads it when the file is
closed, through the hook's upload: Content-Length known, the account's limits checked first, a fresh upload link
per attempt, the throttle workaround. Leaving the ``with`` block by an exception discards the spool and uploads
nothing. The spool needs local free space for the file (``$TMPDIR``).
"""

from __future__ import annotations

import errno
import io
import os
import shutil
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractBufferedFile

from airflow_provider_social.fs.yadisk import to_disk

if TYPE_CHECKING:
    from airflow_provider_social.fs.yadisk import YandexDiskFileSystem

#: Bytes read from the network per call while skipping or filling a block.
_READ = 1024 * 1024


class YandexDiskReadFile(AbstractBufferedFile):
    """A Disk file opened ``rb``: blocks fetched from one streamed download, reopened with ``Range`` on a seek."""

    fs: YandexDiskFileSystem

    def __init__(self, fs: YandexDiskFileSystem, path: str, block_size: Any = None,
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
    """A Disk file opened ``wb``/``xb``: blocks spooled to a local temporary file, uploaded on close."""

    fs: YandexDiskFileSystem

    def __init__(self, fs: YandexDiskFileSystem, path: str, mode: str = "wb", block_size: Any = None,
                 **kwargs: Any) -> None:
        self._spool: Any = None
        self._spool_path: str | None = None
        super().__init__(fs, path, mode=mode, block_size=block_size, **kwargs)

    def _initiate_upload(self) -> None:
        # The target's name in the spool's, so that an error naming the local file names the Disk file as well.
        name = self.path.rstrip("/").rsplit("/", 1)[-1][:100]
        descriptor, self._spool_path = tempfile.mkstemp(prefix="yadisk-upload-", suffix=f"-{name}")
        self._spool = os.fdopen(descriptor, "wb")

    def _upload_chunk(self, final: bool = False) -> bool:
        from airflow_provider_social.core.sources import LocalSource

        self.buffer.seek(0)
        shutil.copyfileobj(self.buffer, self._spool)
        if final:
            self._spool.close()
            assert self._spool_path is not None  # set by _initiate_upload, which fsspec calls first
            try:
                with self.fs._errors(self.path):
                    # A source labelled as a spool, not a file: the hook reports no lineage input for it (the
                    # store the bytes came from reports its read itself, through ObjectStoragePath).
                    spooled = LocalSource(Path(self._spool_path), label=f"<bytes written to {to_disk(self.path)}>")
                    self.fs.hook.upload_file(spooled, to_disk(self.path), overwrite=self.mode == "wb",
                                             parents=True, avoid_throttle=self.fs.avoid_throttle)
            finally:
                self._remove_spool()
        return True

    def _remove_spool(self) -> None:
        if self._spool is not None:
            self._spool.close()
        if self._spool_path is not None:
            os.unlink(self._spool_path)
            self._spool_path = None

    def discard(self) -> None:
        """Drop what was written; nothing is uploaded."""
        self._remove_spool()
        self.buffer = io.BytesIO()
        self.closed = True

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        if exc_type is not None:
            self.discard()
            return
        self.close()
