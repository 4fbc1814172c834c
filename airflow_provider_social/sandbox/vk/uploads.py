"""Upload servers (``/vk-upload``, like pu.vk.com): single-use, expiring URLs that need no token.

Each ``*.getUploadServer`` / ``video.save`` call creates an :class:`~.state.Upload` with its own ``server``
number and an opaque id in the URL. The upload answers what VK's servers answer (``server``/``photo``/``hash``,
``server``/``photos_list``/``aid``/``hash``, ``file``, ``upload_result``, ``video_hash``...), and the save
methods verify it through :func:`claim`: unknown server 118, an unreadable upload 129, a hash that is not this
upload's (another upload, another server, another community) 121, a file VK would refuse 129 (photos) or 105
(documents). Field names: ``photo`` or ``file*`` for wall photos (vk_api sends ``file0``), ``file1``..``file5``
for album photos (other fields ignored), ``file`` for documents and stories, ``video_file`` for video, ``photo``
or ``file`` for a poll's background (:mod:`.poll_photos`).
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import TYPE_CHECKING, Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .errors import VkError
from .images import image_info, image_problem
from .market_uploads import market_photo_answer, market_photo_problem
from .poll_photos import FIELDS as POLL_PHOTO_FIELDS
from .poll_photos import poll_photo_answer, poll_photo_problem
from .signing import sign
from .state import Upload, VkState

if TYPE_CHECKING:
    from ..state import SandboxState
    from .methods.registry import Call

NAME = "vk_upload"
PREFIX = "/vk-upload"
# UNCONFIRMED: VK does not document how long an upload URL lives; the sandbox gives it one hour of sandbox
# time, and one upload. How VK's upload host refuses an expired or used URL is UNCONFIRMED too: its refusals are
# HTTP 200 with an ``error`` text in the JSON body (vksdk's upload error type reads ``error``, ``error_code``,
# ``error_descr``), so the sandbox answers that way, with no code a client could rely on to tell the cases apart.
UPLOAD_TTL = 3600.0
# VK's "50 MB" / "10 MB" / "200 MB" does not say which megabyte (UNCONFIRMED): the sandbox takes the stricter
# reading (10^6 bytes); clients check the tolerant one (MiB) before sending.
MB = 1000 * 1000
PHOTO_MAX = 50 * MB
STORY_MAX = 10 * MB
DOC_MAX = 200 * MB
VIDEO_FORMATS = ("avi", "mp4", "3gp", "mpeg", "mpg", "mov", "mp3", "flv", "wmv")
DOC_REFUSED = ("mp3", "exe", "bat", "cmd", "com", "msi", "scr", "apk", "jar")
_FIRST_SERVER = 800000


def new_upload(call: Call, kind: str, group_id: int | None, album_id: int | None = None, **extra: Any) -> str:
    """Create an upload slot and return its URL."""
    vk = call.vk
    with vk.lock:
        upload = Upload(
            id=secrets.token_urlsafe(18),
            kind=kind,
            server=_FIRST_SERVER + vk.next_id("server"),
            user_id=call.user_id,
            group_id=group_id,
            album_id=album_id,
            expires_at=vk.clock.now() + UPLOAD_TTL,
            extra=extra,
        )
        vk.uploads[upload.id] = upload
    return f"{call.base_url}{PREFIX}/{kind}/{upload.server}/{upload.id}"


def claim(call: Call, kind: str, server: int | None, data: str | None, given_hash: str | None,
          data_name: str, group_id: int | None) -> Upload:
    """The upload a save call refers to, after VK's checks; marks it saved."""
    vk = call.vk
    with vk.lock:
        if server is None or not any(u.server == server for u in vk.uploads.values()):
            raise VkError(118, "Invalid server")
        upload = _upload_from(vk, kind, data)
        if upload is None or upload.result is None:
            raise VkError(129, "Invalid photo") if kind != "doc" else VkError(105, "Couldn't save file")
        expected = sign(vk, kind, upload.id, upload.server, data)
        if (
            upload.server != server
            or not given_hash
            or not hmac.compare_digest(given_hash, expected)
            or upload.saved
            or upload.user_id != call.user_id
            or (upload.group_id or None) != (group_id or None)
        ):
            raise VkError(121, "Invalid hash")
        return _save(upload, kind)


def claim_token(call: Call, kind: str, value: str, name: str) -> Upload:
    """The upload behind a ``file`` (documents) or ``upload_result`` (stories) string, checked and marked saved."""
    vk = call.vk
    with vk.lock:
        upload = _upload_from(vk, kind, value)
        if (
            upload is None
            or upload.result is None
            or upload.saved
            or upload.user_id != call.user_id
            or not hmac.compare_digest(value, f"{upload.id}.{sign(vk, kind, upload.id, upload.server, upload.id)}")
        ):
            raise VkError(100, f"One of the parameters specified was missing or invalid: {name} is invalid")
        return _save(upload, kind)


def _save(upload: Upload, kind: str) -> Upload:
    """Refuse an upload whose files the server found wrong (105 for documents, 129 for photos), else mark it saved
    (a second save of the same upload is refused by the callers)."""
    assert upload.result is not None
    problems = [f["problem"] for f in upload.result["files"] if f.get("problem")]
    if problems:
        if kind == "doc":
            raise VkError(105, f"Couldn't save file: {problems[0]}")
        raise VkError(129, f"Invalid photo: {problems[0]}")
    upload.saved = True
    return upload


