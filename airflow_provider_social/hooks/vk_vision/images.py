"""Images to send: where they come from (local path, bytes, Yandex Disk), checks before sending, batches.

Limits (reference section 2, vkcs-docs concepts/vision-limits): jpeg, png, tiff; 5x5 to 3840x2160; at most 15 MB
per image, 30 MB and 100 images per request. Whether "MB" is 10^6 or 2^20 bytes is UNCONFIRMED: the smaller is used.

UNCONFIRMED: every endpoint's own page (vkcs-docs ``ml/vision/instructions/*``: objects/detect, text/recognize,
docs/detect, ...) says "the size of each image must not exceed 4 MB", the limits page says 15 MB. The client takes
the tolerant side: it accepts up to 15 MB, but sends every image over 4 MB in a request of its own, so when the
service refuses it (the whole request, with envelope status 400) only that image is reported as failed.
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import PayloadTooLargeError, input_error
from airflow_provider_social.core.images import HEADER_BYTES, image_info
from airflow_provider_social.core.uploads import check_local_file, human_size

from .policy import SERVICE

FORMATS = ("jpeg", "png", "tiff")
MAX_IMAGE_BYTES = 15_000_000
#: Images above this go alone in their request (the per-endpoint pages' 4 MB; see the module's docstring).
SOLO_IMAGE_BYTES = 4_000_000
MAX_REQUEST_BYTES = 30_000_000
MAX_IMAGES_PER_REQUEST = 100
MIN_SIDE = 5
MAX_WIDTH, MAX_HEIGHT = 3840, 2160
DISK_PREFIX = "disk:"
CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png", "tiff": "image/tiff"}

ImageInput = str | Path | bytes | tuple[str, bytes]


@dataclass(frozen=True)
class ImageSource:
    """One image: the caller's name for it, and how to read it (a local file, bytes, or a Disk file).

    :param name: the caller's name (a path, ``disk:/...``, ``image_<n>`` or the name given with the bytes).
    :param path: a local file.
    :param data: the bytes.
    :param disk_path: a Yandex Disk path, downloaded before sending.
    :param size: bytes (0 until a Disk file is downloaded).
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    disk_path: str | None = None
    size: int = 0

    def read(self) -> bytes:
        """The image's bytes (a local file is read afresh on every call, so a retried request resends it)."""
        if self.data is not None:
            return self.data
        assert self.path is not None
        return self.path.read_bytes()


def parse_inputs(images: Sequence[ImageInput] | ImageInput, *, field: str = "images") -> list[ImageSource]:
    """Every input checked as far as can be without the network: local files (exist, size, format, resolution),
    bytes (the same), Disk paths (syntax only; their content is checked after download)."""
    if images is None:
        raise input_error(field, "at least one image is required (got None)", service=SERVICE)
    if isinstance(images, (str, Path, bytes, bytearray)) or _is_named_bytes(images):
        images = [images]  # type: ignore[list-item]
    if not isinstance(images, Sequence):
        raise input_error(field, f"expected an image or a list of images (paths, 'disk:/...', bytes or (name, "
                          f"bytes)), got {type(images).__name__}", service=SERVICE)
    items = list(images)
    if not items:
        raise input_error(field, "at least one image is required", service=SERVICE)
    sources: list[ImageSource] = []
    names: set[str] = set()
    for index, item in enumerate(items):
        where = f"{field}[{index}]"
        if isinstance(item, tuple):
            if len(item) != 2 or not isinstance(item[0], str) or not isinstance(item[1], (bytes, bytearray)):
                raise input_error(where, "a tuple must be (name, bytes)", service=SERVICE)
            source = checked_bytes(item[0] or f"image_{index}", bytes(item[1]), where)
        elif isinstance(item, (bytes, bytearray)):
            source = checked_bytes(f"image_{index}", bytes(item), where)
        elif isinstance(item, (str, Path)):
            text = str(item)
            if text.startswith(DISK_PREFIX):
                if not text[len(DISK_PREFIX):].lstrip("/"):
                    raise input_error(where, f"{text!r} names no file on Yandex Disk", service=SERVICE)
                source = ImageSource(text, disk_path=text)
            else:
                source = checked_file(item, where)
        else:
            raise input_error(where, f"expected a path, 'disk:/...', bytes or (name, bytes), got "
                              f"{type(item).__name__}", service=SERVICE)
        if source.name in names:
            source = ImageSource(f"{source.name}#{index}", source.path, source.data, source.disk_path, source.size)
        names.add(source.name)
        sources.append(source)
    return sources


