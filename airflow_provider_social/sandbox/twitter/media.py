"""Media uploads: API v2 (one-shot and chunked) and v1.1 upload.twitter.com, sharing one media record."""

from __future__ import annotations

import base64
import binascii
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from ..multipart import parse_multipart
from .constants import (
    CATEGORY_LIMITS,
    CATEGORY_TYPES,
    KEY_PREFIX,
    MAX_SEGMENT_BYTES,
    MAX_SEGMENT_INDEX,
    MEDIA_EXPIRES_AFTER,
    NAME,
    VIDEO_TYPES,
)
from .records import Media, Principal, _magic_matches
from .responses import _json, _json_body, invalid_request, not_found, v1_error
from .state import TwitterState


class MediaError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _initialize(service: TwitterState, who: Principal, media_type: Any, total_bytes: Any, category: Any,
                api: str) -> Media:
    if not isinstance(media_type, str) or not media_type:
        raise MediaError("media_type is required")
    try:
        total = int(total_bytes)
    except (TypeError, ValueError):
        raise MediaError("total_bytes must be an integer") from None
    if category is None:  # the v1.1 default; v2 requires it
        category = "tweet_video" if media_type in VIDEO_TYPES else "tweet_image"
    if category not in CATEGORY_LIMITS:
        raise MediaError(f"media_category {category!r} is not supported")
    if media_type not in CATEGORY_TYPES[category]:
        raise MediaError(f"media_type {media_type!r} does not fit media_category {category!r}")
    if total <= 0:
        raise MediaError("total_bytes must be positive")
    if total > CATEGORY_LIMITS[category]:
        raise MediaError(f"File size exceeds {CATEGORY_LIMITS[category]} bytes for {category}")
    now = service.clock.now()
    media_id = service.new_id()
    kind = "gif" if category.endswith("gif") else "video" if category.endswith("video") else "image"
    record = Media(id=media_id, key=f"{KEY_PREFIX[kind]}_{media_id}", owner=who.user_id, media_type=media_type,
                   category=category, total_bytes=total, api=api, created_at=now,
                   expires_at=now + MEDIA_EXPIRES_AFTER)
    with service._lock:
        service.media[media_id] = record
    return record


def _lookup(service: TwitterState, who: Principal, media_id: Any) -> Media:
    record = service.media.get(str(media_id))
    if record is None or record.owner != who.user_id:
        raise MediaError(f"Media id {media_id} not found", 404)
    if record.expires_at <= service.clock.now():
        raise MediaError(f"Media id {media_id} has expired", 400)
    return record


def _append(service: TwitterState, record: Media, segment_index: Any, chunk: bytes) -> None:
    try:
        index = int(segment_index)
    except (TypeError, ValueError):
        raise MediaError("segment_index must be an integer") from None
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise MediaError(f"segment_index must be between 0 and {MAX_SEGMENT_INDEX}")
    if not chunk:
        raise MediaError("media segment is empty")
    if len(chunk) > MAX_SEGMENT_BYTES:
        raise MediaError(f"media segment is larger than {MAX_SEGMENT_BYTES} bytes")
    with service._lock:
        if record.finalized_at is not None:
            raise MediaError("media is already finalized")
        received = sum(size for i, size in record.segments.items() if i != index)
        if received + len(chunk) > record.total_bytes:
            raise MediaError("segments exceed the declared total_bytes")
        record.segments[index] = len(chunk)  # re-sending an index replaces it (retries are safe)
        if index == 0:
            record.head = chunk[:16]


