"""Images to send: where they come from (local path, storage path or URL, http(s) URL, bytes, file object,
Yandex Disk), checks before sending, batches, streamed multipart bodies.

Limits (reference section 2, vkcs-docs concepts/vision-limits): jpeg, png, tiff; 5x5 to 3840x2160; at most 15 MB
per image, 30 MB and 100 images per request. Whether "MB" is 10^6 or 2^20 bytes is UNCONFIRMED: the smaller is used.

UNCONFIRMED: every endpoint's own page (vkcs-docs ``ml/vision/instructions/*``: objects/detect, text/recognize,
docs/detect, ...) says "the size of each image must not exceed 4 MB", the limits page says 15 MB. The client takes
the tolerant side: it accepts up to 15 MB, but sends every image over 4 MB in a request of its own, so when the
service refuses it (the whole request, with envelope status 400) only that image is reported as failed.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import PayloadTooLargeError, input_error
from airflow_provider_social.core.images import HEADER_BYTES, image_info
from airflow_provider_social.core.rendered import rendered_value
from airflow_provider_social.core.sources import BytesSource, MediaSource, is_storage_path, media_source
from airflow_provider_social.core.uploads import MultipartFiles, human_size

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

#: A path, "disk:/...", a storage or http(s) URL, an ObjectStoragePath, bytes, (name, bytes) or a binary file object.
ImageInput = Any


@dataclass(frozen=True)
class ImageSource:
    """One image: the caller's name for it, and how to read it (a source of bytes, or a Disk file).

    :param name: the caller's name (a path or URL, ``disk:/...``, ``image_<n>`` or the name given with the bytes).
    :param path: a local file.
    :param data: the bytes.
    :param disk_path: a Yandex Disk path, downloaded before sending.
    :param size: bytes (0 until a Disk file is downloaded).
    :param media: where the bytes are read from for each attempt (a local file, an object, a URL, bytes...).
    :param content_type: the image's MIME type, from its bytes.
    """

    name: str
    path: Path | None = None
    data: bytes | None = None
    disk_path: str | None = None
    size: int = 0
    media: MediaSource | None = None
    content_type: str = "application/octet-stream"

    def read(self) -> bytes:
        """The image's bytes, read afresh from its source (at most :data:`MAX_IMAGE_BYTES`)."""
        if self.data is not None:
            return self.data
        assert self.media is not None
        with self.media.open() as fh:
            return fh.read()


def parse_inputs(images: Sequence[ImageInput] | ImageInput, *, field: str = "images") -> list[ImageSource]:
    """Every input checked as far as can be without the network: local files (exist, size, format, resolution),
    bytes (the same), Disk paths (syntax only; their content is checked after download)."""
    if images is None:
        raise input_error(field, "at least one image is required (got None)", service=SERVICE)
    images = rendered_value(images, field, service=SERVICE)  # a JSON or Python list string for several
    if isinstance(images, (str, bytes, bytearray, os.PathLike)) or _is_named_bytes(images) or _is_one(images):
        images = [images]
    if not isinstance(images, Sequence):
        raise input_error(field, f"expected an image or a list of images (paths, storage paths or URLs, http(s) "
                          f"URLs, 'disk:/...', bytes or (name, bytes)), got {type(images).__name__}",
                          service=SERVICE)
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
        elif isinstance(item, str) and item.startswith(DISK_PREFIX):
            if not item[len(DISK_PREFIX):].lstrip("/"):
                raise input_error(where, f"{item!r} names no file on Yandex Disk", service=SERVICE)
            source = ImageSource(item, disk_path=item)
        else:
            source = checked_file(item, where)
        if source.name in names:
            source = replace(source, name=f"{source.name}#{index}")
        names.add(source.name)
        sources.append(source)
    return sources


def _is_one(value: object) -> bool:
    """An ``ObjectStoragePath`` or a file object: one image."""
    return callable(getattr(value, "read", None)) or is_storage_path(value)


def _is_named_bytes(value: object) -> bool:
    """``(name, bytes)``: one image, not a tuple of images."""
    return (isinstance(value, tuple) and len(value) == 2 and isinstance(value[0], str)
            and isinstance(value[1], (bytes, bytearray)))


def checked_file(path: Any, field: str) -> ImageSource:
    """One image from any source (:mod:`airflow_provider_social.core.sources`), checked from its header.

    :param path: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL or a binary file object.
    :param field: the argument named in errors."""
    media = media_source(path, field=field, service=SERVICE, limit=MAX_IMAGE_BYTES, what="image")
    name = str(path) if isinstance(path, (str, os.PathLike)) else media.label
    kind = check_image(name, media.head(HEADER_BYTES), media.size, field)
    return ImageSource(name, path=media.local_path(), size=media.size, media=media,
                       content_type=CONTENT_TYPES[kind])


def checked_bytes(name: str, data: bytes, field: str) -> ImageSource:
    kind = check_image(name, data[:HEADER_BYTES], len(data), field)
    return ImageSource(name, data=data, size=len(data), media=BytesSource(data, Path(name).name or "blob"),
                       content_type=CONTENT_TYPES[kind])


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


def multipart(meta: dict[str, Any], files: Sequence[tuple[str, ImageSource]]
              ) -> tuple[Callable[[], MultipartFiles], str]:
    """A body builder (images streamed from their sources afresh per attempt) and its Content-Type: one part per
    image, then ``meta``."""
    parts = [(part, _media(source), Path(source.name).name or part, source.content_type) for part, source in files]
    first = MultipartFiles(parts, trailing_fields={"meta": json.dumps(meta, ensure_ascii=False)})
    return (lambda: MultipartFiles(parts, trailing_fields=first.trailing_fields, boundary=first.boundary),
            first.content_type)


def _media(source: ImageSource) -> MediaSource:
    if source.media is not None:
        return source.media
    assert source.data is not None  # built by hand with bytes
    return BytesSource(source.data)


__all__ = ["MAX_IMAGES_PER_REQUEST", "MAX_IMAGE_BYTES", "MAX_REQUEST_BYTES", "SOLO_IMAGE_BYTES", "ImageInput",
           "ImageSource", "batches", "check_image", "multipart", "parse_inputs"]
