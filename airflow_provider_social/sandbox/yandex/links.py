"""Upload and download links (``/resources/upload``, ``/resources/download``) and upload from a URL."""

from __future__ import annotations

import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import Response

from .constants import DOWNLOADER_PREFIX, THROTTLED_MEDIA_TYPES, UPLOADER_PREFIX
from .errors import DiskError, already_exists, field_error, points_to_directory
from .records import DiskAccount, Node, UploadTarget, join_path, media_type, split_path
from .state import YandexDiskState
from .views import _bool, _operation_link, _storage_base, fields


# ---- uploads and downloads
async def upload_link(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    scheme, parts = split_path(request.query_params.get("path"))
    overwrite = _bool(request, "overwrite")
    parent = ydisk.parent_of(account, scheme, parts)
    existing = (parent.children or {}).get(parts[-1])
    path = join_path(scheme, parts)
    if existing is not None and existing.type == "dir":
        raise points_to_directory(path)
    if existing is not None and not overwrite:
        raise already_exists(path)
    op = ydisk.start_operation(account.user.uid, "upload", None)
    target_id = f"{int(ydisk.clock.now())}.utd.{secrets.token_urlsafe(24)}"
    # The throttle is decided here, from the name's media type, and the link keeps it whatever is sent to it.
    kind = media_type(parts[-1])[1]
    rate = ydisk.settings.upload_throttle_rate
    throttle = kind if kind in THROTTLED_MEDIA_TYPES and rate > 0 else None
    ydisk.uploads[target_id] = UploadTarget(account.user.uid, path, overwrite,
                                            ydisk.clock.now() + ydisk.settings.upload_link_ttl, op.id,
                                            throttle=throttle, throttle_rate=rate if throttle else 0.0)
    return fields(request, {
        "operation_id": op.id,
        "href": f"{_storage_base(request)}{UPLOADER_PREFIX}/upload-target/{target_id}",
        "method": "PUT",
        "templated": False,
    })

async def upload_from_url(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    url = request.query_params.get("url")
    if not url:
        raise field_error("url")
    parts_url = urlsplit(url)
    if parts_url.scheme not in ("http", "https") or not parts_url.netloc:
        raise field_error("url", "Must be an http or https URL.")
    scheme, parts = split_path(request.query_params.get("path"))
    ydisk.check_target(account, scheme, parts, overwrite=False)
    path = join_path(scheme, parts)
    source_blob = None
    if parts_url.path.startswith(f"{DOWNLOADER_PREFIX}/"):
        token = parts_url.path.rsplit("/", 1)[-1]
        data = ydisk.unsign(token)
        source_blob = ydisk.blobs.get(str(data.get("b"))) if data else None

    def fetch() -> None:
        parent = ydisk.check_target(account, scheme, parts, overwrite=False)
        blob = source_blob if source_blob is not None and source_blob.id in ydisk.blobs else None
        if blob is None:
            blob = ydisk.blob_from_bytes(f"sandbox upload of {url}\n".encode())
        ydisk.check_room(account, blob.size)
        blob.refs += 1
        now = ydisk.clock.now()
        ydisk.place(parent, parts[-1], Node(parts[-1], "file", now, now, ydisk.new_id(), blob=blob, uploaded=now,
                                                revision=next(ydisk._ids)))
        ydisk.record("upload_from_url", path=path, size=blob.size, md5=blob.md5)

    op = ydisk.start_operation(account.user.uid, "upload_from_url", fetch)
    return fields(request, _operation_link(request, op), 202)

async def download_link(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    _scheme, _parts, node = ydisk.get(account, request.query_params.get("path"))
    if node.blob is None:
        # Folders download as zip at Yandex; the sandbox does not build archives (stricter: refuse).
        raise DiskError(400, "DiskNotAFileError", "Downloading folders is not supported by the sandbox.",
                        "Скачивание папок в песочнице не поддерживается.")
    return fields(request, {"href": ydisk.download_href(_storage_base(request), node.blob, node.name),
                            "method": "GET", "templated": False})
