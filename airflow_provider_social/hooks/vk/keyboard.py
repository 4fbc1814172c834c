"""Bot keyboards for community messages: a small builder (the original library's ``FormKeyboard``) and the one check
every keyboard passes before ``messages.send``.

VK's rules (dev.vk.com/ru/api/bots/development/keyboard): a keyboard is rows of buttons; a standard keyboard (under
the input field) is at most 5 x 10 with at most 40 buttons, an inline one (inside the message) at most 5 x 6 with at
most 10 buttons and no ``one_time``; ``one_time`` hides the keyboard after a text or location button is pressed. A
``text`` button sends its label, a ``callback`` button sends an event to the bot, an ``open_link`` button opens its
``link``; ``color`` (``primary``, ``secondary``, ``negative``, ``positive``) applies to text and callback buttons
only; a ``payload`` is a JSON text of at most 255 characters; labels are 1 to 40 characters (the sandbox's reading
of VK's limit; VK cuts a longer label on screen and refuses it in the API: UNCONFIRMED which). VK answers error 911
"Keyboard format is invalid" otherwise; here the same rules are checked before any request, naming the rule.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlsplit

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

MAX_BUTTONS_PER_ROW = 5
MAX_ROWS, MAX_BUTTONS = 10, 40
MAX_INLINE_ROWS, MAX_INLINE_BUTTONS = 6, 10
MAX_LABEL = 40
MAX_PAYLOAD = 255
COLORS = ("primary", "secondary", "negative", "positive")
BUTTON_TYPES = ("text", "open_link", "location", "vkpay", "open_app", "callback")
LABELLED = ("text", "callback", "open_link", "open_app")


def _bad(problem: str) -> Exception:
    return input_error("keyboard", problem, service=SERVICE)


def payload_text(payload: Any) -> str | None:
    """A button's payload as VK takes it: a JSON text (a dict or list is encoded), at most 255 characters."""
    if payload is None:
        return None
    if isinstance(payload, str):
        try:
            json.loads(payload)
        except ValueError:
            raise _bad(f"a payload must be JSON (a dict, or its JSON text), got {payload!r:.60}") from None
        text = payload
    elif isinstance(payload, (Mapping, list)):
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
    else:
        raise _bad(f"a payload must be a dict or its JSON text, got {type(payload).__name__}")
    if len(text) > MAX_PAYLOAD:
        raise _bad(f"a payload is at most {MAX_PAYLOAD} characters, got {len(text)}")
    return text


def check_keyboard(keyboard: Any) -> dict[str, Any]:
    """Check a keyboard against VK's rules; return it as a plain dict (a :class:`Keyboard` is built first).

    :param keyboard: a :class:`Keyboard` or ``{"one_time", "inline", "buttons": [[{"action": {...}, "color"}]]}``.
    """
    if isinstance(keyboard, Keyboard):
        return keyboard.to_dict()
    rows = keyboard.get("buttons") if isinstance(keyboard, Mapping) else None
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise _bad("expected {'buttons': [[button, ...], ...]}")
    inline = keyboard.get("inline", False)
    one_time = keyboard.get("one_time", False)
    if not isinstance(inline, bool) or not isinstance(one_time, bool):
        raise _bad("inline and one_time are True or False")
    if inline and one_time:
        raise _bad("one_time is not allowed for inline keyboards")
    max_rows, max_total = (MAX_INLINE_ROWS, MAX_INLINE_BUTTONS) if inline else (MAX_ROWS, MAX_BUTTONS)
    kind = "an inline" if inline else "a"
    if len(rows) > max_rows:
        raise _bad(f"{kind} keyboard has at most {max_rows} rows, got {len(rows)}")
    if any(len(row) > MAX_BUTTONS_PER_ROW for row in rows):
        raise _bad(f"a row has at most {MAX_BUTTONS_PER_ROW} buttons")
    total = sum(len(row) for row in rows)
    if total > max_total:
        raise _bad(f"{kind} keyboard has at most {max_total} buttons, got {total}")
    for row in rows:
        for button in row:
            _check_button(button)
    return {**keyboard}


def _check_button(button: Any) -> None:
    action = button.get("action") if isinstance(button, Mapping) else None
    if not isinstance(action, Mapping):
        raise _bad(f"every button needs an 'action' object, got {button!r:.80}")
    kind = action.get("type")
    if kind not in BUTTON_TYPES:
        raise _bad(f"action.type must be one of {', '.join(BUTTON_TYPES)}, got {kind!r:.40}")
    if kind in LABELLED:
        label = action.get("label")
        if not isinstance(label, str) or not 1 <= len(label) <= MAX_LABEL:
            raise _bad(f"a {kind} button's label is 1 to {MAX_LABEL} characters, got {label!r:.60}")
    if kind == "open_link":
        link = action.get("link")
        parts = urlsplit(link) if isinstance(link, str) else None
        if parts is None or parts.scheme not in ("http", "https") or not parts.netloc:
            raise _bad(f"an open_link button needs an http(s) link, got {link!r:.80}")
    if "color" in button and (kind not in ("text", "callback") or button["color"] not in COLORS):
        raise _bad(f"color is only for text and callback buttons, one of {', '.join(COLORS)}")
    if action.get("payload") is not None:
        payload_text(action["payload"])


