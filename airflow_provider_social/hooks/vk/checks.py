"""Checks of single VK values before any request: times, texts, links, attachments and ids.

Each bad value is an input error naming the field and the rule, never a raw Python error (issue 20).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.rendered import conn_id_value
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

#: The latest unix time taken: 9999-12-31 (a larger number is milliseconds or nonsense, e.g. year 318857).
MAX_UNIX_TIME = 253402300799
MAX_ID = 2**53  # VK's ids are JSON numbers: anything larger is not an id
_ATTACHMENT_TYPES = ("photo", "video", "audio", "doc", "page", "note", "poll", "album", "market", "market_album",
                     "audio_playlist")


def unix_time(value: Any, *, field: str) -> int:
    """A datetime (aware), an ISO 8601 text with a timezone (what a templated datetime renders to) or epoch
    seconds (1 to :data:`MAX_UNIX_TIME`) as int epoch seconds; anything else is an input error naming ``field``."""
    if isinstance(value, str) and not _NUMBER_RE.match(value.strip()):
        try:
            value = datetime.fromisoformat(value.strip())
        except ValueError:
            raise input_error(field, f"expected a datetime, an ISO 8601 time with a timezone or a unix time, got "
                              f"{shown(value)}", service=SERVICE) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise input_error(field, "give a timezone-aware datetime (e.g. pendulum or tzinfo=timezone.utc)",
                              service=SERVICE)
        return int(value.timestamp())
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise input_error(field, f"expected a datetime or unix time, got {type(value).__name__} {shown(value)}",
                          service=SERVICE)
    number = float(value)
    if not 0 < number <= MAX_UNIX_TIME:  # also refuses inf and nan
        raise input_error(field, f"expected a unix time in seconds between 1 and {MAX_UNIX_TIME} (year 9999), got "
                          f"{shown(value)}", service=SERVICE)
    return int(number)


_NUMBER_RE = re.compile(r"^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^[+-]?(?:inf|infinity|nan)$", re.IGNORECASE)


def shown(value: Any, limit: int = 60) -> str:
    """``repr(value)``, cut to ``limit`` characters for an error message."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_value(value: Any, *, field: str, max_len: int) -> str | None:
    """Text for a message field: None or "" is no text; anything but a string (a dict, a number, a list) is an
    input error naming ``field``, as is text over ``max_len`` characters."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise input_error(field, f"expected text, got {type(value).__name__} {shown(value)}", service=SERVICE)
    if len(value) > max_len:
        raise input_error(field, f"at most {max_len} characters, got {len(value)}", service=SERVICE)
    return value


def check_link(value: Any, *, field: str = "link") -> str:
    """One external http(s) link (at most 2048 characters)."""
    text = value.strip() if isinstance(value, str) else ""
    if not text.startswith(("http://", "https://")) or len(text) > 2048 or any(c.isspace() for c in text):
        raise input_error(field, f"expected one http(s) URL of at most 2048 characters, got {shown(value)}",
                          service=SERVICE)
    return text


def check_attachment(value: str, *, field: str = "attachments") -> str:
    """``<type><owner_id>_<media_id>[_<access_key>]`` (e.g. ``photo-123_456``) or one http(s) link."""
    if not isinstance(value, str):
        raise input_error(field, f"expected <type><owner_id>_<media_id> such as photo-123_456, got "
                          f"{type(value).__name__} {shown(value)}", service=SERVICE)
    text = value.strip()
    if text.startswith(("http://", "https://")):
        return text
    kind = next((t for t in sorted(_ATTACHMENT_TYPES, key=len, reverse=True) if text.startswith(t)), None)
    rest = text[len(kind):] if kind else ""
    parts = rest.split("_")
    if not kind or len(parts) not in (2, 3) or not parts[0].lstrip("-").isdigit() or not parts[1].isdigit():
        raise input_error(field, f"expected <type><owner_id>_<media_id> such as photo-123_456, got {value!r}",
                          service=SERVICE)
    return text


def positive_id(value: Any, field: str) -> int:
    """A positive VK id from an int or its text; anything else is an input error naming ``field``."""
    try:
        number = int(str(value).strip()) if not isinstance(value, bool) else 0
    except ValueError:
        number = 0
    if not 0 < number < MAX_ID:
        raise input_error(field, f"expected a positive id, got {value!r}", service=SERVICE)
    return number


def check_conn_id(value: Any, field: str = "vk_conn_id") -> str:
    """A rendered connection id as Airflow allows one (a number, a list, "" or junk is an input error naming
    ``field``)."""
    return conn_id_value(value, field, service=SERVICE)


__all__ = ["MAX_ID", "MAX_UNIX_TIME", "check_attachment", "check_conn_id", "check_link", "positive_id", "shown",
           "text_value", "unix_time"]