def _finalize(service: TwitterState, record: Media) -> None:
    with service._lock:
        if record.finalized_at is not None:
            # A command for a finished upload is refused, as X refuses it (UNCONFIRMED wording; the sandbox takes
            # the stricter side): a client must ask STATUS after a lost FINALIZE answer, never re-send FINALIZE.
            record.finalize_refused += 1
            raise MediaError("media is already finalized")
        indexes = sorted(record.segments)
        if indexes != list(range(len(indexes))) or not indexes:
            raise MediaError("segments must be contiguous from segment_index 0")
        received = sum(record.segments.values())
        if received != record.total_bytes:
            raise MediaError(f"File size mismatch: received {received} of {record.total_bytes} declared bytes")
        valid = _magic_matches(record.media_type, record.head)
        if record.kind == "image":
            if not valid:
                raise MediaError("media type unrecognized: the file content is not a " + record.media_type)
        else:
            record.async_processing = True
            record.processing_secs = service.processing_secs[record.kind]
            if not valid:
                record.failure = "Invalid or Unsupported media, Reason: UnsupportedMedia."
        record.finalized_at = service.clock.now()
    service.sandbox.record(NAME, "media", id=record.id, category=record.category, media_type=record.media_type,
                           total_bytes=record.total_bytes, api=record.api)


def _media_view(service: TwitterState, record: Media) -> dict[str, Any]:
    now = service.clock.now()
    out: dict[str, Any] = {"id": record.id, "media_key": record.key, "size": record.total_bytes,
                           "expires_after_secs": max(0, int(record.expires_at - now))}
    info = record.processing_info(now)
    if info is not None:
        out["processing_info"] = info
    return out


def _v2_media_error(exc: MediaError) -> Response:
    if exc.status == 404:
        return not_found(exc.message, "media")
    return invalid_request(exc.message)


