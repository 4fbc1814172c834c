"""Image format and resolution from the first bytes of a file: JPEG, PNG and TIFF headers, without Pillow.

Services limit uploads by format and resolution (VK Cloud Vision: jpeg/png/tiff, 5x5 to 3840x2160); the hook
checks them before sending, so only the header is read (a few KiB at most), never the pixels.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass

#: Bytes enough for the headers of every supported format in practice (JPEG EXIF blocks may push SOF further).
HEADER_BYTES = 256 * 1024

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOF = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF})
_JPEG_STANDALONE = frozenset({0x01, *range(0xD0, 0xD9)})


@dataclass(frozen=True)
class ImageInfo:
    format: str  # "jpeg" | "png" | "tiff"
    width: int
    height: int


def image_format(data: bytes) -> str | None:
    """The format named by the file's magic bytes, or None."""
    if data.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if data.startswith(_PNG_SIGNATURE):
        return "png"
    if data.startswith((b"II*\x00", b"MM\x00*")):
        return "tiff"
    return None


#: Magic bytes of the photo formats social services take (PNG, JPEG, GIF, BMP, WebP, TIFF): a file's real kind,
#: whatever its name says.
_PHOTO_MAGIC = ((b"\xff\xd8\xff", "jpeg"), (_PNG_SIGNATURE, "png"), (b"GIF87a", "gif"), (b"GIF89a", "gif"),
                (b"BM", "bmp"), (b"II*\x00", "tiff"), (b"MM\x00*", "tiff"))


def photo_format(data: bytes) -> str | None:
    """The photo format named by the file's magic bytes (``jpeg``, ``png``, ``gif``, ``bmp``, ``webp``, ``tiff``),
    or None: a PDF or a text file named ``.png`` is not a photo."""
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp"
    return next((kind for magic, kind in _PHOTO_MAGIC if data.startswith(magic)), None)


def image_info(data: bytes) -> ImageInfo | None:
    """Format and size from the header; None when the bytes are not a readable JPEG, PNG or TIFF header."""
    kind = image_format(data)
    try:
        if kind == "png":
            size = _png_size(data)
        elif kind == "jpeg":
            size = _jpeg_size(data)
        elif kind == "tiff":
            size = _tiff_size(data)
        else:
            return None
    except (struct.error, IndexError):
        return None
    if size is None or size[0] <= 0 or size[1] <= 0:
        return None
    return ImageInfo(kind, size[0], size[1])  # type: ignore[arg-type]


def _png_size(data: bytes) -> tuple[int, int] | None:
    if data[12:16] != b"IHDR":
        return None
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _JPEG_STANDALONE:
            pos += 2
            continue
        if marker == 0xD9:  # end of image before any frame header
            return None
        length = struct.unpack(">H", data[pos + 2 : pos + 4])[0]
        if marker in _JPEG_SOF:
            height, width = struct.unpack(">HH", data[pos + 5 : pos + 9])
            return width, height
        pos += 2 + length
    return None


def _tiff_size(data: bytes) -> tuple[int, int] | None:
    order = "<" if data[:2] == b"II" else ">"
    offset = struct.unpack(order + "I", data[4:8])[0]
    count = struct.unpack(order + "H", data[offset : offset + 2])[0]
    found: dict[int, int] = {}
    for index in range(count):
        entry = data[offset + 2 + 12 * index : offset + 14 + 12 * index]
        tag, kind = struct.unpack(order + "HH", entry[:4])
        if tag in (256, 257):
            if kind == 3:  # SHORT
                found[tag] = struct.unpack(order + "H", entry[8:10])[0]
            elif kind == 4:  # LONG
                found[tag] = struct.unpack(order + "I", entry[8:12])[0]
    if 256 in found and 257 in found:
        return found[256], found[257]
    return None


__all__ = ["HEADER_BYTES", "ImageInfo", "image_format", "image_info", "photo_format"]
