"""Any media input as a sized, re-openable stream: the one way every upload reads its bytes.

A media argument may be a local path, an ``ObjectStoragePath`` or a URL with a scheme Airflow's object storage
knows (``s3://aws_default@bucket/key``: the connection id in the user part, as Airflow reads it), an ``http(s)://``
URL, ``bytes``, or a binary file object. :func:`media_source` checks it (it exists, it is a file, its size is within
the service's limit) before any call to the social API, and returns a :class:`MediaSource` whose :meth:`open`
each upload attempt calls again: a retry re-reads from the start (or from a chunk's offset).

Memory stays flat whatever the size: bytes are read in blocks; a source whose size cannot be told up front (a
non-seekable file object, an HTTP answer without ``Content-Length``) is spooled to a temporary file on disk, stopping
at the limit. Errors name the field and the source; a URL is shown without its query string or user info (a
signed link's signature is a credential).
"""

from __future__ import annotations

import io
import os
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import urlsplit

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.media_checks import CHUNK_SIZE, check_local_file, check_size
from airflow_provider_social.core.source_base import LocalSource, MediaSource, read_exactly, spool

# The base types live in core.source_base (below this module and core.http_source, which use them too) and stay
# importable from here. core.uploads is not imported: checked media types (X's MediaFile, VK's LocalFile) build
# on this module, and modules a DAG file imports must not load the upload machinery (tests/test_lazy_imports.py).

if TYPE_CHECKING:
    import requests

#: Connect and read timeouts for HTTP sources when none are given: the shared transport's (core/http_source.py).
HTTP_TIMEOUT: Any = None
#: What the error says a media argument may be.
ACCEPTED = "a local path, an ObjectStoragePath or storage URL (s3://, gs://, file://...), an http(s) URL, bytes " \
           "or a binary file object"


class FromSource:
    """For a checked media value that keeps its :class:`MediaSource` as ``source``: its local ``path`` (or the
    source where there is no local file) and its ``name``."""

    source: MediaSource

    @property
    def path(self) -> Path | MediaSource:
        """The local file when the media is one, else its source (what the upload methods take)."""
        return self.source.local_path() or self.source

    @property
    def name(self) -> str:
        """The file name (the last part of the path, key or URL)."""
        return self.source.name


class StoreSource(MediaSource):
    """An object behind an ``ObjectStoragePath`` (S3, GCS, ``file://``, ``memory://``, ...), read in blocks of
    :data:`~airflow_provider_social.core.uploads.CHUNK_SIZE` (fsspec's default read-ahead of some stores, 50 MiB
    for S3, would make memory grow with the block, not stay flat)."""

    def __init__(self, path: Any, size: int) -> None:
        super().__init__(path.name or "blob", storage_label(path), size)
        self.path = path

    def open(self, offset: int = 0) -> IO[bytes]:
        fh = self.path.open("rb", block_size=CHUNK_SIZE)
        if offset:
            fh.seek(offset)
        return fh  # type: ignore[no-any-return]


class BytesSource(MediaSource):
    """Bytes in memory (read through a view: no copy)."""

    def __init__(self, data: bytes | bytearray | memoryview, name: str = "blob") -> None:
        super().__init__(name, f"<{len(data)} bytes>", len(data))
        self._data = data

    def open(self, offset: int = 0) -> IO[bytes]:
        stream = io.BytesIO(self._data)  # BytesIO shares the buffer until it is written to
        stream.seek(offset)
        return stream


class FileObjectSource(MediaSource):
    """A seekable binary file object, re-read from where it stood when given. It is not closed here (its owner
    does)."""

    def __init__(self, fh: IO[bytes], name: str) -> None:
        self._fh = fh
        self._start = fh.tell()
        end = fh.seek(0, os.SEEK_END)
        fh.seek(self._start)
        super().__init__(name, f"<file object {name}>", end - self._start)

    def open(self, offset: int = 0) -> IO[bytes]:
        self._fh.seek(self._start + offset)
        return _Unclosed(self._fh)  # type: ignore[return-value]


def media_source(value: Any, *, field: str, service: str = "", limit: int | None = None, what: str = "file",
                 operation: str = "", session: requests.Session | None = None,
                 timeout: Any = HTTP_TIMEOUT, allow_empty: bool = False) -> MediaSource:
    """``value`` as a checked :class:`MediaSource`, or an error naming ``field`` and the source, raised before any
    call to the social API.

    :param value: a local path (``str``/``os.PathLike``), an ``ObjectStoragePath``, a storage URL, an http(s) URL,
        ``bytes``, a binary file object, or a :class:`MediaSource` (returned as is, its size checked).
    :param field: the argument named in errors.
    :param service: the service named in errors.
    :param limit: the service's size limit in bytes, checked before the upload (or while spooling).
    :param what: the kind of media named in the size error (``photo``, ``video``...).
    :param operation: the operation named in the size error.
    :param session: the ``requests`` session for http(s) URLs; by default the pooled session of a shared
        :class:`~airflow_provider_social.core.http.Transport` (its User-Agent, its URL-redacting log filter).
    :param timeout: connect and read timeouts for http(s) URLs; by default that transport's.
    :param allow_empty: accept a source of 0 bytes (a file store takes empty files; social media do not).
    """
    source = _resolve(value, field=field, service=service, limit=limit, what=what, operation=operation,
                      session=session, timeout=timeout)
    if source.size == 0 and not allow_empty:
        source.close()
        raise input_error(field, f"{source.label} is empty", service=service)
    try:
        check_size(source.size, limit, field=field, what=f"{what} {source.name}", service=service,
                   operation=operation)
    except Exception:
        source.close()
        raise
    return source


