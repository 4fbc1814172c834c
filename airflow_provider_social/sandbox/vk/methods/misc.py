"""users.get, groups.getById, groups.isMember, utils.getShortLink, stats.get, stats.getPostReach."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from ..errors import VkError, invalid, missing
from ..state import Group, User
from .common import group_of
from .registry import Call, method

MAX_USER_IDS = 1000
MAX_REACH_POSTS = 30
ONLINE_WINDOW = 300  # seconds: "online" when last seen within 5 minutes
_SCREEN_RE = re.compile(r"^(?:club|public|event)(\d+)$")
_WEEK, _MONTH = 7 * 86400, 30 * 86400


def _user_view(call: Call, user: User | None, uid: int, fields: list[str]) -> dict[str, Any]:
    if user is None:  # VK answers unknown ids with a deleted-profile stub
        return {"id": uid, "first_name": "DELETED", "last_name": "", "deactivated": "deleted",
                "can_access_closed": True, "is_closed": False}
    view: dict[str, Any] = {"id": user.id, "first_name": user.first_name, "last_name": user.last_name,
                            "can_access_closed": True, "is_closed": False}
    now = call.vk.clock.now()
    if "screen_name" in fields:
        view["screen_name"] = user.screen_name
    if "online" in fields or "online_info" in fields:
        view["online"] = int(user.online)
        if user.online and user.online_mobile:
            view["online_mobile"] = 1
    if "online_info" in fields:
        age = now - user.last_seen
        status = ("recently" if age < 86400 else "last_week" if age < _WEEK
                  else "last_month" if age < _MONTH else "long_ago")
        info: dict[str, Any] = {"visible": True, "is_online": user.online, "is_mobile": user.online_mobile}
        if not user.online:
            info.update(last_seen=int(user.last_seen), status=status)
        view["online_info"] = info
    if "last_seen" in fields:
        view["last_seen"] = {"time": int(now if user.online else user.last_seen), "platform": user.platform}
    return view


@method("users.get", ("user", "community"))
def users_get(call: Call) -> list[dict[str, Any]]:
    p, vk = call.params, call.vk
    raw = p.str_list("user_ids")
    if len(raw) > MAX_USER_IDS:
        raise invalid("user_ids", f"is too long (at most {MAX_USER_IDS} ids)")
    fields = p.str_list("fields")
    if not raw:
        if call.token.kind != "user":
            return []  # a community key is nobody: VK answers an empty list
        raw = [str(call.user_id)]
    views = []
    for item in raw:
        if item.isdigit() and int(item) > 0:
            uid = int(item)
            views.append(_user_view(call, vk.users.get(uid), uid, fields))
            continue
        user = next((u for u in vk.users.values() if u.screen_name == item), None)
        if user is None:
            raise VkError(113, "Invalid user id")
        views.append(_user_view(call, user, user.id, fields))
    return views


def _find_group(call: Call, ref: str) -> Group | None:
    match = _SCREEN_RE.match(ref)
    if ref.lstrip("-").isdigit():
        return call.vk.groups.get(abs(int(ref)))
    if match:
        return call.vk.groups.get(int(match.group(1)))
    return next((g for g in call.vk.groups.values() if g.screen_name == ref), None)


def _group_view(call: Call, group: Group, fields: list[str]) -> dict[str, Any]:
    view: dict[str, Any] = {"id": group.id, "name": group.name, "screen_name": group.screen_name,
                            "is_closed": 0, "type": "group",
                            "photo_50": "https://vk.ru/images/community_50.png"}
    token = call.token
    if token.kind == "user":
        admin = call.user_id in group.admins
        view["is_admin"] = int(admin)
        if admin:
            view["admin_level"] = 3
        view["is_member"] = int(call.user_id in group.members)
    if "can_post" in fields:
        view["can_post"] = int(token.kind == "user" and call.user_id in group.admins)
    if "members_count" in fields:
        view["members_count"] = len(group.members)
    return view


@method("groups.getById", ("user", "community"))
def groups_get_by_id(call: Call) -> dict[str, Any]:
    p = call.params
    refs = p.str_list("group_ids", max_count=500) or p.str_list("group_id")
    if not refs:
        if call.token.kind != "community":
            raise missing("group_ids")
        refs = [str(call.token.group_id)]
    groups = []
    for ref in refs:
        group = _find_group(call, ref)
        if group is None:
            raise invalid("group_ids")
        groups.append(_group_view(call, group, p.str_list("fields")))
    return {"groups": groups, "profiles": []}  # 5.199 shape (schema groups_getById_object_response)


@method("groups.isMember", ("user", "community"))
def groups_is_member(call: Call) -> Any:
    p = call.params
    ref = p.str("group_id", required=True) or ""
    group = _find_group(call, ref)
    if group is None:
        raise invalid("group_id")
    extended = p.flag("extended")
    user_ids = p.int_list("user_ids", max_count=500)
    if user_ids:
        return [{"member": int(uid in group.members), "user_id": uid} for uid in user_ids]
    uid = p.int("user_id", lo=1)
    if uid is None:
        if call.token.kind != "user":
            raise missing("user_id")
        uid = call.user_id
    member = int(uid in group.members)
    return {"member": member} if extended else member


@method("utils.getShortLink", ("user", "community"))
def get_short_link(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    url = p.str("url", required=True, max_len=4096) or ""
    if not re.match(r"^(https?://)?[^\s/]+\.[^\s]+$", url):
        raise invalid("url")
    key = hashlib.sha256(url.encode()).hexdigest()[:6]
    link = {"short_url": f"https://vk.cc/{key}", "url": url, "key": key}
    if p.flag("private"):
        link["access_key"] = hashlib.sha256(("a" + url).encode()).hexdigest()[:10]
    with vk.lock:
        vk.short_links[key] = link
    return dict(link)


def _number(*parts: object, lo: int = 10, hi: int = 1000) -> int:
    """A stable pseudo-random statistic for the given key."""
    digest = hashlib.sha256("|".join(map(str, parts)).encode()).digest()
    return lo + int.from_bytes(digest[:4], "big") % (hi - lo)


@method("stats.get", ("user",), scope="stats")
def stats_get(call: Call) -> list[dict[str, Any]]:
    p = call.params
    group_id = p.int("group_id", lo=1)
    if group_id is None:
        raise missing("group_id")
    group = group_of(call, group_id)
    if call.user_id not in group.admins:
        raise VkError(15, "Access denied: no access to this group statistics")
    interval = p.str("interval") or "day"
    steps = {"day": 86400, "week": _WEEK, "month": _MONTH, "year": 365 * 86400}
    if interval not in (*steps, "all"):
        raise invalid("interval")
    now = int(call.vk.clock.now())
    t_from = p.int("timestamp_from", lo=0)
    t_to = p.int("timestamp_to", lo=0) or now
    count = p.int("intervals_count", lo=1, hi=100)
    if t_from is not None and t_from > t_to:
        raise invalid("timestamp_from")
    step = steps.get(interval, max(t_to - (t_from or 0), 1))
    start = t_from if t_from is not None else t_to - step * (count or 1)
    periods: list[dict[str, Any]] = []
    cursor = start - start % 86400 if interval != "all" else start
    while cursor < t_to and len(periods) < (count or 100):
        end = min(cursor + step, t_to) if interval == "all" else cursor + step
        views = _number(group.id, cursor, "views")
        periods.append({
            "period_from": cursor, "period_to": end,
            "visitors": {"views": views, "visitors": views // 2},
            "reach": {"reach": views * 3, "reach_subscribers": views, "mobile_reach": views * 2},
            "activity": {"likes": _number(group.id, cursor, "likes", lo=0, hi=100),
                         "comments": _number(group.id, cursor, "comments", lo=0, hi=30),
                         "copies": _number(group.id, cursor, "copies", lo=0, hi=10),
                         "subscribed": _number(group.id, cursor, "sub", lo=0, hi=10),
                         "unsubscribed": _number(group.id, cursor, "unsub", lo=0, hi=5)},
        })
        cursor = end
    return list(reversed(periods))


@method("stats.getPostReach", ("user",), scope="stats")
def stats_get_post_reach(call: Call) -> list[dict[str, Any]]:
    p, vk = call.params, call.vk
    owner_ref = p.str("owner_id", required=True) or ""
    owner_id = int(owner_ref) if owner_ref.lstrip("-").isdigit() else None
    if owner_id is None or owner_id >= 0 or -owner_id not in vk.groups:
        raise invalid("owner_id")
    if call.user_id not in vk.groups[-owner_id].admins:
        raise VkError(15, "Access denied: no access to this group statistics")
    post_ids = p.int_list("post_ids", required=True, max_count=MAX_REACH_POSTS)
    result = []
    with vk.lock:
        for post_id in post_ids:
            post = vk.posts.get((owner_id, post_id))
            if post is None or post.get("deleted") or post["date"] > vk.clock.now():
                raise VkError(210, "Access to wall's post denied")
            total = _number(owner_id, post_id, "reach", lo=100, hi=5000)
            subscribers = total * 2 // 3
            result.append({
                "post_id": post_id, "reach_subscribers": subscribers, "reach_total": total,
                "reach_viral": total - subscribers, "reach_ads": 0,
                "links": _number(owner_id, post_id, "links", lo=0, hi=50),
                "to_group": _number(owner_id, post_id, "to_group", lo=0, hi=20),
                "join_group": _number(owner_id, post_id, "join", lo=0, hi=10),
                "report": 0, "hide": _number(owner_id, post_id, "hide", lo=0, hi=5), "unsubscribe": 0,
            })
    return result