def _is_named_bytes(value: object) -> bool:
    """``(name, bytes)``: one image, not a tuple of images."""
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], (bytes, bytearray)))


def checked_file(path: str | Path, field: str) -> ImageSource:
    p = check_local_file(path, field=field, service=SERVICE)
    size = p.stat().st_size
    with open(p, "rb") as fh:
        head = fh.read(HEADER_BYTES)
    check_image(str(path), head, size, field)
    return ImageSource(str(path), path=p, size=size)


def checked_bytes(name: str, data: bytes, field: str) -> ImageSource:
    check_image(name, data[:HEADER_BYTES], len(data), field)
    return ImageSource(name, data=data, size=len(data))


def check_image(name: str, head: bytes, size: int, field: str) -> str:
    """The format, or an error naming the field, the image and the limit."""
    if size == 0:
        raise input_error(field, f"{name} is empty", service=SERVICE)
    if size > MAX_IMAGE_BYTES:
        raise PayloadTooLargeError(f"{field}: {name} is {human_size(size)}, over the 15 MB limit per image "
                                   f"({MAX_IMAGE_BYTES} bytes)", service=SERVICE)
    info = image_info(head)
    if info is None or info.format not in FORMATS:
        raise input_error(field, f"{name} is not a readable JPEG, PNG or TIFF image (the formats Vision "
                          "accepts)", service=SERVICE)
    if not (MIN_SIDE <= info.width <= MAX_WIDTH and MIN_SIDE <= info.height <= MAX_HEIGHT):
        raise input_error(field, f"{name} is {info.width}x{info.height}; Vision accepts {MIN_SIDE}x{MIN_SIDE} "
                          f"to {MAX_WIDTH}x{MAX_HEIGHT}", service=SERVICE)
    return info.format


def batches(sources: Sequence[ImageSource]) -> Iterator[list[ImageSource]]:
    """Consecutive groups within the per-request count and byte limits; images over 4 MB alone."""
    group: list[ImageSource] = []
    total = 0
    for source in sources:
        if source.size > SOLO_IMAGE_BYTES:
            yield [source]
            continue
        if group and (len(group) >= MAX_IMAGES_PER_REQUEST or total + source.size > MAX_REQUEST_BYTES):
            yield group
            group, total = [], 0
        group.append(source)
        total += source.size
    if group:
        yield group


def multipart(meta: dict[str, Any], files: Sequence[tuple[str, ImageSource]]) -> tuple[Callable[[], bytes], str]:
    """A body builder (files read afresh per attempt) and its Content-Type: one part per image, then ``meta``."""
    boundary = secrets.token_hex(16)

    def body() -> bytes:
        from urllib3 import encode_multipart_formdata

        fields: list[Any] = []
        for part, source in files:
            data = source.read()
            info = image_info(data[:HEADER_BYTES])
            kind = CONTENT_TYPES.get(info.format if info else "", "application/octet-stream")
            fields.append((part, (Path(source.name).name or part, data, kind)))
        fields.append(("meta", json.dumps(meta, ensure_ascii=False)))
        return encode_multipart_formdata(fields, boundary=boundary)[0]

    return body, f"multipart/form-data; boundary={boundary}"


__all__ = ["MAX_IMAGES_PER_REQUEST", "MAX_IMAGE_BYTES", "MAX_REQUEST_BYTES", "SOLO_IMAGE_BYTES", "ImageInput",
           "ImageSource", "batches", "check_image", "multipart", "parse_inputs"]
