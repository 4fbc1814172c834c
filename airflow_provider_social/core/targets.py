"""Where downloads and exports land: a local path or any ``ObjectStoragePath``, written atomically.

A local file is written beside its target and renamed into place (:func:`~.uploads.stream_to_file`). An object
in a store is written under a temporary name in the same folder (``.<name>.part``), then moved to its final name
(a rename where the store has one, a server-side copy and delete on S3-like stores), so a broken transfer never
leaves a partial object under the final name; the temporary object is removed when the transfer fails.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.sources import is_storage_path, storage_label
from airflow_provider_social.core.uploads import stream_to_file

#: Write buffer for stores: S3's smallest multipart part (fsspec's default for S3 is 50 MiB, held in memory).
STORE_WRITE_BLOCK = 5 * 1024 * 1024


def is_storage_target(value: Any) -> bool:
    """Whether ``value`` names an object in a store (an ``ObjectStoragePath`` or a URL with a scheme other than
    ``file://``) rather than a local path."""
    if is_storage_path(value):
        return value.protocol not in ("file", "local", "")  # type: ignore[no-any-return]
    return isinstance(value, str) and "://" in value and not value.lower().startswith("file://")


def storage_target(value: Any, *, field: str, service: str = "", name: str | None = None) -> Any:
    """``value`` as an ``ObjectStoragePath`` whose store Airflow knows, or an input error naming ``field``.

    :param value: an ``ObjectStoragePath`` or a storage URL (``s3://conn@bucket/key``).
    :param field: the argument named in errors.
    :param service: the service named in errors.
    :param name: the file name to add when ``value`` names a folder (ends with ``/`` or is a directory).
    """
    from airflow.sdk import ObjectStoragePath

    shown = storage_label(value)
    try:
        path = value if isinstance(value, ObjectStoragePath) else ObjectStoragePath(value)
        path.fs  # noqa: B018 - the scheme's filesystem and connection, resolved before anything is read
    except (ValueError, ImportError, AttributeError):
        raise input_error(field, f"{shown}: Airflow's object storage has no filesystem for the scheme "
                          f"{str(value).split('://', 1)[0]!r}", service=service) from None
    folder = str(value).endswith("/")
    if not folder:
        with contextlib.suppress(Exception):  # a store that cannot tell (no such key yet) means "a file"
            folder = path.is_dir()
    if folder:
        if not name or name in (".", "..") or "/" in name:
            raise input_error(field, f"cannot derive a file name to write into {shown}", service=service)
        path = path / name
    return path


def output_target(value: Any, *, field: str, service: str = "") -> Any:
    """Where results go, checked before any request: an ``ObjectStoragePath`` (or storage URL) whose store Airflow
    knows, or a local file path that can be written (its folders are made when written); else an input error naming
    ``field`` (not a path, an existing directory, under a file, unusable). None when unset or empty."""
    if value is None or value == "":
        return None
    # file:// URLs and ObjectStoragePaths of any store go through the store (a file:// one is written locally):
    # taken for a local path, "file:///x" became the relative path "file:/x" and an ObjectStoragePath was refused.
    if is_storage_target(value) or is_storage_path(value) or (
            isinstance(value, str) and value.lower().startswith("file://")):
        return storage_target(value, field=field, service=service)
    if not isinstance(value, (str, os.PathLike)):
        raise input_error(field, f"must be a file path, got {type(value).__name__}", service=service)
    target = Path(value).expanduser()
    shown = str(target) if len(str(target)) <= 200 else str(target)[:199] + "…"
    try:
        if target.is_dir():
            raise input_error(field, f"{shown!r} is a directory; name a file", service=service)
        parent = next((p for p in target.parents if p.exists()), None)
    except (OSError, ValueError, RuntimeError) as exc:  # too long a name, a NUL byte, ~user unknown
        raise input_error(field, f"{shown!r} is not a usable file path ({type(exc).__name__})",
                          service=service) from None
    if parent is not None and not parent.is_dir():
        raise input_error(field, f"{shown!r} is under {str(parent)!r}, which is a file", service=service)
    return target


def write_atomically(chunks: Iterable[bytes | memoryview], target: Any) -> int:
    """Write ``chunks`` to ``target`` (a local path or an ``ObjectStoragePath``) under a temporary name, then move
    it to its final name; return the bytes written. A failure removes the temporary file or object.

    :param chunks: the content, in blocks (a block may be a view into a reused buffer: it is written at once).
    :param target: where it lands.
    """
    if not is_storage_path(target):
        return stream_to_file(chunks, Path(os.fspath(target)))
    if target.protocol in ("file", "local"):
        return stream_to_file(chunks, Path(target.path))
    partial = target.parent / f".{target.name}.part"
    written = 0
    try:
        with partial.open("wb", block_size=STORE_WRITE_BLOCK) as out:
            for chunk in chunks:
                written += len(chunk)
                out.write(chunk)
        partial.fs.mv(partial.path, target.path)
    except BaseException:
        with contextlib.suppress(Exception):
            partial.fs.rm(partial.path)
        raise
    return written


__all__ = ["STORE_WRITE_BLOCK", "is_storage_target", "storage_target", "write_atomically"]
