"""photos.createAlbum, photos.deleteAlbum, photos.getWallUploadServer/saveWallPhoto,
photos.getUploadServer/save, photos.delete, photos.get."""

from __future__ import annotations

from typing import Any

from ..errors import VkError, invalid
from ..uploads import claim, new_upload
from .common import acting_group, can_manage_owner
from .registry import Call, method

WALL_ALBUM_ID = -7  # VK's service album "wall photos"


def _owner(call: Call, group_id: int | None) -> int:
    return -group_id if group_id else (call.user_id or 0)


def _album(call: Call, album_id: int, group_id: int | None) -> dict[str, Any]:
    album = call.vk.albums.get((_owner(call, group_id), album_id))
    if album is None or album.get("deleted"):
        raise VkError(114, "Invalid album id")
    return album


def _save_photos(call: Call, upload_files: list[dict[str, Any]], owner_id: int, album_id: int) -> list[dict]:
    vk = call.vk
    caption = call.params.str("caption", max_len=2048) or ""
    saved = []
    for item in upload_files:
        photo_id = vk.next_id("photo")
        width, height = item.get("width", 0), item.get("height", 0)
        photo = {
            "id": photo_id,
            "album_id": album_id,
            "owner_id": owner_id,
            "user_id": 100 if owner_id < 0 else owner_id,  # community photos carry user_id 100
            "date": int(vk.clock.now()),
            "text": caption,
            "width": width,
            "height": height,
            "sizes": [{"type": "w", "width": width, "height": height,
                       "url": f"https://sun9-1.userapi.com/sandbox/photo{owner_id}_{photo_id}.jpg"}],
            "has_tags": False,
            "access_key": f"{photo_id:x}sandbox",
        }
        vk.photos[(owner_id, photo_id)] = photo
        saved.append(dict(photo))
        if album_id > 0:
            vk.albums[(owner_id, album_id)]["size"] += 1
    if vk.sandbox is not None:
        for photo in saved:
            vk.sandbox.record("vk", "photo", owner_id=owner_id, photo_id=photo["id"], album_id=album_id)
    return saved


@method("photos.createAlbum", ("user",), scope="photos")
def create_album(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    title = p.str("title", required=True, max_len=100)
    group_id = acting_group(call, p.int("group_id", lo=1))
    owner_id = _owner(call, group_id)
    with vk.lock:
        album_id = vk.next_id("album")
        now = int(vk.clock.now())
        album = {
            "id": album_id, "owner_id": owner_id, "title": title,
            "description": p.str("description", max_len=1024) or "", "created": now, "updated": now,
            "size": 0, "thumb_id": 0, "can_upload": 1,
            "upload_by_admins_only": int(p.flag("upload_by_admins_only")),
            "comments_disabled": int(p.flag("comments_disabled")),
        }
        vk.albums[(owner_id, album_id)] = album
    if vk.sandbox is not None:
        vk.sandbox.record("vk", "album", owner_id=owner_id, album_id=album_id)
    return dict(album)


@method("photos.deleteAlbum", ("user",), scope="photos")
def delete_album(call: Call) -> int:
    p = call.params
    album_id = p.req_int("album_id")
    group_id = acting_group(call, p.int("group_id", lo=1))
    with call.vk.lock:
        _album(call, album_id, group_id)["deleted"] = True
    return 1


@method("photos.getWallUploadServer", ("user",), scope="photos")
def get_wall_upload_server(call: Call) -> dict[str, Any]:
    group_id = acting_group(call, call.params.int("group_id", lo=1))
    url = new_upload(call, "wall_photo", group_id)
    body: dict[str, Any] = {"album_id": WALL_ALBUM_ID, "upload_url": url, "user_id": call.user_id}
    if group_id:
        body["group_id"] = group_id
    return body


@method("photos.saveWallPhoto", ("user",), scope="photos")
def save_wall_photo(call: Call) -> list[dict[str, Any]]:
    p = call.params
    photo = p.str("photo", required=True)
    group_id = p.int("group_id", lo=1)
    user_id = p.int("user_id", lo=1)
    if user_id is not None and user_id != call.user_id:
        raise VkError(15, "Access denied")
    with call.vk.lock:
        upload = claim(call, "wall_photo", p.int("server"), photo, p.str("hash"), "photo", group_id)
        assert upload.result is not None
        return _save_photos(call, upload.result["files"], _owner(call, group_id), WALL_ALBUM_ID)


@method("photos.getUploadServer", ("user",), scope="photos")
def get_upload_server(call: Call) -> dict[str, Any]:
    p = call.params
    album_id = p.req_int("album_id")
    group_id = acting_group(call, p.int("group_id", lo=1))
    with call.vk.lock:
        _album(call, album_id, group_id)
    url = new_upload(call, "album_photo", group_id, album_id=album_id)
    return {"album_id": album_id, "upload_url": url, "user_id": call.user_id}


@method("photos.save", ("user",), scope="photos")
def save(call: Call) -> list[dict[str, Any]]:
    p = call.params
    album_id = p.req_int("album_id")
    group_id = acting_group(call, p.int("group_id", lo=1))
    with call.vk.lock:
        _album(call, album_id, group_id)
        upload = claim(call, "album_photo", p.int("server"), p.str("photos_list"), p.str("hash"), "photos_list",
                       group_id)
        if upload.album_id != album_id:
            upload.saved = False
            raise VkError(121, "Invalid hash")
        assert upload.result is not None
        return _save_photos(call, upload.result["files"], _owner(call, group_id), album_id)


@method("photos.delete", ("user",), scope="photos")
def delete(call: Call) -> int:
    p = call.params
    owner_id = p.int("owner_id")
    owner_id = call.user_id if owner_id is None else owner_id
    assert owner_id is not None
    photo_id = p.req_int("photo_id")
    with call.vk.lock:
        photo = call.vk.photos.get((owner_id, photo_id))
        if photo is None or photo.get("deleted"):
            raise invalid("photo_id")
        if not can_manage_owner(call, owner_id):
            raise VkError(200, "Access denied")
        photo["deleted"] = True
    return 1


_SERVICE_ALBUMS = {"wall": WALL_ALBUM_ID, "profile": -6, "saved": -15}


@method("photos.get", ("user",))
def get(call: Call) -> dict[str, Any]:
    """An album's photos (``album_id``: an id, or ``wall``/``profile``/``saved``), oldest first or ``rev=1``
    newest first; ``offset``/``count`` (at most 1000, default 50) page them."""
    p = call.params
    owner_id = p.int("owner_id")
    owner_id = call.user_id if owner_id is None else owner_id
    album = p.str("album_id", required=True) or ""
    album_id = _SERVICE_ALBUMS.get(album)
    if album_id is None:
        album_id = p.req_int("album_id")
        if (owner_id, album_id) not in call.vk.albums:
            raise VkError(200, "Access denied")
    offset = p.int("offset", lo=0) or 0
    count = p.int("count", lo=0, hi=1000)
    with call.vk.lock:
        photos = sorted((dict(photo) for (owner, _), photo in call.vk.photos.items()
                         if owner == owner_id and photo["album_id"] == album_id and not photo.get("deleted")),
                        key=lambda photo: photo["id"], reverse=p.flag("rev"))
    return {"count": len(photos), "items": photos[offset: offset + (50 if count is None else count)]}
