"""groups.getMembers and wall.getComments: offset pages with the schema's ``count`` maxima (5.199).

``groups.getMembers``: ``count`` 0..1000 (default 1000), ``offset`` >= 0, ``sort`` ``id_asc`` (default),
``id_desc``, ``time_asc``/``time_desc`` (a moderator's only); answers ``{"count", "items"}`` with ids, or user
objects when ``fields`` are given. ``wall.getComments``: ``count`` 0..100 (default 10), ``sort`` ``asc`` (default)
or ``desc``, ``thread_items_count`` 0..10; answers the post's top level (``current_level_count``) with each
comment's ``thread``; ``count`` counts the replies too. An offset past the end answers an empty page with the
count, as VK does. (``wall.get`` and ``market.getGroupOrders`` page the same way in :mod:`.wall` and
:mod:`.market_catalog`.)
"""

from __future__ import annotations

from typing import Any

from ..errors import VkError, invalid
from .common import group_of
from .registry import Call, method
from .wall import _find_post, _published

MEMBER_SORTS = ("id_asc", "id_desc", "time_asc", "time_desc")


def _member_view(call: Call, member: int, fields: list[str]) -> Any:
    if not fields:
        return member
    user = call.vk.users.get(member)
    first, last = (user.first_name, user.last_name) if user is not None else ("Member", str(member))
    return {"id": member, "first_name": first, "last_name": last, "can_access_closed": True, "is_closed": False}


@method("groups.getMembers", ("user", "community"))
def groups_get_members(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    group_id = p.int("group_id", lo=1)
    if group_id is None and call.token.kind == "community":
        group_id = call.token.group_id
    group = group_of(call, group_id)
    sort = p.str("sort") or "id_asc"
    if sort not in MEMBER_SORTS:
        raise invalid("sort")
    if sort.startswith("time"):
        moderator = (call.token.group_id == group.id if call.token.kind == "community"
                     else call.user_id in group.admins)
        if not moderator:
            raise VkError(15, "Access denied: sort by time is available to the community's moderators")
    offset = p.int("offset", lo=0) or 0
    count = p.int("count", lo=0, hi=1000)
    count = 1000 if count is None else count
    fields = p.str_list("fields")
    with vk.lock:
        members = vk.history.members(group.id, sort)
        page = members[offset : offset + count]
        return {"count": len(members), "items": [_member_view(call, m, fields) for m in page]}


def _comment_view(comment: dict[str, Any], replies: list[dict[str, Any]], thread_items: int,
                  need_likes: bool) -> dict[str, Any]:
    view = {k: v for k, v in comment.items() if not k.startswith("_")}
    view["thread"] = {"count": len(replies), "can_post": True, "show_reply_button": True, "groups_can_post": True}
    if thread_items:
        view["thread"]["items"] = [{k: v for k, v in r.items() if not k.startswith("_")}
                                   for r in replies[:thread_items]]
    if need_likes:
        view["likes"] = {"count": comment["id"] * 3 % 17, "user_likes": 0, "can_like": 1}
    return view


@method("wall.getComments", ("user",), scope="wall")
def wall_get_comments(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    owner_id = p.int("owner_id")
    owner_id = call.user_id if owner_id is None else owner_id
    post_id = p.req_int("post_id", lo=1)
    offset = p.int("offset", lo=0) or 0
    count = p.int("count", lo=0, hi=100)
    count = 10 if count is None else count
    sort = p.str("sort") or "asc"
    if sort not in ("asc", "desc"):
        raise invalid("sort")
    thread_items = p.int("thread_items_count", lo=0, hi=10) or 0
    with vk.lock:
        post = _find_post(call, owner_id or 0, post_id)
        if post is None or not _published(call, post):
            raise invalid("post_id")
        comments = [c for c in vk.history.comments_of(owner_id or 0, post_id) if not c.get("deleted")]
        top = [c for c in comments if not c["parents_stack"]]
        if sort == "desc":
            top = top[::-1]
        items = []
        for comment in top[offset : offset + count]:
            replies = [c for c in comments if c["parents_stack"][:1] == [comment["id"]]]
            items.append(_comment_view(comment, replies, thread_items, p.flag("need_likes")))
        return {"count": len(comments), "current_level_count": len(top), "items": items, "can_post": True,
                "show_reply_button": True, "groups_can_post": True}