def _resolve(value: Any, *, field: str, service: str, limit: int | None, what: str, operation: str,
             session: requests.Session | None, timeout: Any) -> MediaSource:
    if isinstance(value, MediaSource):
        return value
    if isinstance(value, (bytes, bytearray, memoryview)):
        return BytesSource(value)
    if is_storage_path(value):
        return _store_source(value, field=field, service=service)
    if isinstance(value, str) and "://" in value:
        scheme = urlsplit(value).scheme.lower()
        if scheme in ("http", "https"):
            from airflow_provider_social.core.http_source import http_source

            return http_source(value, field=field, service=service, limit=limit, what=what,
                               operation=operation, session=session, timeout=timeout)
        return _store_source(value, field=field, service=service)
    if isinstance(value, (str, os.PathLike)):
        path = check_local_file(value, field=field, service=service)
        return LocalSource(path)
    if callable(getattr(value, "read", None)):
        return _file_object_source(value, field=field, service=service, limit=limit, what=what,
                                   operation=operation)
    raise input_error(field, f"expected {ACCEPTED}, got {type(value).__name__}", service=service)


def is_storage_path(value: Any) -> bool:
    """Whether ``value`` is an Airflow ``ObjectStoragePath``."""
    try:
        from airflow.sdk import ObjectStoragePath
    except ImportError:  # pragma: no cover - Airflow is a dependency
        return False
    return isinstance(value, ObjectStoragePath)


def _store_source(value: Any, *, field: str, service: str) -> StoreSource:
    from airflow.sdk import ObjectStoragePath

    shown = storage_label(value)
    try:
        path = value if isinstance(value, ObjectStoragePath) else ObjectStoragePath(value)
        path.fs  # noqa: B018 - resolves the scheme's filesystem (and its connection) now, not mid-upload
    except (ValueError, ImportError, AttributeError) as exc:
        scheme = urlsplit(str(value)).scheme
        raise input_error(field, f"{shown}: Airflow's object storage has no filesystem for the scheme {scheme!r} "
                          f"({_brief(exc)}); install the provider that registers it, or attach() one",
                          service=service) from None
    try:
        info = path.stat()
    except FileNotFoundError:
        raise input_error(field, f"{shown} does not exist", service=service) from None
    except Exception as exc:  # the store's own errors (permissions, connection) differ per filesystem
        raise input_error(field, f"{shown} could not be read ({type(exc).__name__})", service=service) from None
    kind = info.get("type") if isinstance(info, dict) else None
    if kind == "directory":
        raise input_error(field, f"{shown} is a directory, a file is expected", service=service)
    size = info.get("size") if isinstance(info, dict) else getattr(info, "st_size", None)
    if size is None:  # pragma: no cover - every fsspec store reports a file's size
        raise input_error(field, f"{shown}: the store does not tell its size", service=service)
    return StoreSource(path, int(size))


def _file_object_source(fh: Any, *, field: str, service: str, limit: int | None, what: str,
                        operation: str) -> MediaSource:
    if "b" not in str(getattr(fh, "mode", "b")) or isinstance(fh, io.TextIOBase):
        raise input_error(field, "a file object must be opened in binary mode ('rb')", service=service)
    name = Path(str(getattr(fh, "name", "") or "blob")).name or "blob"
    seekable = getattr(fh, "seekable", None)
    if callable(seekable) and seekable():
        return FileObjectSource(fh, name)
    return spool(fh, name=name, label=f"<file object {name}>", limit=limit, field=field, what=what,
                 service=service, operation=operation)


def storage_label(value: Any) -> str:
    """A storage path as errors show it: ``s3://conn@bucket/key`` without any query string."""
    text = str(value)
    return text.split("?", 1)[0] if "://" in text else text


def _brief(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text if len(text) <= 120 else text[:119] + "…"


class _Unclosed:
    """A caller's file object lent to one attempt: reading passes through, closing does not close it."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._fh = fh

    def read(self, size: int = -1) -> bytes:
        return self._fh.read(size)

    def close(self) -> None:
        pass

    def __enter__(self) -> _Unclosed:
        return self

    def __exit__(self, *exc: object) -> None:
        pass


__all__ = ["ACCEPTED", "BytesSource", "FileObjectSource", "FromSource", "LocalSource", "MediaSource", "StoreSource",
           "is_storage_path", "media_source", "read_exactly", "spool", "storage_label"]
