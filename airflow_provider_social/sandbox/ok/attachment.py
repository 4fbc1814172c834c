"""``mediatopic.post``'s ``attachment`` JSON, validated strictly (reference 3.4; apiok.ru mediatopic.post).

``{"media": [{"type": "text", "text"}, {"type": "photo", "list": [{"id": <upload token>}]}, {"type": "link",
"url"}, {"type": "poll", "question", "answers": [{"text"}], "options"}], "onBehalfOfGroup": "true"|"false",
"publishAt": "YYYY-mm-dd hh:mi:ss" (Moscow time) | "publishAtMs": <epoch ms>, "disableComments": "true"|"false"}``.
Anything else (unknown keys, empty lists, spent or foreign photo tokens, a time in the past) is refused with 100.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from .state import ApiError, OkState

if TYPE_CHECKING:
    from .api import Caller
    from .state import Group

MOSCOW = timezone(timedelta(hours=3))
TOP_KEYS = {"media", "onBehalfOfGroup", "publishAt", "publishAtMs", "disableComments"}
ITEM_KEYS = {"text": {"type", "text"}, "photo": {"type", "list"}, "link": {"type", "url"},
             "poll": {"type", "question", "answers", "options"}}
POLL_OPTIONS = {"SingleChoice", "AnonymousVoting"}  # the documented ones; others are refused (stricter)
MAX_POLL_ANSWERS = 50  # UNCONFIRMED: the docs give no limit


@dataclass
class Attachment:
    media: list[dict[str, Any]]
    on_behalf_of_group: bool = False
    publish_at: str | None = None
    photo_tokens: list[str] = field(default_factory=list)


def moscow_ms(value: str) -> int:
    try:
        when = datetime.strptime(value, "%Y-%m-%d %H:%M:%S").replace(tzinfo=MOSCOW)
    except ValueError:
        raise ApiError(100, f"Invalid attachment: publishAt {value!r} is not 'YYYY-mm-dd hh:mi:ss'") from None
    return int(when.timestamp() * 1000)


def _bad(detail: str) -> ApiError:
    return ApiError(100, f"Invalid attachment: {detail}")


def _flag(data: dict[str, Any], key: str) -> bool:
    value = data.get(key, "false")
    if value not in ("true", "false"):
        raise _bad(f"{key} must be \"true\" or \"false\"")
    return value == "true"


def validate_attachment(service: OkState, who: Caller, raw: str, group: Group | None) -> Attachment:
    try:
        data = json.loads(raw)
    except ValueError:
        raise _bad("not valid JSON") from None
    if not isinstance(data, dict):
        raise _bad("must be a JSON object")
    unknown = sorted(set(data) - TOP_KEYS)
    if unknown:
        raise _bad(f"unknown key(s) {', '.join(unknown)}")
    media = data.get("media")
    if not isinstance(media, list) or not media:
        raise _bad("media must be a non-empty list")
    result = Attachment(media=[])
    for number, item in enumerate(media):
        if not isinstance(item, dict) or item.get("type") not in ITEM_KEYS:
            raise _bad(f"media[{number}].type must be one of {', '.join(sorted(ITEM_KEYS))}")
        extra = sorted(set(item) - ITEM_KEYS[item["type"]])
        if extra:
            raise _bad(f"media[{number}] has unknown key(s) {', '.join(extra)}")
        _check_item(service, who, group, item, number, result)
        result.media.append(item)
    result.on_behalf_of_group = _flag(data, "onBehalfOfGroup")
    _flag(data, "disableComments")
    if result.on_behalf_of_group and (group is None or who.uid not in group.admins):
        raise ApiError(50, "Only a group administrator may post on behalf of the group")
    if "publishAt" in data and "publishAtMs" in data:
        raise _bad("give publishAt or publishAtMs, not both")
    if "publishAt" in data or "publishAtMs" in data:
        if "publishAt" in data:
            if not isinstance(data["publishAt"], str):
                raise _bad("publishAt must be a string 'YYYY-mm-dd hh:mi:ss'")
            at_ms = moscow_ms(data["publishAt"])
        else:
            if isinstance(data["publishAtMs"], bool) or not isinstance(data["publishAtMs"], int):
                raise _bad("publishAtMs must be an integer (epoch milliseconds)")
            at_ms = data["publishAtMs"]
        if at_ms <= service.now_ms():
            raise _bad("the publication time is in the past")
        result.publish_at = datetime.fromtimestamp(at_ms / 1000, MOSCOW).strftime("%Y-%m-%d %H:%M:%S")
    return result


def _check_item(service: OkState, who: Caller, group: Group | None, item: dict[str, Any], number: int,
                result: Attachment) -> None:
    kind = item["type"]
    where = f"media[{number}]"
    if kind == "text":
        if not isinstance(item.get("text"), str) or not item["text"].strip():
            raise _bad(f"{where}.text must be a non-empty string")
    elif kind == "link":
        url = item.get("url")
        if not isinstance(url, str) or not url.startswith(("http://", "https://")):
            raise _bad(f"{where}.url must be an http(s) URL")
    elif kind == "poll":
        if not isinstance(item.get("question"), str) or not item["question"].strip():
            raise _bad(f"{where}.question must be a non-empty string")
        answers = item.get("answers")
        if (not isinstance(answers, list) or not 2 <= len(answers) <= MAX_POLL_ANSWERS
                or not all(isinstance(a, dict) and set(a) == {"text"} and isinstance(a["text"], str)
                           and a["text"].strip() for a in answers)):
            raise _bad(f"{where}.answers must be 2-{MAX_POLL_ANSWERS} objects {{\"text\": ...}}")
        options = item.get("options", "")
        if not isinstance(options, str) or not set(filter(None, options.split(","))) <= POLL_OPTIONS:
            raise _bad(f"{where}.options must be a comma list of {', '.join(sorted(POLL_OPTIONS))}")
    elif kind == "photo":
        photos = item.get("list")
        if not isinstance(photos, list) or not photos:
            raise _bad(f"{where}.list must be a non-empty list of {{\"id\": <upload token>}}")
        for photo in photos:
            token = photo.get("id") if isinstance(photo, dict) and set(photo) == {"id"} else None
            record = service.photo_tokens.get(token) if isinstance(token, str) else None
            if record is None or token is None or record.uid != who.uid:
                raise ApiError(121, f"Invalid photo token in {where}.list")
            if record.used or token in result.photo_tokens:
                raise ApiError(121, f"Photo token in {where}.list was already used")
            if (record.gid or None) != (group.gid if group else None):
                raise ApiError(121, f"Photo in {where}.list was uploaded for another owner (gid)")
            result.photo_tokens.append(token)
