"""The objects of Long Poll events (5.199 shapes), built from the sandbox's state.

Writes call :func:`post_created`, :func:`comment_created`, :func:`message_sent`; the control API calls
:func:`control_object` for what happens outside the API (a user writes to the community, buys, joins).
"""

from __future__ import annotations

from typing import Any

#: The VK state (``VkState``); typed loosely: the state module builds the Long Poll state, which imports this one.
VkState = Any

#: ``client_info`` of a message_new (what the user's client can show), as VK sends it for the web client.
CLIENT_INFO = {"button_actions": ["text", "vkpay", "open_app", "location", "open_link", "callback",
                                  "intent_subscribe", "intent_unsubscribe"],
               "keyboard": True, "inline_keyboard": True, "carousel": True, "lang_id": 0}


def emit(vk: VkState, group_id: int, kind: str, obj: dict[str, Any]) -> None:
    """Queue an event from one of the sandbox's own writes (nothing when the community does not send ``kind``)."""
    vk.longpoll.emit(group_id, kind, obj)


def public(obj: dict[str, Any]) -> dict[str, Any]:
    """An object without the sandbox's bookkeeping keys (``_guid`` and the like)."""
    return {k: v for k, v in obj.items() if not k.startswith("_")}


def _message(message: dict[str, Any], *, out: int) -> dict[str, Any]:
    return {"date": message["date"], "from_id": message["from_id"], "id": message["id"], "out": out,
            "attachments": list(message.get("attachments") or []), "conversation_message_id": message["id"],
            "fwd_messages": [], "important": False, "is_hidden": False, "peer_id": message["peer_id"],
            "random_id": message.get("random_id") or 0, "text": message.get("text", "")}


def post_object(post: dict[str, Any]) -> dict[str, Any]:
    """The object of ``wall_post_new``: the published post."""
    return {**public(post), "post_type": "post"}


def post_created(vk: VkState, post: dict[str, Any]) -> None:
    """``wall_post_new`` for a post published on a community wall (a postponed one: when its date comes,
    :meth:`~.longpoll.LongPollState.schedule`)."""
    if post["owner_id"] < 0:
        emit(vk, -post["owner_id"], "wall_post_new", post_object(post))


def comment_created(vk: VkState, comment: dict[str, Any]) -> None:
    """``wall_reply_new`` for a comment under a community post."""
    if comment["owner_id"] < 0:
        emit(vk, -comment["owner_id"], "wall_reply_new", {**public(comment), "post_owner_id": comment["owner_id"]})


def message_sent(vk: VkState, message: dict[str, Any]) -> None:
    """``message_reply`` for a message the community sent."""
    if message.get("group_id"):
        emit(vk, message["group_id"], "message_reply", _message(message, out=1))


def control_object(vk: VkState, group_id: int, kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """The object of an event the control API injects; writes what the event says happened into the state.

    ``message_new``: ``from_id`` (a sandbox user), ``text``; ``market_order_new``: ``user_id``, ``amount``
    (kopecks), other order fields; ``group_join`` / ``group_leave``: ``user_id``; any other type: ``object``.
    """
    if kind == "message_new":
        user_id = spec.get("from_id", 2)
        if user_id not in vk.users:
            raise ValueError(f"'from_id' must be a sandbox user, got {user_id!r}")
        message = {"id": vk.next_id("message"), "group_id": group_id, "from_id": user_id, "peer_id": user_id,
                   "text": str(spec.get("text", "")), "attachments": [], "date": int(vk.clock.now()),
                   "incoming": True}
        vk.messages.append(message)
        return {"message": _message(message, out=0), "client_info": dict(CLIENT_INFO)}
    if kind == "market_order_new":
        order_spec = {k: v for k, v in spec.items() if k not in ("type",)}
        order_spec.setdefault("user_id", 2)
        order_spec.setdefault("amount", 10000)
        order_spec["group_id"] = group_id
        vk.shop._add_order(order_spec)
        return dict(vk.shop.orders[-1])
    if kind in ("group_join", "group_leave"):
        user_id = spec.get("user_id", 3)
        if user_id not in vk.users:
            raise ValueError(f"'user_id' must be a sandbox user, got {user_id!r}")
        members = vk.groups[group_id].members
        (members.add if kind == "group_join" else members.discard)(user_id)
        return {"user_id": user_id, "join_type": "join"} if kind == "group_join" else {"user_id": user_id, "self": 1}
    obj = spec.get("object")
    if not isinstance(obj, dict):
        raise ValueError(f"a {kind} event needs its 'object' (a mapping)")
    return obj
