"""Image sizes read from the file header (PNG, GIF, JPEG), so the sandbox needs no imaging library."""

from __future__ import annotations

import struct

MAX_SIDES_SUM = 14000  # width + height, px (dev.vk.com upload/wall-photo)
MAX_RATIO = 20  # sides at least 1:20


def image_info(head: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` from the first bytes of a file, or None when it is no PNG/GIF/JPEG."""
    if head.startswith(b"\x89PNG\r\n\x1a\n") and len(head) >= 24 and head[12:16] == b"IHDR":
        width, height = struct.unpack(">II", head[16:24])
        return "png", width, height
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return "gif", width, height
    if head.startswith(b"\xff\xd8"):
        return _jpeg(head)
    return None


def _jpeg(data: bytes) -> tuple[str, int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7:  # no length
            pos += 2
            continue
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):  # SOFn
            if pos + 9 > len(data):
                return None
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return "jpg", width, height
        pos += 2 + length
    return None


def image_problem(head: bytes, size: int, max_bytes: int) -> str | None:
    """Why VK would refuse this photo (None when it is fine)."""
    if size > max_bytes:
        return f"file is too big ({size} bytes, at most {max_bytes})"
    info = image_info(head)
    if info is None:
        return "unsupported format (JPG, PNG or GIF expected)"
    _, width, height = info
    if width <= 0 or height <= 0:
        return "image has no size"
    if width + height > MAX_SIDES_SUM:
        return f"width + height is {width + height} px, at most {MAX_SIDES_SUM}"
    if max(width, height) > MAX_RATIO * min(width, height):
        return f"aspect ratio {width}x{height} is beyond 1:{MAX_RATIO}"
    return None
