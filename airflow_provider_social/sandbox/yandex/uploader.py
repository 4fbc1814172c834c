"""The Yandex Disk upload host (``uploaderNNx.disk.yandex.net``), served on the sandbox's storage listener.

An upload href (from ``GET /v1/disk/resources/upload``) takes exactly one ``PUT`` of the raw bytes. The uploader
is not the Disk REST API: it needs no token (the href is the credential), and its answers are bare HTTP, not the
API's ``{"message", "description", "error"}`` JSON. Reference: shared/reference/twitter_x_yandex.md section 7,
"Upload href semantics".

=========  =================================================================================================
Status     When
=========  =================================================================================================
201        the file was received and is in Disk (empty body, as recorded in yadisk's traffic)
202        the file was received but not yet moved into Disk [OFFICIAL code list]. The upload's operation (the
           ``operation_id`` of the upload-link answer) stays ``in-progress`` for ``operation_duration`` sandbox
           seconds; only then does the file appear (or the operation ends ``failed``, e.g. when the folder went
           away meanwhile). Answered for uploads over ``upload_async_over`` bytes (default 1 GiB: only accounts
           whose limit is higher get there) and for the next ``upload_async_next`` uploads whatever their size.
404        an href the uploader never issued (or a forged one)
410        an href that lapsed: not used within ``upload_link_ttl`` (30 min) [OFFICIAL: "stops working"]
412        an href that already took its PUT (the uploader's documented 412 is for a PUT that does not continue
           the upload the target holds; a second whole PUT is that case)
409        the folder the file goes to no longer exists (deleted after the link was issued); names the path
413 / 507  over ``max_file_size`` / over the quota [OFFICIAL code list]
=========  =================================================================================================

Which of 404/410/412 the real uploader picks for a lapsed or reused href, and its bodies, are UNCONFIRMED (no
recorded traffic shows them): the sandbox answers each case with its own status and a short nginx-style HTML page,
so a client can rely on neither Disk-API JSON nor one catch-all status there.
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from html import escape
from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .constants import ALL_METHODS, UPLOADER_PREFIX
from .errors import DiskError, insufficient_storage, points_to_directory
from .records import Blob, DiskAccount, Node, UploadTarget, split_path
from .state import YandexDiskState, _disk

if TYPE_CHECKING:
    from ..state import SandboxState

_REASONS = {
    404: "Not Found", 405: "Not Allowed", 409: "Conflict", 410: "Gone", 412: "Precondition Failed",
    413: "Request Entity Too Large", 507: "Insufficient Storage",
}


def uploader_error(status: int, detail: str = "") -> Response:
    """A bare nginx-style error page (the uploader's bodies are UNCONFIRMED; never the Disk API's JSON)."""
    title = f"{status} {_REASONS.get(status, 'Error')}"
    extra = f"<p>{escape(detail)}</p>" if detail else ""
    body = (f"<html><head><title>{title}</title></head><body><center><h1>{title}</h1></center>{extra}"
            "<hr><center>nginx</center></body></html>")
    return Response(body.encode(), status_code=status, media_type="text/html")


class UploadRefused(Exception):
    def __init__(self, status: int, detail: str = "") -> None:
        super().__init__(detail)
        self.status, self.detail = status, detail

    def response(self) -> Response:
        return uploader_error(self.status, self.detail)


def _refusal(exc: DiskError, path: str) -> UploadRefused:
    """The uploader's own answer for a Disk-side refusal found while storing the file."""
    if exc.error == "DiskPathDoesntExistsError":
        return UploadRefused(409, f'The folder for "{path}" does not exist.')
    if exc.error == "DiskResourceAlreadyExistsError":
        return UploadRefused(409, f'"{path}" already exists.')
    if exc.error == "DiskPathPointsToExistentDirectoryError":
        return UploadRefused(409, f'"{path}" is a folder.')
    if exc.status == 507:
        return UploadRefused(507, "Not enough free space.")
    return UploadRefused(exc.status, exc.description)


async def _discard(request: Request) -> None:
    async for _chunk in request.stream():
        pass


def _claim(disk: YandexDiskState, target_id: str) -> UploadTarget:
    """The target for this PUT, marked used (exactly one PUT per href, even if this one fails)."""
    with disk._lock:
        disk.settle()
        target = disk.uploads.get(target_id)
        if target is None:
            raise UploadRefused(404)
        if target.used:
            raise UploadRefused(412, "This upload link has already been used; request a new one.")
        if target.expires_at <= disk.clock.now():
            raise UploadRefused(410, "This upload link has expired; request a new one.")
        target.used = True
        return target