def _upload_from(vk: VkState, kind: str, data: str | None) -> Upload | None:
    if not data:
        return None
    if kind in ("wall_photo", "album_photo"):
        try:
            entries = json.loads(data)
            upload_id = entries[0]["photo"].split(":")[0] if entries else None
        except (ValueError, KeyError, TypeError, AttributeError, IndexError):
            return None
    else:
        upload_id = data.split(".")[0]
    upload = vk.uploads.get(upload_id or "")
    return upload if upload is not None and upload.kind == kind else None


# ---------------------------------------------------------------- the upload endpoint


def _fields(kind: str, form_keys: list[str]) -> list[str]:
    if kind == "wall_photo":
        return [k for k in form_keys if k == "photo" or k.startswith("file")][:1]
    if kind == "album_photo":
        return [k for k in form_keys if k in ("file1", "file2", "file3", "file4", "file5")]
    if kind == "video":
        return [k for k in form_keys if k == "video_file"][:1]
    if kind == "poll_photo":
        return [k for k in form_keys if k in POLL_PHOTO_FIELDS][:1]
    return [k for k in form_keys if k == "file"][:1]


async def _describe(kind: str, item: UploadFile) -> dict[str, Any]:
    head = await item.read(1024 * 1024)
    await item.seek(0)
    size = item.size if item.size is not None else len(head)
    name = item.filename or "file"
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    problem = None
    if kind in ("wall_photo", "album_photo"):
        problem = image_problem(head, size, PHOTO_MAX)
    elif kind == "market_photo":
        problem = market_photo_problem(head, size)
    elif kind == "poll_photo":
        problem = poll_photo_problem(head, size)
    elif kind == "story":
        problem = image_problem(head, size, STORY_MAX)
    elif kind == "doc":
        if size > DOC_MAX:
            problem = f"file is too big ({size} bytes, at most {DOC_MAX})"
        elif ext in DOC_REFUSED:
            problem = f"files of type .{ext} are not allowed"
    info = image_info(head) if kind in ("wall_photo", "album_photo", "story", "market_photo", "poll_photo") else None
    width, height = (info[1], info[2]) if info else (0, 0)
    return {"name": name, "ext": ext, "size": size, "width": width, "height": height, "problem": problem}


def _answer(vk: VkState, upload: Upload, files: list[dict[str, Any]]) -> dict[str, Any]:
    kind, server = upload.kind, upload.server
    if kind in ("wall_photo", "album_photo"):
        data = json.dumps([{"photo": f"{upload.id}:{i}", "sizes": [], "kid": sign(vk, upload.id, i)[:8]}
                           for i, _ in enumerate(files)])
        body: dict[str, Any] = {"server": server}
        body["photo" if kind == "wall_photo" else "photos_list"] = data
        if kind == "album_photo":
            body["aid"] = upload.album_id
        body["hash"] = sign(vk, kind, upload.id, server, data)
        return body
    if kind == "market_photo":
        return market_photo_answer(vk, upload)
    if kind == "poll_photo":
        return poll_photo_answer(vk, upload)
    token = f"{upload.id}.{sign(vk, kind, upload.id, server, upload.id)}"
    if kind == "story":
        return {"response": {"upload_result": token}}
    if kind == "doc":
        return {"file": token}
    # video: the upload answer of video.save's upload_url
    return {"video_hash": sign(vk, "video_hash", upload.id)[:16], "size": files[0]["size"],
            "owner_id": upload.extra["owner_id"], "video_id": upload.extra["video_id"]}


def _routes(state: SandboxState) -> list[BaseRoute]:
    async def endpoint(request: Request) -> Response:
        vk: VkState = state.services["vk"]  # type: ignore[assignment]
        kind, upload_id = request.path_params["kind"], request.path_params["upload_id"]
        with vk.lock:
            upload = vk.uploads.get(upload_id)
            if upload is None or upload.kind != kind or str(upload.server) != request.path_params["server"]:
                return JSONResponse({"error": "unknown upload url"}, status_code=404)
            if upload.expires_at <= vk.clock.now():
                return JSONResponse({"error": "upload url has expired, request a new one"})
            if upload.used:
                return JSONResponse({"error": "upload url has already been used, request a new one"})
            upload.used = True
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "multipart/form-data":
            return JSONResponse({"error": "multipart/form-data expected"})
        async with request.form(max_files=16) as form:
            uploads = {k: v for k, v in form.multi_items() if isinstance(v, UploadFile)}
            files = [await _describe(kind, uploads[name]) for name in _fields(kind, list(uploads))]
        if not files and kind == "video" and upload.extra.get("link"):
            return JSONResponse({"response": 1})  # an external video: the URL is called without a file
        if not files:
            if kind in ("wall_photo", "album_photo"):
                # What VK's photo servers answer without a usable file: an empty photo list.
                body: dict[str, Any] = {"server": upload.server, "hash": sign(vk, kind, upload.id, "[]")}
                body["photo" if kind == "wall_photo" else "photos_list"] = "[]"
                return JSONResponse(body)
            return JSONResponse({"error": "no file"})
        if kind == "video" and files[0]["ext"] not in VIDEO_FORMATS:
            return JSONResponse({"error": f"unsupported video format .{files[0]['ext']}"})
        with vk.lock:
            upload.result = {"files": files}
            answer = _answer(vk, upload, files)
            if kind == "video":
                video = vk.videos.get((upload.extra["owner_id"], upload.extra["video_id"]))
                if video is not None:
                    video.pop("_pending", None)
                    video["size"] = files[0]["size"]
        return JSONResponse(answer)

    return [Route(PREFIX + "/{kind}/{server}/{upload_id}", endpoint, methods=["POST"])]
