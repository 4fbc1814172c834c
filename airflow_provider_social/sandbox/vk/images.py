"""VK photo checks: image sizes read from the file header (PNG, GIF, JPEG, no imaging library) and VK's limits."""

from __future__ import annotations

import struct

from airflow_provider_social.core.images import image_info as header_info

MAX_SIDES_SUM = 14000  # width + height, px (dev.vk.com upload/wall-photo)
MAX_RATIO = 20  # sides at least 1:20
_FORMATS = {"png": "png", "jpeg": "jpg"}  # core.images' names -> the ones this sandbox reports


def image_info(head: bytes) -> tuple[str, int, int] | None:
    """``(format, width, height)`` from the first bytes of a file, or None when it is no PNG/GIF/JPEG.

    PNG and JPEG headers are read by :mod:`airflow_provider_social.core.images` (the hooks' own check); GIF, which
    VK takes and that module does not read, here.
    """
    if head[:6] in (b"GIF87a", b"GIF89a") and len(head) >= 10:
        width, height = struct.unpack("<HH", head[6:10])
        return "gif", width, height
    info = header_info(head)
    if info is None or info.format not in _FORMATS:
        return None  # TIFF and other formats VK does not take
    return _FORMATS[info.format], info.width, info.height


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
