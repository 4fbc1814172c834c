"""The base of every media source (see :mod:`airflow_provider_social.core.sources`): :class:`MediaSource`, a file
on this machine (:class:`LocalSource`), and :func:`spool`, which copies a reader that cannot tell its size to such a
file. Kept apart so the sources that read the network (:mod:`~airflow_provider_social.core.http_source`) and the
request bodies (:mod:`~airflow_provider_social.core.uploads`) build on it without importing what builds on them.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import weakref
from pathlib import Path
from typing import IO, Any

from airflow_provider_social.core.media_checks import CHUNK_SIZE, check_size


class MediaSource:
    """One media input: its ``name`` (for the multipart file name and type), its ``size`` in bytes, and
    :meth:`open` for each attempt. Build it with :func:`media_source`.

    :param name: the file name (the last part of the path, key or URL path), ``blob`` when there is none.
    :param label: how errors and logs name it (a URL without query string or user info).
    :param size: bytes.
    """

    def __init__(self, name: str, label: str, size: int) -> None:
        self.name = name
        self.label = label
        self.size = size

    @property
    def suffix(self) -> str:
        """The name's extension in lower case (``.jpg``), or ``""``."""
        return Path(self.name).suffix.lower()

    def open(self, offset: int = 0) -> IO[bytes]:
        """A new binary reader positioned at ``offset``; the caller closes it."""
        raise NotImplementedError

    def head(self, count: int) -> bytes:
        """The first ``count`` bytes (fewer when the source is shorter), for format checks."""
        with self.open() as fh:
            return read_exactly(fh, min(count, self.size))

    def local_path(self) -> Path | None:
        """The file on this machine that holds the bytes, when there is one."""
        return None

    def close(self) -> None:
        """Release what the source holds (a spooled copy is deleted); safe to call twice."""

    def __enter__(self) -> MediaSource:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.label} ({self.size} bytes)>"


class LocalSource(MediaSource):
    """A file on this machine (a path, or a spooled copy of a source that could not tell its size)."""

    def __init__(self, path: Path, label: str | None = None, *, name: str | None = None,
                 temporary: bool = False) -> None:
        super().__init__(name or path.name, label or str(path), path.stat().st_size)
        self.path = path
        self._cleanup = weakref.finalize(self, _unlink, path) if temporary else None

    def open(self, offset: int = 0) -> IO[bytes]:
        fh = open(self.path, "rb")  # noqa: SIM115 - the caller's attempt owns and closes it
        if offset:
            fh.seek(offset)
        return fh

    def local_path(self) -> Path | None:
        return self.path

    def close(self) -> None:
        if self._cleanup is not None:
            self._cleanup()


def spool(reader: Any, *, name: str, label: str, limit: int | None, field: str, what: str = "file",
          service: str = "", operation: str = "") -> LocalSource:
    """Copy ``reader`` to a temporary file in blocks, stopping with the size error once past ``limit``; the copy
    is deleted when the returned source is closed or collected."""
    fd, tmp = tempfile.mkstemp(prefix="social-source-", suffix=Path(name).suffix)
    written = 0
    try:
        with os.fdopen(fd, "wb") as out:
            while block := reader.read(CHUNK_SIZE):
                written += len(block)
                if limit is not None and written > limit:
                    check_size(written, limit, field=field, what=f"{what} {name}", service=service,
                               operation=operation, at_least=True)
                out.write(block)
    except BaseException:
        _unlink(Path(tmp))
        raise
    return LocalSource(Path(tmp), label, name=name, temporary=True)


def read_exactly(fh: IO[bytes], count: int) -> bytes:
    """``count`` bytes from ``fh`` (fewer only at its end), however short its reads are."""
    parts, left = [], count
    while left > 0:
        block = fh.read(left)
        if not block:
            break
        parts.append(block)
        left -= len(block)
    return b"".join(parts)


def _unlink(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink()


__all__ = ["LocalSource", "MediaSource", "read_exactly", "spool"]
