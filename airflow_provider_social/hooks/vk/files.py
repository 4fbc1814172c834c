"""Checks on local files before any VK upload (their bodies are core's streamed ``MultipartFiles``).

Limits (reference 1.7): photos JPG/PNG/GIF, at most 50 MB, width + height at most 14000 px, sides at most 1:20;
story images at most 10 MB; documents at most 200 MB, no MP3 or executables. Image sizes are read from the file's
header (PNG IHDR, GIF screen descriptor, JPEG SOF marker), so no imaging library is needed.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.uploads import check_local_file, check_size
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
class LocalFile:
    """A local file, checked, ready to upload.

    :param path: the file.
    :param size: the size in bytes.
    :param content_type: the part's content type.
    :param width: an image's width, read from its header (0: not an image).
    :param height: an image's height (0: not an image).
    """
    path: Path
    size: int
    content_type: str = "application/octet-stream"
    width: int = 0
    height: int = 0


def image_format_and_size(path: Path) -> tuple[str, int, int] | None:
    """``(format, width, height)`` from the file's header, or None when it is no JPEG, PNG or GIF."""
    with open(path, "rb") as fh:
        head = fh.read(32)
        if head.startswith(b"\x89PNG\r\n\x1a\n") and head[12:16] == b"IHDR" and len(head) >= 24:
            width, height = struct.unpack(">II", head[16:24])
            return "png", width, height
        if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
            width, height = struct.unpack("<HH", head[6:10])
            return "gif", width, height
        if head[:2] == b"\xff\xd8":
            fh.seek(2)
            while True:
                marker = fh.read(2)
                if len(marker) < 2 or marker[0] != 0xFF:
                    return None
                kind = marker[1]
                if kind in (0xD8, 0x01) or 0xD0 <= kind <= 0xD7:
                    continue
                length_bytes = fh.read(2)
                if len(length_bytes) < 2:
                    return None
                (length,) = struct.unpack(">H", length_bytes)
                if length < 2:  # a segment's length counts its own two bytes: anything less is a broken file
                    return None
                if kind in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                    data = fh.read(5)
                    if len(data) < 5:  # a file cut off inside the frame header
                        return None
                    height, width = struct.unpack(">HH", data[1:5])
                    return "jpeg", width, height
                fh.seek(length - 2, os.SEEK_CUR)
    return None


def local_path(path: Any, field: str) -> Path:
    """An existing local file named by a path (text or ``os.PathLike``); a number, a list or a dict is an input
    error naming ``field`` rather than a TypeError."""
    if not isinstance(path, (str, os.PathLike)) or not str(path).strip():
        raise input_error(field, f"expected a local file path, got {type(path).__name__} {path!r:.60}",
                          service=SERVICE)
    return check_local_file(path, field=field, service=SERVICE)


def check_photo(path: str | os.PathLike[str], *, field: str = "photos", max_bytes: int = PHOTO_MAX_BYTES,
                operation: str = "") -> LocalFile:
    """A photo VK will accept: format, size in bytes, width + height and side ratio, checked locally."""
    p = local_path(path, field)
    size = p.stat().st_size
    check_size(size, max_bytes, field=field, what=f"photo {p.name}", service=SERVICE, operation=operation)
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


def check_document(path: str | os.PathLike[str], *, field: str = "path") -> LocalFile:
    p = local_path(path, field)
    if p.suffix.lower() in DOC_FORBIDDEN:
        raise input_error(field, f"VK does not take {p.suffix} files as documents (MP3 and executables are refused)",
                          service=SERVICE)
    size = p.stat().st_size
    check_size(size, DOC_MAX_BYTES, field=field, what=f"document {p.name}", service=SERVICE)
    return LocalFile(p, size)


def check_video(path: str | os.PathLike[str], *, field: str = "path") -> LocalFile:
    p = local_path(path, field)
    if p.suffix.lower() not in VIDEO_EXTENSIONS:
        raise input_error(field, f"{p.name}: VK takes {', '.join(sorted(VIDEO_EXTENSIONS))} videos",
                          service=SERVICE)
    return LocalFile(p, p.stat().st_size, "video/mp4" if p.suffix.lower() == ".mp4" else "application/octet-stream")


__all__ = ["LocalFile", "check_document", "check_photo", "check_video", "image_format_and_size",
           "local_path"]
