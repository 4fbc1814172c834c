"""Small generated images for tests and the demo DAG (no Pillow): a real PNG, plus JPEG and TIFF headers.

``markers`` become ``sandbox:<key>=<value>;`` text inside the file (a PNG ``tEXt`` chunk, a JPEG comment, bytes
after the TIFF header), which the sandbox reads to decide recognitions on purpose (see :mod:`.recognition`).
The real service ignores them: the files stay valid images.
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Mapping


def marker_text(markers: Mapping[str, object] | None) -> bytes:
    return b"".join(f"sandbox:{key}={value};".encode() for key, value in (markers or {}).items())


def make_png(width: int = 8, height: int = 8, color: tuple[int, int, int] = (200, 30, 30),
             markers: Mapping[str, object] | None = None) -> bytes:
    """A valid RGB PNG of one colour."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(color) * width
    text = chunk(b"tEXt", b"Comment\x00" + marker_text(markers)) if markers else b""
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)) + text
            + chunk(b"IDAT", zlib.compress(row * height)) + chunk(b"IEND", b""))


def make_jpeg(width: int = 8, height: int = 8, markers: Mapping[str, object] | None = None) -> bytes:
    """A JPEG header (SOI, optional comment, SOF0) with a stub scan: enough for format and resolution checks."""
    comment = marker_text(markers)
    com = b"\xff\xfe" + struct.pack(">H", len(comment) + 2) + comment if comment else b""
    sof = b"\xff\xc0" + struct.pack(">HBHHB", 11, 8, height, width, 1) + b"\x01\x11\x00"
    return b"\xff\xd8" + com + sof + b"\xff\xda\x00\x08\x01\x01\x00\x00\x3f\x00" + b"\x00" * 16 + b"\xff\xd9"


def make_tiff(width: int = 8, height: int = 8, markers: Mapping[str, object] | None = None) -> bytes:
    """A little-endian TIFF header with ImageWidth and ImageLength tags."""
    entries = struct.pack("<HHII", 256, 4, 1, width) + struct.pack("<HHII", 257, 4, 1, height)
    return b"II*\x00" + struct.pack("<I", 8) + struct.pack("<H", 2) + entries + b"\x00\x00\x00\x00" + \
        marker_text(markers)


__all__ = ["make_jpeg", "make_png", "make_tiff", "marker_text"]
