"""The emulated OK methods (reference section 3.4). Parameters arrive as strings, as on the wire."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

from .api import Caller, Method
from .attachment import validate_attachment
from .constants import UPLOAD_PREFIX, UPLOAD_TTL_MS
from .state import ApiError, OkState, Topic
from .stats import get_stat_topics, get_stat_trends

VALUABLE = frozenset({"VALUABLE_ACCESS"})
USER_FIELDS = {"uid", "first_name", "last_name", "name", "gender", "locale", "pic_1"}
GROUP_FIELDS = {"uid", "name", "description", "photo_id", "members_count", "admin_id"}
MAX_UPLOAD_COUNT = 100  # UNCONFIRMED: the docs give no maximum; the sandbox refuses more
MAX_TOPICS_PAGE = 100


def _int(params: dict[str, str], name: str, default: int | None, low: int, high: int) -> int:
    raw = params.get(name)
    if raw in (None, ""):
        if default is None:
            raise ApiError(100, f"Missing required parameter {name}")
        return default
    try:
        value = int(raw)  # type: ignore[arg-type]
    except ValueError:
        raise ApiError(100, f"Invalid parameter {name}: {raw!r} is not a number") from None
    if not low <= value <= high:
        raise ApiError(100, f"Invalid parameter {name}: must be from {low} to {high}")
    return value


def _fields(params: dict[str, str], known: set[str], *, required: bool) -> list[str]:
    raw = params.get("fields", "")
    if not raw:
        if required:
            raise ApiError(100, "Missing required parameter fields")
        return sorted(known)
    fields = [f.strip().lower() for f in raw.split(",") if f.strip()]
    unknown = sorted(set(fields) - known)
    if unknown:
        raise ApiError(100, f"Invalid parameter fields: unknown field(s) {', '.join(unknown)}")
    return fields


def _group(service: OkState, gid: str | None, uid: str, *, member: bool = True):  # noqa: ANN202
    if not gid:
        raise ApiError(100, "Missing required parameter gid")
    group = service.groups.get(gid)
    if group is None:
        raise ApiError(100, f"Invalid parameter gid: group {gid} not found")
    if member and uid not in group.members:
        raise ApiError(10, f"User {uid} is not a member of group {gid}")
    return group


async def get_current_user(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    fields = _fields(params, USER_FIELDS, required=False)
    user = service.users[who.uid]
    return {"uid": who.uid, **{f: user[f] for f in fields if f in user}}


async def group_get_info(service: OkState, who: Caller, params: dict[str, str]) -> list[dict[str, Any]]:
    uids = [u.strip() for u in params.get("uids", "").split(",") if u.strip()]
    if not uids:
        raise ApiError(100, "Missing required parameter uids")
    if len(uids) > 100:
        raise ApiError(100, "Invalid parameter uids: at most 100 ids")
    fields = _fields(params, GROUP_FIELDS, required=True)  # UNCONFIRMED which fields are mandatory: require some
    result = []
    for gid in uids:
        group = service.groups.get(gid)
        if group is None:
            continue
        full = {"uid": gid, "name": group.name, "description": "", "photo_id": None,
                "members_count": len(group.members), "admin_id": next(iter(sorted(group.admins)), None)}
        result.append({"uid": gid, **{f: full[f] for f in fields}})
    return result


async def photos_get_upload_url(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    gid = params.get("gid") or None
    if gid is not None:
        _group(service, gid, who.uid)
    if params.get("aid"):
        raise ApiError(120, "Albums are not emulated; upload for a mediatopic (gid) or the personal album")
    count = _int(params, "count", 1, 1, MAX_UPLOAD_COUNT)
    session = service.new_upload(who.uid, gid, count, UPLOAD_TTL_MS)
    ids = ",".join(session.photo_ids)
    url = f"{who.base_url}{UPLOAD_PREFIX}/uploadImage?apiToken={session.token}&photoIds={quote(ids, safe='')}"
    return {"photo_ids": session.photo_ids, "upload_url": url, "expires_ms": session.expires_ms,
            "ttl_ms": UPLOAD_TTL_MS}


async def mediatopic_post(service: OkState, who: Caller, params: dict[str, str]) -> str:
    topic_type = params.get("type") or "USER"
    gid = params.get("gid") or None
    if topic_type not in ("USER", "GROUP_THEME", "GROUP_THEME_PROMO", "GROUP_SUGGESTED"):
        raise ApiError(100, f"Invalid parameter type: {topic_type} is not emulated")
    if gid is not None:
        if "GROUP_CONTENT" not in who.permissions:
            raise ApiError(10, "Posting to a group requires permission GROUP_CONTENT")
        if topic_type not in ("GROUP_THEME", "GROUP_THEME_PROMO"):
            raise ApiError(100, "Invalid parameter type: gid requires type=GROUP_THEME or GROUP_THEME_PROMO")
        group = _group(service, gid, who.uid)
    elif topic_type != "USER":
        raise ApiError(100, f"Missing required parameter gid for type={topic_type}")
    else:
        group = None
    if "attachment" not in params:
        raise ApiError(100, "Missing required parameter attachment")
    attachment = validate_attachment(service, who, params["attachment"], group)
    with service._lock:
        topic = Topic(service.new_id(), gid or "", who.uid, attachment.on_behalf_of_group, attachment.media,
                      service.now_ms(), attachment.publish_at)
        service.topics[topic.id] = topic
        for token in attachment.photo_tokens:
            service.photo_tokens[token].used = True
    service.sandbox.record("ok", "mediatopic", id=topic.id, gid=topic.gid, media=[m["type"] for m in topic.media],
                           on_behalf_of_group=topic.on_behalf_of_group, publish_at=topic.publish_at)
    return topic.id  # a bare JSON string, as mediatopic.post answers


async def mediatopic_get_topics(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    """[client; UNCONFIRMED by docs] ``gid`` + ``count`` -> ``{"media_topics": [...], "has_more"}``, newest first;
    scheduled topics appear once their time has come."""
    group = _group(service, params.get("gid"), who.uid)
    count = _int(params, "count", 20, 1, MAX_TOPICS_PAGE)
    now_ms = service.now_ms()
    topics = [t for t in service.topics.values() if t.gid == group.gid and not t.deleted
              and (t.publish_at is None or _publish_ms(t.publish_at) <= now_ms)]
    topics.sort(key=lambda t: (t.created_ms, int(t.id)), reverse=True)
    page = topics[:count]
    return {"media_topics": [{"id": t.id, "created_ms": t.created_ms, "author_ref": f"user:{t.author}",
                              "media": json.loads(json.dumps(t.media))} for t in page],
            "has_more": len(topics) > count}


async def mediatopic_delete_topic(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    """[client; UNCONFIRMED by docs] ``gid`` + ``topic_id`` -> ``{"success": true}``; only the author or an admin."""
    group = _group(service, params.get("gid"), who.uid)
    topic_id = params.get("topic_id") or ""
    topic = service.topics.get(topic_id)
    if not topic_id or topic is None or topic.gid != group.gid or topic.deleted:
        raise ApiError(100, f"Invalid parameter topic_id: topic {topic_id or '(none)'} not found in group {group.gid}")
    if who.uid != topic.author and who.uid not in group.admins:
        raise ApiError(24, f"User {who.uid} is not the owner of topic {topic_id}")
    topic.deleted = True
    service.sandbox.record("ok", "mediatopic deleted", id=topic.id, gid=topic.gid)
    return {"success": True}


def _publish_ms(value: str) -> int:
    from .attachment import moscow_ms

    return moscow_ms(value)


METHODS: dict[str, Method] = {
    # A group's statistics, for its administrators (:mod:`.stats`)
    "group.getStatTopics": Method(get_stat_topics, VALUABLE | {"GROUP_CONTENT"}),
    "group.getStatTrends": Method(get_stat_trends, VALUABLE | {"GROUP_CONTENT"}),
    "users.getCurrentUser": Method(get_current_user, VALUABLE),
    "group.getInfo": Method(group_get_info, VALUABLE),
    "photosV2.getUploadUrl": Method(photos_get_upload_url, VALUABLE | {"PHOTO_CONTENT"}),
    "mediatopic.post": Method(mediatopic_post, VALUABLE),  # GROUP_CONTENT checked when gid is given
    "mediatopic.getTopics": Method(mediatopic_get_topics, VALUABLE),
    "mediatopic.deleteTopic": Method(mediatopic_delete_topic, VALUABLE | {"GROUP_CONTENT"}),
}