async def media_initialize(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    data = _json_body(request, body)
    if "media_category" not in data:
        return invalid_request("media_category is required", "media_category")
    try:
        record = _initialize(service, who, data.get("media_type"), data.get("total_bytes"),
                             data.get("media_category"), "v2")
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": {"id": record.id, "media_key": record.key, "expires_after_secs": MEDIA_EXPIRES_AFTER}})


async def media_append(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    try:
        record = _lookup(service, who, request.path_params["id"])
        if ctype.lower().startswith("multipart/form-data"):
            try:
                parts = parse_multipart(body, ctype)
            except ValueError as exc:
                return invalid_request(str(exc))
            if set(parts) - {"media", "segment_index"} or "media" not in parts:
                return invalid_request("append takes exactly the fields media and segment_index", "media")
            index: Any = parts.get("segment_index", (b"", None))[0].decode("ascii", "replace")
            chunk = parts["media"][0]
        else:
            data = _json_body(request, body)
            try:
                chunk = base64.b64decode(str(data.get("media", "")), validate=True)
            except (binascii.Error, ValueError):
                return invalid_request("media must be base64", "media")
            index = data.get("segment_index")
        _append(service, record, index, chunk)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": {"expires_at": int(record.expires_at)}})


async def media_finalize(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    try:
        record = _lookup(service, who, request.path_params["id"])
        _finalize(service, record)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": _media_view(service, record)})


async def media_status(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    query = request.query_params
    if "media_id" not in query:
        return invalid_request("media_id is required", "media_id")
    if query.get("command", "STATUS") != "STATUS":
        return invalid_request("command must be STATUS", "command")
    try:
        record = _lookup(service, who, query["media_id"])
    except MediaError as exc:
        return _v2_media_error(exc)
    if record.finalized_at is None:
        return invalid_request("media is not finalized", "media_id", [record.id])
    return _json({"data": _media_view(service, record)})


async def media_oneshot(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        return invalid_request("Content-Type must be multipart/form-data")
    try:
        parts = parse_multipart(body, ctype)
    except ValueError as exc:
        return invalid_request(str(exc))
    if "command" in parts:
        # The earlier command form (reference 5b) is deprecated in favour of the dedicated endpoints.
        return invalid_request("The command form is deprecated; use /2/media/upload/initialize", "command")
    if set(parts) - {"media", "media_category", "media_type", "additional_owners", "shared"}:
        return invalid_request("unknown field in media upload", "media")
    if "media" not in parts or "media_category" not in parts:
        return invalid_request("media and media_category are required", "media")
    category = parts["media_category"][0].decode("ascii", "replace")
    if category not in ("tweet_image", "dm_image"):
        return invalid_request("one-shot upload takes images; use the chunked endpoints for GIF and video",
                               "media_category", [category])
    content = parts["media"][0]
    media_type = parts["media_type"][0].decode() if "media_type" in parts else _sniff_image(content)
    if media_type is None:
        return invalid_request("media type unrecognized", "media")
    try:
        record = _initialize(service, who, media_type, len(content), category, "v2")
        _append(service, record, 0, content)  # images are at most 5 MiB, the size of one segment
        _finalize(service, record)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": _media_view(service, record)})


def _sniff_image(content: bytes) -> str | None:
    for media_type in ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"):
        if _magic_matches(media_type, content[:16]):
            return media_type
    return None


# -- v1.1 upload.twitter.com ------------------------------------------------------------------------------------


def _v1_view(service: TwitterState, record: Media) -> dict[str, Any]:
    now = service.clock.now()
    out: dict[str, Any] = {"media_id": int(record.id), "media_id_string": record.id, "media_key": record.key,
                           "size": record.total_bytes, "expires_after_secs": max(0, int(record.expires_at - now))}
    info = record.processing_info(now)
    if info is not None:
        out["processing_info"] = info
    return out


async def v1_upload(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    form: dict[str, Any]
    if ctype.lower().startswith("multipart/form-data"):
        try:
            parts = parse_multipart(body, ctype)
        except ValueError as exc:
            return v1_error(400, 38, str(exc))
        form = {k: (v if k == "media" else v.decode("utf-8", "replace")) for k, (v, _) in parts.items()}
    elif ctype.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        form = dict(pairs)
        if len(form) != len(pairs):
            return v1_error(400, 38, "Parameters must not repeat.")
    else:
        return v1_error(400, 38, "Unsupported content type.")
    command = form.get("command")
    try:
        if command is None and isinstance(form.get("media"), bytes):  # the simple (non-chunked) image upload
            content = form["media"]
            media_type = _sniff_image(content)
            if media_type is None:
                return v1_error(400, 324, "media type unrecognized.")
            record = _initialize(service, who, media_type, len(content), form.get("media_category"), "v1.1")
            _append(service, record, 0, content)
            _finalize(service, record)
            return _json(_v1_view(service, record))
        if command == "INIT":
            record = _initialize(service, who, form.get("media_type"), form.get("total_bytes"),
                                 form.get("media_category"), "v1.1")
            return _json({"media_id": int(record.id), "media_id_string": record.id, "media_key": record.key,
                          "expires_after_secs": MEDIA_EXPIRES_AFTER})
        if command == "APPEND":
            record = _lookup(service, who, form.get("media_id"))
            media = form.get("media")
            if not isinstance(media, bytes):
                return v1_error(400, 38, "media parameter is missing.")
            _append(service, record, form.get("segment_index"), media)
            return Response(status_code=204)
        if command == "FINALIZE":
            record = _lookup(service, who, form.get("media_id"))
            _finalize(service, record)
            return _json(_v1_view(service, record), 201)
        return v1_error(400, 38, "command parameter is missing or invalid.")
    except MediaError as exc:
        return v1_error(exc.status, 324 if exc.status == 400 else 34, exc.message)


async def v1_status(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    query = request.query_params
    if query.get("command") != "STATUS" or "media_id" not in query:
        return v1_error(400, 38, "command=STATUS and media_id are required.")
    try:
        record = _lookup(service, who, query["media_id"])
    except MediaError as exc:
        return v1_error(exc.status, 34, exc.message)
    if record.finalized_at is None:
        return v1_error(400, 324, "Media is not finalized.")
    return _json(_v1_view(service, record))
