"""The photo upload host: ``POST <upload_url>`` with multipart fields ``pic1``..``picN`` (one per photo id).

Answers ``{"photos": {"<photo_id>": {"token": "..."}}}`` [client]. Refused: an unknown or expired upload URL,
a used one, a body that is not multipart (21 NOT_MULTIPART), more files than photo ids, fields other than
``picN``, a file that is not an image. The wording of the upload host's errors is UNCONFIRMED: the sandbox
answers in the API's error shape.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..multipart import parse_multipart
from .constants import NAME
from .state import ApiError, OkState

if TYPE_CHECKING:
    from ..state import SandboxState

MAX_PHOTO_BYTES = 50 * 1024 * 1024  # UNCONFIRMED limit; the sandbox refuses larger files
_PIC = re.compile(r"^pic([1-9][0-9]*)$")
_IMAGE_MAGIC = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a", b"BM")


def _is_image(content: bytes) -> bool:
    return content.startswith(_IMAGE_MAGIC) or (content[:4] == b"RIFF" and content[8:12] == b"WEBP")


def upload_endpoint(state: SandboxState):
    async def route(request: Request) -> Response:
        service: OkState = state.services[NAME]  # type: ignore[assignment]
        try:
            return _upload(state, service, request, await request.body())
        except ApiError as error:
            return error.response()

    return route


def _upload(state: SandboxState, service: OkState, request: Request, body: bytes) -> Response:
    session = service.uploads.get(request.query_params.get("apiToken", ""))
    if session is None:
        raise ApiError(100, "Invalid upload URL")
    if session.expires_ms <= service.now_ms():
        raise ApiError(100, "Upload URL expired; call photosV2.getUploadUrl again")
    if session.used:
        raise ApiError(100, "Upload URL already used; call photosV2.getUploadUrl again")
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        raise ApiError(21, "Upload request was not multipart")
    try:
        parts = parse_multipart(body, ctype)
    except ValueError as exc:
        raise ApiError(21, f"Malformed multipart body: {exc}") from None
    if not parts:
        raise ApiError(100, "No photo in the upload (expected fields pic1..picN)")
    numbers = []
    for name, (content, filename) in parts.items():
        match = _PIC.match(name)
        if match is None or filename is None:
            raise ApiError(100, f"Unexpected upload field {name!r}: files go in pic1..picN")
        number = int(match.group(1))
        if number > len(session.photo_ids):
            raise ApiError(100, f"{name}: the upload URL was issued for {len(session.photo_ids)} photo(s)")
        if len(content) > MAX_PHOTO_BYTES:
            raise ApiError(100, f"{name}: the file is over {MAX_PHOTO_BYTES} bytes")
        if not _is_image(content):
            raise ApiError(100, f"{name}: the file is not an image (JPEG, PNG, GIF, BMP or WebP)")
        numbers.append(number)
    session.used = True
    photos = {}
    for number in sorted(numbers):
        photo_id = session.photo_ids[number - 1]
        photos[photo_id] = {"token": service.issue_photo_token(session, photo_id)}
    state.record(NAME, "photo upload", photos=len(photos), gid=session.gid)
    return JSONResponse({"photos": photos})