def _store(state: SandboxState, disk: YandexDiskState, account: DiskAccount, target: UploadTarget, blob: Blob,
           authorization_sent: bool) -> None:
    """Put the received file into Disk (under the lock); DiskError when that is no longer possible."""
    scheme, parts = split_path(target.path)
    parent = disk.check_target(account, scheme, parts, target.overwrite)
    existing = (parent.children or {}).get(parts[-1])
    if existing is not None and existing.type == "dir":
        raise points_to_directory(target.path)
    replaced = existing.size if existing is not None else 0
    if account.used_space - replaced + blob.size > account.total_space:
        raise insufficient_storage()
    blob.refs = 1
    disk.blobs[blob.id] = blob
    now = disk.clock.now()
    disk.place(parent, parts[-1], Node(parts[-1], "file", now, now, disk.new_id(), blob=blob, uploaded=now,
                                       revision=next(disk._ids)))
    # Whether the client also sent its OAuth token to the uploader host (it needs none; yadisk sends none).
    throttle = ({"throttled": target.throttle, "throttled_seconds": blob.size / target.throttle_rate}
                if target.throttle else {"throttled": None, "throttled_seconds": 0.0})
    disk.record("upload", path=target.path, size=blob.size, md5=blob.md5,
                authorization_sent=authorization_sent, **throttle)


def _uploader_routes(state: SandboxState) -> list[BaseRoute]:
    async def put(request: Request) -> Response:  # noqa: C901 - one request's whole life, in order
        disk = _disk(state)
        if request.method != "PUT":
            await _discard(request)
            return uploader_error(405)
        try:
            target = _claim(disk, request.path_params["target"])
        except UploadRefused as refused:
            await _discard(request)
            return refused.response()
        account = disk.account(target.uid)
        op = disk.operations.get(target.operation_id)
        declared = request.headers.get("content-length")
        limit = account.max_file_size
        if declared is not None and declared.isdigit():
            size = int(declared)
            with disk._lock:
                free = account.total_space - account.used_space
            early = uploader_error(413) if size > limit else uploader_error(507) if size > free else None
            if early is not None:
                await _discard(request)
                if op is not None:
                    op.status = "failed"
                return early
        started = time.monotonic()
        blob_id, fh = disk.new_blob_file()
        md5, sha256, written = hashlib.md5(), hashlib.sha256(), 0  # noqa: S324 - Yandex's integrity tag
        too_large = False
        stored = False
        try:
            async for chunk in request.stream():
                if too_large:
                    continue  # drain the rest so the client reads our answer
                written += len(chunk)
                if written > limit:
                    too_large = True
                    continue
                md5.update(chunk)
                sha256.update(chunk)
                fh.write(chunk)
            fh.flush()
            if too_large:
                raise UploadRefused(413)
            await _throttle(disk, target, written, started)
            blob = Blob(blob_id, fh, written, md5.hexdigest(), sha256.hexdigest())
            authorization_sent = "authorization" in request.headers
            with disk._lock:
                disk.settle()
                settings = disk.settings
                by_size = written > settings.upload_async_over
                by_count = not by_size and settings.upload_async_next > 0
                if (by_size or by_count) and op is not None:
                    if by_count:
                        settings.upload_async_next -= 1
                    _defer(state, disk, account, target, blob, authorization_sent)
                    stored = True
                    return Response(b"", status_code=202)
                try:
                    _store(state, disk, account, target, blob, authorization_sent)
                except DiskError as exc:
                    raise _refusal(exc, target.path) from None
                stored = True
                if op is not None:
                    op.status = "success"
        except UploadRefused as refused:
            if op is not None:
                op.status = "failed"
            return refused.response()
        finally:
            if not stored:  # refused, or the client went away mid-body: the bytes are dropped with the file
                fh.close()
                if op is not None and op.status == "in-progress":
                    op.status = "failed"
        return Response(b"", status_code=201)

    return [Route(f"{UPLOADER_PREFIX}/upload-target/{{target}}", put, methods=ALL_METHODS)]


async def _throttle(disk: YandexDiskState, target: UploadTarget, size: int, started: float) -> None:
    """A throttled link's upload ends no sooner than ``size / rate`` seconds after it began, scaled by
    ``upload_throttle_time_scale`` (0: no real wait; the event still reports the throttled duration)."""
    if not target.throttle or target.throttle_rate <= 0:
        return
    due = size / target.throttle_rate * disk.settings.upload_throttle_time_scale
    remaining = due - (time.monotonic() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


def _defer(state: SandboxState, disk: YandexDiskState, account: DiskAccount, target: UploadTarget, blob: Blob,
           authorization_sent: bool) -> None:
    """202: the upload's operation completes (and the file appears) ``operation_duration`` seconds from now."""
    op = disk.operations[target.operation_id]

    def move_into_disk() -> None:
        try:
            _store(state, disk, account, target, blob, authorization_sent)
        except DiskError:
            blob.file.close()  # nobody will ever reference these bytes
            raise

    op.action = move_into_disk
    op.due_at = disk.clock.now() + disk.settings.operation_duration

