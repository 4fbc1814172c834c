"""The download host (``downloader.disk.yandex.ru``): ``/disk/<token>`` redirects to ``/get/<token>``, which streams."""

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

        def chunks() -> Iterator[bytes]:
            offset = 0  # pread: concurrent downloads of one blob share the descriptor, not a file position
            while offset < size and (chunk := os.pread(fd, min(CHUNK, size - offset), offset)):
                offset += len(chunk)
                yield chunk

        filename = unquote(request.query_params.get("filename") or "file")
        headers = {
            "content-length": str(blob.size),
            "etag": f'"{blob.md5}"',
            "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        }
        return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)

    return [
        Route(f"{DOWNLOADER_PREFIX}/disk/{{token}}", redirect, methods=["GET"]),
        Route(f"{DOWNLOADER_PREFIX}/get/{{token}}", get, methods=["GET"]),
    ]
