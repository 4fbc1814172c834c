"""Image headers read without Pillow: format and resolution of JPEG, PNG and TIFF."""

from __future__ import annotations

import struct

from airflow_provider_social.core.images import ImageInfo, image_format, image_info
from airflow_provider_social.sandbox.vk_vision.fixtures import make_jpeg, make_png, make_tiff


def test_sizes_from_headers():
    assert image_info(make_png(640, 480)) == ImageInfo("png", 640, 480)
    assert image_info(make_jpeg(3840, 2160, markers={"x": 1})) == ImageInfo("jpeg", 3840, 2160)
    assert image_info(make_tiff(9, 11)) == ImageInfo("tiff", 9, 11)


def test_big_endian_tiff_with_short_tags():
    entries = struct.pack(">HHIHH", 256, 3, 1, 7, 0) + struct.pack(">HHIHH", 257, 3, 1, 5, 0)
    data = b"MM\x00*" + struct.pack(">I", 8) + struct.pack(">H", 2) + entries + b"\x00" * 4
    assert image_info(data) == ImageInfo("tiff", 7, 5)


def test_unreadable_or_other_formats():
    assert image_format(b"GIF89a") is None and image_info(b"GIF89a") is None
    assert image_info(b"\xff\xd8\xff\xd9") is None  # a JPEG without a frame header
    assert image_info(make_png()[:20]) is None  # truncated
    assert image_info(b"") is None