class Keyboard:
    """A bot keyboard built row by row; pass it as ``keyboard=`` to ``VkHook.send_message``,
    ``VkSendMessageOperator`` or ``VkNotifier`` (or ``to_dict()`` for a plain dict)::

        kb = Keyboard(one_time=True).text("Yes", color="positive").text("No", color="negative")
        kb.row().link("Open the report", "https://example.com/report").callback("Refresh", payload={"cmd": "r"})

    Each button is checked when it is added, and each limit when it would be passed, naming the rule.

    :param one_time: hide the keyboard after a text button is pressed (standard keyboards only).
    :param inline: show the keyboard inside the message (at most 6 rows and 10 buttons).
    """

    def __init__(self, *, one_time: bool = False, inline: bool = False) -> None:
        if not isinstance(one_time, bool) or not isinstance(inline, bool):
            raise _bad("one_time and inline are True or False")
        if inline and one_time:
            raise _bad("one_time is not allowed for inline keyboards")
        self.one_time = one_time
        self.inline = inline
        self.rows: list[list[dict[str, Any]]] = [[]]

    @classmethod
    def from_labels(cls, labels: Sequence[str | Sequence[str]], *, one_time: bool = False,
                    inline: bool = False) -> Keyboard:
        """Text buttons from labels, as the original's ``FormKeyboard``: each item a label (a row of its own) or
        a list of labels (one row).

        :param labels: ``["Yes", "No"]`` (two rows) or ``[["Yes", "No"], ["Later"]]``.
        :param one_time: hide after a press.
        :param inline: inside the message.
        """
        if isinstance(labels, str) or not isinstance(labels, Sequence) or not labels:
            raise _bad("labels: a non-empty list of labels or of rows of labels")
        keyboard = cls(one_time=one_time, inline=inline)
        for index, row in enumerate(labels):
            if index:
                keyboard.row()
            for label in [row] if isinstance(row, str) else row:
                keyboard.text(label)
        return keyboard

    @property
    def max_rows(self) -> int:
        return MAX_INLINE_ROWS if self.inline else MAX_ROWS

    @property
    def max_buttons(self) -> int:
        return MAX_INLINE_BUTTONS if self.inline else MAX_BUTTONS

    def row(self) -> Keyboard:
        """Start a new row (an empty current row is reused)."""
        if self.rows[-1]:
            if len(self.rows) >= self.max_rows:
                kind = "an inline" if self.inline else "a"
                raise _bad(f"{kind} keyboard has at most {self.max_rows} rows")
            self.rows.append([])
        return self

    def text(self, label: str, *, payload: Any = None, color: str = "secondary") -> Keyboard:
        """A button that sends its label as the user's message.

        :param label: 1 to 40 characters.
        :param payload: a dict (or its JSON text) the bot receives with the message; at most 255 characters.
        :param color: ``primary``, ``secondary`` (default), ``negative`` or ``positive``.
        """
        return self._add({"action": {"type": "text", "label": label, **self._payload(payload)}, "color": color})

    def callback(self, label: str, *, payload: Any = None, color: str = "secondary") -> Keyboard:
        """A button that sends an event to the bot (``message_event``) instead of a message.

        :param label: 1 to 40 characters.
        :param payload: a dict (or its JSON text), at most 255 characters.
        :param color: as for :meth:`text`.
        """
        return self._add({"action": {"type": "callback", "label": label, **self._payload(payload)}, "color": color})

    def link(self, label: str, url: str, *, payload: Any = None) -> Keyboard:
        """A button that opens ``url``.

        :param label: 1 to 40 characters.
        :param url: an http(s) URL.
        :param payload: a dict (or its JSON text), at most 255 characters.
        """
        return self._add({"action": {"type": "open_link", "label": label, "link": url, **self._payload(payload)}})

    def to_dict(self) -> dict[str, Any]:
        """The keyboard as VK takes it (checked again as a whole)."""
        rows = [list(row) for row in self.rows if row]
        keyboard: dict[str, Any] = {"buttons": rows, "inline": self.inline}
        if not self.inline:
            keyboard["one_time"] = self.one_time
        return check_keyboard(keyboard)

    def _payload(self, payload: Any) -> dict[str, str]:
        text = payload_text(payload)
        return {} if text is None else {"payload": text}

    def _add(self, button: dict[str, Any]) -> Keyboard:
        if len(self.rows[-1]) >= MAX_BUTTONS_PER_ROW:
            raise _bad(f"a row has at most {MAX_BUTTONS_PER_ROW} buttons; call row() to start another")
        if sum(len(row) for row in self.rows) >= self.max_buttons:
            kind = "an inline" if self.inline else "a"
            raise _bad(f"{kind} keyboard has at most {self.max_buttons} buttons")
        _check_button(button)
        self.rows[-1].append(button)
        return self

    def __repr__(self) -> str:
        return f"Keyboard(rows={[len(r) for r in self.rows if r]}, one_time={self.one_time}, inline={self.inline})"


__all__ = ["COLORS", "Keyboard", "MAX_LABEL", "MAX_PAYLOAD", "check_keyboard", "payload_text"]
