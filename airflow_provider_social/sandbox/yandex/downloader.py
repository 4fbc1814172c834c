"""The download host (``downloader.disk.yandex.ru``): ``/disk/<token>`` redirects to ``/get/<token>``, which streams.

A single ``Range: bytes=a-b`` (or ``a-``, ``-n``) is answered ``206`` with ``Content-Range``; one past the end ``416``
with ``Content-Range: bytes */size``; anything else (no header, several ranges, malformed) the whole file. The
setting ``download_ranges`` 0 makes it ignore ``Range`` altogether (200, the whole file). Whether
Yandex's downloader honours ``Range`` is UNCONFIRMED by recorded traffic: rclone's yandex backend sends its range
options on the download href (backend/yandex/yandex.go, ``Object.Open``), and clients must also cope with a 200.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from .constants import CHUNK, DOWNLOADER_PREFIX
from .records import Blob
from .state import _disk

if TYPE_CHECKING:
    from ..state import SandboxState


def _bad_link() -> Response:
    # Observed for expired or bad links: nginx's 500 page.
    return Response(b"<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal "
                    b"Server Error</h1></center><hr><center>nginx</center></body></html>", status_code=500,
                    media_type="text/html")


def byte_range(header: str | None, size: int) -> tuple[int, int] | str | None:
    """The one range a ``Range: bytes=...`` header asks for, as ``(start, end)`` with ``end`` exclusive;
    ``"unsatisfiable"`` (416) when it starts past the end; None (the whole file, 200) when there is no header, it
    is not a single byte range, or it is malformed (RFC 9110 lets a server ignore such a header)."""
    if not header or not header.startswith("bytes=") or "," in header:
        return None
    first, dash, last = header[len("bytes="):].strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) or (
            last and not last.isdigit()):
        return None
    if not first:  # the last N bytes
        count = int(last)
        return (max(size - count, 0), size) if count else "unsatisfiable"
    start = int(first)
    if start >= size:
        return "unsatisfiable"
    end = min(int(last) + 1, size) if last else size
    return None if end <= start else (start, end)


def _downloader_routes(state: SandboxState) -> list[BaseRoute]:
    def lookup(token: str) -> Blob | None:
        disk = _disk(state)
        data = disk.unsign(token)
        if data is None or float(data.get("e", 0)) <= disk.clock.now():
            return None
        return disk.blobs.get(str(data.get("b")))

    async def redirect(request: Request) -> Response:
        token = request.path_params["token"]
        if lookup(token) is None:
            return _bad_link()
        query = request.url.query
        return RedirectResponse(f"{DOWNLOADER_PREFIX}/get/{token}" + (f"?{query}" if query else ""), status_code=302)

    async def get(request: Request) -> Response:
        blob = lookup(request.path_params["token"])
        if blob is None or blob.file.closed:
            return _bad_link()
        fd, size = blob.file.fileno(), blob.size
        filename = unquote(request.query_params.get("filename") or "file")
        headers = {
            "accept-ranges": "bytes" if _disk(state).settings.download_ranges else "none",
            "etag": f'"{blob.md5}"',
            "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        }
        honoured = _disk(state).settings.download_ranges
        wanted = byte_range(request.headers.get("range"), size) if honoured else None
        if isinstance(wanted, str):  # "unsatisfiable"
            return Response(b"", status_code=416, headers={**headers, "content-range": f"bytes */{size}"})
        start, end = wanted or (0, size)
        if wanted is not None:
            headers["content-range"] = f"bytes {start}-{end - 1}/{size}"
        headers["content-length"] = str(end - start)

        def chunks() -> Iterator[bytes]:
            offset = start  # pread: concurrent downloads of one blob share the descriptor, not a file position
            while offset < end and (chunk := os.pread(fd, min(CHUNK, end - offset), offset)):
                offset += len(chunk)
                yield chunk

        return StreamingResponse(chunks(), status_code=206 if wanted else 200, media_type="application/octet-stream",
                                 headers=headers)

    return [
        Route(f"{DOWNLOADER_PREFIX}/disk/{{token}}", redirect, methods=["GET"]),
        Route(f"{DOWNLOADER_PREFIX}/get/{{token}}", get, methods=["GET"]),
    ]
