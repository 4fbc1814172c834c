"""Which VK community events a watcher wants: event type names, the Long Poll ``wait``, a filter on the event.

Light on purpose (DAG files import the triggers and sensors that use it); the Long Poll calls themselves are
:mod:`.longpoll`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

MAX_WAIT = 90  # seconds a_check may hold the request (dev.vk.com)
DEFAULT_WAIT = 25
_TYPE_RE = re.compile(r"^[a-z][a-z0-9_]{1,63}$")


def check_event_types(event_types: Sequence[str]) -> list[str]:
    """The event types as VK names them (``message_new``, ``wall_reply_new``, ...), checked before any call.

    :param event_types: one or more type names.
    """
    if isinstance(event_types, str):
        event_types = [event_types]
    types = [str(t).strip() for t in event_types or ()]
    if not types:
        raise input_error("event_types", "name at least one VK event type, e.g. ['message_new']", service=SERVICE)
    bad = [t for t in types if not _TYPE_RE.match(t)]
    if bad:
        raise input_error("event_types", f"not VK event type names: {bad} (lower case, e.g. 'wall_reply_new')",
                          service=SERVICE)
    return sorted(set(types), key=types.index)


def check_wait(wait: Any) -> int:
    """``wait`` as a_check takes it: whole seconds, 1-90.

    :param wait: seconds the server may hold a check open.
    """
    if isinstance(wait, bool) or not isinstance(wait, (int, float)) or not 1 <= wait <= MAX_WAIT:
        raise input_error("wait", f"must be 1-{MAX_WAIT} seconds, got {wait!r}", service=SERVICE)
    return int(wait)


# ---------------------------------------------------------------------------------------------- which events count
def _object(update: dict[str, Any]) -> dict[str, Any]:
    obj = update.get("object")
    return obj if isinstance(obj, dict) else {}


def event_text(update: dict[str, Any]) -> str:
    """The text an event carries: a message's text, a post's or comment's text, an order's comment."""
    obj = _object(update)
    message = obj.get("message")
    if isinstance(message, dict):  # message_new (5.103+: {"message", "client_info"})
        return str(message.get("text") or "")
    return str(obj.get("text") or obj.get("comment") or "")


def _field(update: dict[str, Any], name: str) -> Any:
    obj = _object(update)
    message = obj.get("message")
    if isinstance(message, dict) and name in message:
        return message[name]
    if name == "from_id" and "from_id" not in obj:
        return obj.get("user_id")  # group_join, market_order_new: the user who acted
    return obj.get(name)


@dataclass(frozen=True)
class EventFilter:
    """Which events of the wanted types count: every given condition must hold.

    :param text_pattern: a regular expression searched in the event's text (:func:`event_text`).
    :param peer_id: the conversation (message events).
    :param post_id: the post (``wall_reply_new``: the post commented on).
    :param from_id: who acted (the sender, the commenter, the buyer, the user who joined).
    """

    text_pattern: str | None = None
    peer_id: int | None = None
    post_id: int | None = None
    from_id: int | None = None

    def __post_init__(self) -> None:
        if self.text_pattern is not None:
            try:
                re.compile(self.text_pattern)
            except re.error as exc:
                raise input_error("text_pattern", f"not a regular expression: {exc}", service=SERVICE) from None
        for name in ("peer_id", "post_id", "from_id"):
            value = getattr(self, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise input_error(name, f"must be an integer id, got {value!r}", service=SERVICE)

    def matches(self, update: dict[str, Any]) -> bool:
        """Whether ``update`` passes every condition.

        :param update: one of a_check's updates.
        """
        if self.text_pattern is not None and not re.search(self.text_pattern, event_text(update)):
            return False
        return all(getattr(self, name) is None or _field(update, name) == getattr(self, name)
                   for name in ("peer_id", "post_id", "from_id"))

    def as_dict(self) -> dict[str, Any]:
        """The conditions given (the trigger's serialized arguments)."""
        return {k: v for k, v in self.__dict__.items() if v is not None}


__all__ = ["DEFAULT_WAIT", "MAX_WAIT", "EventFilter", "check_event_types", "check_wait", "event_text"]
