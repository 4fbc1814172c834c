"""messages.send: ``random_id`` dedupe, keyboard validation, recipients' consent.

Token kinds as VK's schema lists them (``access_token_type: ["user", "group"]``, messages/methods.json 5.199):
a community key with the ``messages`` right, or a user key with the ``messages`` scope (VK grants that scope only
to approved apps, so most user keys lack it and answer 15 "...cannot be called with current scopes."). A user key
sends as the user, or as a community it administers when ``group_id`` is given (the schema's "for group messages
with user access token"); messages from a community reach only users who allowed them (901).
"""

from __future__ import annotations

import json
from typing import Any

from .. import events
from ..errors import FLOOD_MESSAGES, VkError, missing
from ..rules import RANDOM_ID_WINDOW, flooded
from .common import acting_group
from .registry import Call, method
from .wall import attachments

MAX_MESSAGE = 4096
BUTTON_TYPES = ("text", "open_link", "location", "vkpay", "open_app", "callback")
COLORS = ("primary", "secondary", "negative", "positive")
MAX_LABEL = 40


def check_keyboard(raw: str) -> dict[str, Any]:
    """VK's bot keyboard rules (dev.vk.com/api/bots/development/keyboard): ``buttons`` is rows of buttons,
    at most 10 rows x 5 buttons and 40 in all (inline: 6 rows, 10 in all), each with a known ``action.type``,
    ``label`` (1-40 chars) where the type needs one, ``link`` for open_link, ``color`` only on text/callback."""

    def bad(why: str) -> VkError:
        return VkError(911, f"Keyboard format is invalid: {why}")

    try:
        keyboard = json.loads(raw)
    except ValueError:
        raise bad("not a JSON object") from None
    if not isinstance(keyboard, dict) or not isinstance(keyboard.get("buttons"), list):
        raise bad("buttons must be an array of rows")
    inline = bool(keyboard.get("inline", False))
    if inline and keyboard.get("one_time"):
        raise bad("one_time is not allowed for inline keyboards")
    rows = keyboard["buttons"]
    max_rows, max_total = (6, 10) if inline else (10, 40)
    if len(rows) > max_rows:
        raise bad(f"at most {max_rows} rows")
    total = 0
    for row in rows:
        if not isinstance(row, list) or len(row) > 5:
            raise bad("each row must be an array of at most 5 buttons")
        for button in row:
            total += 1
            action = button.get("action") if isinstance(button, dict) else None
            if not isinstance(action, dict) or action.get("type") not in BUTTON_TYPES:
                raise bad(f"action.type must be one of {', '.join(BUTTON_TYPES)}")
            kind = action["type"]
            if kind in ("text", "callback", "open_link", "open_app"):
                label = action.get("label")
                if not isinstance(label, str) or not 1 <= len(label) <= MAX_LABEL:
                    raise bad(f"label must be 1 to {MAX_LABEL} characters")
            if kind == "open_link" and not str(action.get("link", "")).startswith(("http://", "https://")):
                raise bad("open_link needs a link")
            if "color" in button and (kind not in ("text", "callback") or button["color"] not in COLORS):
                raise bad("color is only for text and callback buttons, one of " + ", ".join(COLORS))
            if "payload" in action and len(str(action["payload"])) > 255:
                raise bad("payload is at most 255 characters")
    if total > max_total:
        raise bad(f"at most {max_total} buttons")
    return keyboard


@method("messages.send", ("community", "user"), scope="messages", community_scope="messages")
def messages_send(call: Call) -> Any:
    p, vk = call.params, call.vk
    # The sender: the key's community, the community a user key names in group_id (admins only: 203), else the user.
    group_id = acting_group(call, p.int("group_id")) or 0
    sender = group_id or -(call.user_id or 0)
    peers: list[int] = []
    for name in ("peer_id", "user_id"):
        value = p.int(name)
        if value is not None:
            peers = [value]
            break
    peer_ids = p.int_list("peer_ids", max_count=100)
    if not peers and not peer_ids:
        raise missing("peer_id")
    # random_id is required since 5.90 ("random_id is undefined" otherwise).
    random_id = p.int("random_id", required=True)
    message = p.str("message")
    if message is not None and len(message) > MAX_MESSAGE:
        raise VkError(914, "Message is too long")
    attached = attachments(call, "attachment")
    if not message and not attached and p.int("sticker_id") is None:
        raise missing("message")
    keyboard = check_keyboard(p.str("keyboard") or "") if p.has("keyboard") else None
    if keyboard is not None and not group_id:  # keyboards are a community (bot) feature (schema error 912)
        raise VkError(912, "This is a chat bot feature, change this status in settings")
    targets = peer_ids or peers
    sent: list[dict[str, Any]] = []
    with vk.lock:
        for peer in targets:
            user = vk.users.get(peer)
            if user is None or (group_id and not user.messages_allowed):
                if not peer_ids:
                    raise VkError(901, "Can't send messages for users without permission")
                sent.append({"peer_id": peer, "error": {"code": 901,
                             "description": "Can't send messages for users without permission"}})
                continue
            key = (sender, peer, random_id or 0)
            seen = vk.random_ids.get(key) if random_id else None
            if seen is not None and seen[1] > vk.clock.now() - RANDOM_ID_WINDOW:
                sent.append({"peer_id": peer, "message_id": seen[0]})
                continue
            if flooded(vk, sender, peer):
                if not peer_ids:
                    raise VkError(9, FLOOD_MESSAGES)
                sent.append({"peer_id": peer, "error": {"code": 9, "description": FLOOD_MESSAGES}})
                continue
            message_id = vk.next_id("message")
            vk.messages.append({"id": message_id, "group_id": group_id or None,
                                "from_id": -group_id if group_id else call.user_id, "peer_id": peer,
                                "text": message or "",
                                "attachments": attached, "keyboard": keyboard, "random_id": random_id,
                                "date": int(vk.clock.now())})
            events.message_sent(vk, vk.messages[-1])
            if random_id:
                vk.random_ids[key] = (message_id, vk.clock.now())
            sent.append({"peer_id": peer, "message_id": message_id})
    if vk.sandbox is not None:
        for item in sent:
            if "message_id" in item:
                vk.sandbox.record("vk", "message", peer_id=item["peer_id"], message_id=item["message_id"])
    if peer_ids:
        return sent  # schema messages_send_user_ids_response
    return sent[0]["message_id"]


