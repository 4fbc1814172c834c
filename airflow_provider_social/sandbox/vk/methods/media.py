"""video.save; docs.getUploadServer, docs.getWallUploadServer, docs.getMessagesUploadServer, docs.save;
stories.getPhotoUploadServer, stories.save."""

from __future__ import annotations

from typing import Any

from ..errors import VkError, invalid, missing
from ..uploads import claim_token, new_upload
from .common import acting_group
from .registry import Call, method

# vk_api's STORY_ALLOWED_LINK_TEXTS (VK's list of story button texts).
STORY_LINK_TEXTS = frozenset({
    "to_store", "vote", "more", "book", "order", "enroll", "fill", "signup", "buy", "ticket", "write", "open",
    "learn_more", "view", "go_to", "contact", "watch", "play", "install", "read",
})
DOC_TYPES = {"txt": 1, "doc": 1, "docx": 1, "pdf": 1, "zip": 2, "rar": 2, "7z": 2, "gif": 3, "jpg": 4,
             "jpeg": 4, "png": 4, "ogg": 5, "wav": 5, "mp4": 6, "avi": 6, "epub": 7, "fb2": 7}
STORY_TTL = 86400


def _owner(call: Call, group_id: int | None) -> int:
    return -group_id if group_id else (call.user_id or 0)


@method("video.save", ("user",), scope="video")
def video_save(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    name = p.str("name", max_len=128) or "Video"
    description = p.str("description", max_len=5000) or ""
    link = p.str("link")
    group_id = acting_group(call, p.int("group_id", lo=1))
    owner_id = _owner(call, group_id)
    with vk.lock:
        video_id = vk.next_id("video")
        access_key = f"{video_id:x}sandboxvideo"
        vk.videos[(owner_id, video_id)] = {
            "id": video_id, "owner_id": owner_id, "title": name, "description": description,
            "date": int(vk.clock.now()), "access_key": access_key, "player": link or "",
            "wallpost": int(p.flag("wallpost")), "_pending": not link,
        }
    url = new_upload(call, "video", group_id, owner_id=owner_id, video_id=video_id, link=link)
    if vk.sandbox is not None:
        vk.sandbox.record("vk", "video", owner_id=owner_id, video_id=video_id)
    return {"upload_url": url, "video_id": video_id, "owner_id": owner_id, "title": name,
            "description": description, "access_key": access_key}


def _doc_server(call: Call, group_id: int | None) -> dict[str, str]:
    return {"upload_url": new_upload(call, "doc", acting_group(call, group_id))}


@method("docs.getUploadServer", ("user",), scope="docs")
def docs_get_upload_server(call: Call) -> dict[str, str]:
    return _doc_server(call, call.params.int("group_id", lo=1))


@method("docs.getWallUploadServer", ("user", "community"), scope="docs", community_scope="docs")
def docs_get_wall_upload_server(call: Call) -> dict[str, str]:
    return _doc_server(call, call.params.int("group_id", lo=1))


@method("docs.getMessagesUploadServer", ("user", "community"), scope="docs", community_scope="docs")
def docs_get_messages_upload_server(call: Call) -> dict[str, str]:
    kind = call.params.str("type") or "doc"
    if kind not in ("doc", "audio_message", "graffiti"):
        raise invalid("type")
    call.params.int("peer_id")
    group_id = call.token.group_id if call.token.kind == "community" else None
    return _doc_server(call, group_id)


@method("docs.save", ("user", "community"), scope="docs", community_scope="docs")
def docs_save(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    value = p.str("file", required=True) or ""
    with vk.lock:
        upload = claim_token(call, "doc", value, "file")
        assert upload.result is not None
        item = upload.result["files"][0]
        owner_id = _owner(call, upload.group_id)
        doc_id = vk.next_id("doc")
        doc = {
            "id": doc_id, "owner_id": owner_id, "title": p.str("title", max_len=128) or item["name"],
            "size": item["size"], "ext": item["ext"], "date": int(vk.clock.now()),
            "type": DOC_TYPES.get(item["ext"], 8),
            "url": f"https://vk.ru/doc{owner_id}_{doc_id}?hash=sandbox",
            "tags": p.str_list("tags"),
        }
        vk.docs[(owner_id, doc_id)] = doc
    if vk.sandbox is not None:
        vk.sandbox.record("vk", "doc", owner_id=owner_id, doc_id=doc_id)
    return {"type": "doc", "doc": dict(doc)}


@method("stories.getPhotoUploadServer", ("user", "community"), scope="stories", community_scope="stories")
def stories_get_photo_upload_server(call: Call) -> dict[str, Any]:
    p = call.params
    add_to_news = p.flag("add_to_news")
    user_ids = p.int_list("user_ids", max_count=100)
    if not add_to_news and not user_ids:
        raise missing("add_to_news")
    group_id = acting_group(call, p.int("group_id", lo=1))
    link_text, link_url = p.str("link_text"), p.str("link_url", max_len=2048)
    if (link_text or link_url) and not group_id:
        raise invalid("link_text", "is available only for communities")
    if bool(link_text) != bool(link_url):
        raise missing("link_url" if link_text else "link_text")
    if link_text and link_text not in STORY_LINK_TEXTS:
        raise invalid("link_text")
    # vk_api allows only VK's own links here; the sandbox refuses others (UNCONFIRMED beyond that client).
    if link_url and not link_url.startswith(("https://vk.ru", "https://vk.com", "https://m.vk.ru")):
        raise invalid("link_url", "is invalid: only vk.ru links are allowed")
    url = new_upload(call, "story", group_id, link_text=link_text, link_url=link_url,
                     reply_to_story=p.str("reply_to_story"))
    return {"upload_url": url, "user_ids": user_ids}


@method("stories.save", ("user", "community"), scope="stories", community_scope="stories")
def stories_save(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    results = p.str_list("upload_results", required=True, max_count=100)
    items = []
    with vk.lock:
        uploads = [claim_token(call, "story", value, "upload_results") for value in results]
        for upload in uploads:
            owner_id = _owner(call, upload.group_id)
            now = int(vk.clock.now())
            story: dict[str, Any] = {"id": vk.next_id("story"), "owner_id": owner_id, "date": now,
                                     "expires_at": now + STORY_TTL, "type": "photo", "can_see": 1}
            if upload.extra.get("link_url"):
                story["link"] = {"text": upload.extra["link_text"], "url": upload.extra["link_url"]}
            vk.stories.append(story)
            items.append(dict(story))
    if vk.sandbox is not None:
        for story in items:
            vk.sandbox.record("vk", "story", owner_id=story["owner_id"], story_id=story["id"])
    if not items:
        raise VkError(100, "One of the parameters specified was missing or invalid: upload_results is invalid")
    return {"count": len(items), "items": items}
