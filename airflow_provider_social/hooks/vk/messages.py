"""Community messages (community token), short links, and users' online status (seed 003).

``messages.send`` carries a ``random_id`` ("unique identifier to avoid resending the message", schema): the same
id is not delivered twice, so the notifier and the operator pass one derived from the task instance.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.checks import check_attachment, text_value
from airflow_provider_social.hooks.vk.connection import parse_group_id
from airflow_provider_social.hooks.vk.keyboard import Keyboard, check_keyboard
from airflow_provider_social.hooks.vk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi

# The schema says maxLength 9000 for messages.send's message, but VK answers error 914 "Message is too long" above
# 4096 characters, and clients split long texts at 4096 (UNCONFIRMED by VK's docs); the stricter limit is checked.
MAX_MESSAGE = 4096
USERS_PER_CALL = 1000  # users.get user_ids maxItems
INT32_MAX = 2**31 - 1
#: A user id, or a screen name (letters, digits, ``_`` and ``.``; at most 32 characters).
_USER_RE = re.compile(r"^(?:[1-9][0-9]{0,15}|[A-Za-z][A-Za-z0-9_.]{0,31})$")


def check_user_id(value: Any, *, field: str = "user_id") -> str:
    """A user id (positive number) or screen name as text; anything else is an input error naming ``field``."""
    text = str(value).strip() if isinstance(value, (str, int)) and not isinstance(value, bool) else ""
    if not _USER_RE.match(text):
        raise input_error(field, f"expected a user id (a positive number) or a screen name, got {value!r:.80}",
                          service=SERVICE)
    return text


class VkMessages:
    """Community messages, short links and users.

    :param api: the VK API client.
    """

    def __init__(self, api: VkApi) -> None:
        self.api = api

    def send_message(self, peer_id: int | str, message: str | None = None, *,
                     keyboard: Mapping[str, Any] | Keyboard | None = None,
                     attachments: Sequence[str] = (), random_id: int | None = None, token: str | None = None,
                     group_id: Any = None) -> dict[str, Any]:
        """Send a message from the community (community token) to a user or chat.

        :param peer_id: the user id (who wrote to the community or allowed its messages) or a chat peer id.
        :param message: the text (at most 9000 characters); required without attachments.
        :param keyboard: a bot keyboard: a :class:`~airflow_provider_social.hooks.vk.keyboard.Keyboard` or
            ``{"one_time": bool, "inline": bool, "buttons": [[{"action": {...}, "color": ...}]]}``, checked against
            VK's limits (community messages only).
        :param attachments: existing objects (``photo-1_2``, ``doc-1_5``).
        :param random_id: the no-double-send key (int32); a random one when omitted.
        :param token: ``"community"`` (default) or ``"user"``: VK also takes a user token that has the
            ``messages`` scope (granted to approved apps only); it sends as the user.
        :param group_id: with a user token, send as this community (the user must administer it).
        """
        peer = str(peer_id).strip() if isinstance(peer_id, (str, int)) and not isinstance(peer_id, bool) else ""
        if not re.match(r"^-?[0-9]{1,16}$", peer) or int(peer) == 0:
            raise input_error("peer_id", f"expected a numeric user or chat id, got {peer_id!r:.80}", service=SERVICE)
        message = text_value(message, field="message", max_len=MAX_MESSAGE)
        attachments = [check_attachment(a) for a in attachments]
        if not message and not attachments:
            raise input_error("message", "give a message or attachments", service=SERVICE)
        if keyboard is not None:
            keyboard = check_keyboard(keyboard)
        if group_id not in (None, "") and token != "user":
            raise input_error("group_id", "is only sent with token='user' (a community token sends as its own "
                              "community)", service=SERVICE)
        if keyboard is not None and token == "user" and group_id in (None, ""):
            raise input_error("keyboard", "keyboards are a community feature: send with the community token or "
                              "give group_id", service=SERVICE)
        gid = parse_group_id(group_id) if group_id not in (None, "") else None
        if random_id is None:
            random_id = secrets.randbelow(INT32_MAX)
        elif not isinstance(random_id, int) or not -INT32_MAX <= random_id <= INT32_MAX:
            raise input_error("random_id", "must be a 32-bit integer", service=SERVICE)
        answer = self.api.call("messages.send", token=token, peer_id=int(peer), message=message, keyboard=keyboard,
                           group_id=gid,
                           attachment=list(attachments) or None, random_id=random_id,
                           idempotent=True)  # the random_id makes a repeat harmless
        message_id = answer if isinstance(answer, int) else (answer[0].get("message_id") if answer else None)
        return {"message_id": message_id, "peer_id": int(peer), "random_id": random_id}

    def shorten_link(self, url: str, *, private: bool = False) -> dict[str, Any]:
        """``utils.getShortLink``: ``{"short_url", "key", "url", "access_key"?}``.

        :param url: the http(s) URL to shorten.
        :param private: keep the link's statistics private.
        """
        if not str(url).startswith(("http://", "https://")):
            raise input_error("url", f"expected an http(s) URL, got {url!r}", service=SERVICE)
        return dict(self.api.call("utils.getShortLink", url=url, private=private))

    # ---------------------------------------------------------------------------------------------- users
    def get_users(self, user_ids: Sequence[int | str], *, fields: Sequence[str] = (),
                  token: str | None = None) -> list[dict[str, Any]]:
        """``users.get`` for any number of ids: 1000 per call, several calls packed into ``execute``.

        :param user_ids: user ids or screen names, any number (1000 per call; more go through ``execute``).
        :param fields: extra user fields, e.g. ``online``, ``last_seen``.
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind.
        """
        if isinstance(user_ids, (str, bytes, int)):
            raise input_error("user_ids", f"expected a list of user ids, got {user_ids!r:.80}", service=SERVICE)
        ids = [check_user_id(u, field="user_ids") for u in user_ids]
        if not ids:
            raise input_error("user_ids", "give at least one user id", service=SERVICE)
        chunks = [ids[i : i + USERS_PER_CALL] for i in range(0, len(ids), USERS_PER_CALL)]
        wanted = list(fields) or None
        if len(chunks) == 1:
            return list(self.api.call("users.get", token=token, user_ids=chunks[0], fields=wanted))
        users: list[dict[str, Any]] = []
        for result in self.api.batch([("users.get", {"user_ids": c, "fields": wanted}) for c in chunks], token=token):
            users.extend(result.result())
        return users

    def user_status(self, user_id: int | str) -> dict[str, Any]:
        """The user's ``online`` and ``last_seen`` (``users.get``); an unknown user is an input error.

        :param user_id: the user's id or screen name.
        """
        users = self.get_users([check_user_id(user_id)], fields=("online", "last_seen"))
        if not users:
            raise input_error("user_id", f"VK knows no user {user_id!r}", service=SERVICE)
        return users[0]

    def is_user_online(self, user_id: int | str) -> bool:
        """Whether the user is online now (``users.get`` with ``fields=online``).

        :param user_id: the user's id.
        """
        return bool(self.user_status(user_id).get("online"))

    def get_last_seen(self, user_id: int | str) -> dict[str, Any] | None:
        """``{"time": unix time, "platform": int}`` of the user's last visit, or None when hidden.

        :param user_id: the user's id.
        """
        seen = self.user_status(user_id).get("last_seen")
        return dict(seen) if isinstance(seen, Mapping) else None


__all__ = ["MAX_MESSAGE", "VkMessages", "check_keyboard", "check_user_id"]
