"""Checks on media before any VK upload (their bodies are core's streamed ``MultipartFiles``).

A file may come from any source (:mod:`airflow_provider_social.core.sources`): a local path, an ``ObjectStoragePath``
or storage URL, an http(s) URL, bytes or a binary file object.

Limits (reference 1.7): photos JPG/PNG/GIF, at most 50 MB, width + height at most 14000 px, sides at most 1:20;
story images at most 10 MB; documents at most 200 MB, no MP3 or executables. Image sizes are read from the file's
header (PNG IHDR, GIF screen descriptor, JPEG SOF marker), so no imaging library is needed.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.sources import FromSource, MediaSource, media_source, read_exactly
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME

SERVICE = SERVICE_NAME
# VK's "50 MB" does not say which megabyte (UNCONFIRMED): the client takes the tolerant reading (MiB) and leaves
# the stricter one to VK (the sandbox refuses above 10^6-byte megabytes, answering 129/105 as VK would).
MB = 1024 * 1024
PHOTO_MAX_BYTES = 50 * MB
STORY_MAX_BYTES = 10 * MB
DOC_MAX_BYTES = 200 * MB
MAX_SIDES_SUM = 14000
MAX_SIDE_RATIO = 20
PHOTO_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif"}
VIDEO_EXTENSIONS = {".avi", ".mp4", ".3gp", ".mpeg", ".mpg", ".mov", ".mp3", ".flv", ".wmv"}
DOC_FORBIDDEN = {".mp3", ".exe", ".msi", ".bat", ".cmd", ".com", ".scr", ".apk", ".sh"}


@dataclass(frozen=True)
class LocalFile(FromSource):
    """A file from any source, checked, ready to upload (``path`` is the local file, or the source when there is
    none; ``name`` its file name).

    :param source: where its bytes come from.
    :param size: the size in bytes.
    :param content_type: the part's content type.
    :param width: an image's width, read from its header (0: not an image).
    :param height: an image's height (0: not an image).
    """
    source: MediaSource
    size: int
    content_type: str = "application/octet-stream"
    width: int = 0
    height: int = 0


def image_format_and_size(path: Path | MediaSource) -> tuple[str, int, int] | None:
    """``(format, width, height)`` from the file's header, or None when it is no JPEG, PNG or GIF.

    :param path: a local file or a source (read from its start; a JPEG's segments before its frame header are
        skipped, by seeking where the source can)."""
    from airflow_provider_social.core.uploads import as_source

    with as_source(path).open() as fh:
        return _header_format_and_size(fh)


def _header_format_and_size(fh: IO[bytes]) -> tuple[str, int, int] | None:
    """The format and size from a reader at the file's start; it reads forward only (a JPEG's segments before its
    frame header are read past, each at most 64 KiB), so any source's reader will do."""
    head = read_exactly(fh, 32)
    if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
        width, height = struct.unpack(">II", head[16:24])
        return "png", width, height
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return "gif", width, height
    if head[:2] == b"\xff\xd8":
        pending = memoryview(head)[2:].tobytes()  # what was read past the start marker

        def take(count: int) -> bytes:
            nonlocal pending
            data, pending = pending[:count], pending[count:]
            return data + (read_exactly(fh, count - len(data)) if len(data) < count else b"")

        while True:
            marker = take(2)
            if len(marker) < 2 or marker[0] != 0xFF:
                return None
            kind = marker[1]
            if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
                continue
            length_bytes = take(2)
            if len(length_bytes) < 2:
                return None
            (length,) = struct.unpack(">H", length_bytes)
            if length < 2:  # a segment's length counts its own two bytes: anything less is a broken file
                return None
            if kind in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                data = take(5)
                if len(data) < 5:  # a file cut off inside the frame header
                    return None
                height, width = struct.unpack(">HH", data[1:5])
                return "jpeg", width, height
            if len(take(length - 2)) < length - 2:
                return None
    return None


def local_path(path: Any, field: str) -> Path:
    """An existing local file named by a path (text or ``os.PathLike``); a number, a list or a dict is an input
    error naming ``field`` rather than a TypeError."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise input_error(field, f"expected a local file path, got {type(path).__name__} {path!r:.60}",
                          service=SERVICE)
    from airflow_provider_social.core.uploads import check_local_file

    return check_local_file(path, field=field, service=SERVICE)


def media_file(path: Any, field: str, *, limit: int | None = None, what: str = "file",
               operation: str = "") -> MediaSource:
    """Any media input (:func:`~airflow_provider_social.core.sources.media_source`) checked to exist, be a file and
    be within ``limit``; a number, a list or a dict is an input error naming ``field``."""
    if isinstance(path, str) and not path.strip():
        raise input_error(field, "expected a file path or URL, got an empty string", service=SERVICE)
    return media_source(path, field=field, service=SERVICE, limit=limit, what=what, operation=operation)


def check_photo(path: Any, *, field: str = "photos", max_bytes: int = PHOTO_MAX_BYTES,
                operation: str = "") -> LocalFile:
    """A photo VK will accept: format, size in bytes, width + height and side ratio, checked before any upload.

    :param path: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a binary file
        object."""
    p = media_file(path, field, limit=max_bytes, what="photo", operation=operation)
    size = p.size
    info = image_format_and_size(p)
    if info is None:
        raise input_error(field, f"{p.name} is not a JPG, PNG or GIF image (or its header is cut off)",
                          service=SERVICE, operation=operation)
    fmt, width, height = info
    if width <= 0 or height <= 0:
        raise input_error(field, f"{p.name} has no width or height", service=SERVICE, operation=operation)
    if width + height > MAX_SIDES_SUM:
        raise input_error(field, f"{p.name} is {width}x{height}: width + height must be at most {MAX_SIDES_SUM}",
                          service=SERVICE, operation=operation)
    if max(width, height) > MAX_SIDE_RATIO * min(width, height):
        raise input_error(field, f"{p.name} is {width}x{height}: the sides' ratio must be at most 1:{MAX_SIDE_RATIO}",
                          service=SERVICE, operation=operation)
    return LocalFile(p, size, PHOTO_TYPES[fmt], width, height)


def check_document(path: Any, *, field: str = "path") -> LocalFile:
    """A document VK will accept (not an MP3 or an executable, at most 200 MB), from any source."""
    p = media_file(path, field, limit=DOC_MAX_BYTES, what="document")
    if p.suffix in DOC_FORBIDDEN:
        raise input_error(field, f"VK does not take {p.suffix} files as documents (MP3 and executables are refused)",
                          service=SERVICE)
    return LocalFile(p, p.size)


def check_video(path: Any, *, field: str = "path") -> LocalFile:
    """A video file VK takes (by its extension), from any source."""
    p = media_file(path, field, what="video")
    if p.suffix not in VIDEO_EXTENSIONS:
        raise input_error(field, f"{p.name}: VK takes {', '.join(sorted(VIDEO_EXTENSIONS))} videos",
                          service=SERVICE)
    return LocalFile(p, p.size, "video/mp4" if p.suffix == ".mp4" else "application/octet-stream")


__all__ = ["LocalFile", "check_document", "check_photo", "check_video", "image_format_and_size",
           "local_path", "media_file"]
