"""Video recognition: a task per video file or RTSP stream, its results read by time, the task stopped.

From VK Cloud's docs (``vk-cs/docs-public``, ``ml/vision/vision-video/vision-api-video`` and
``vision-start/vision-process``, English and Russian): three JSON calls under ``api_base_url`` with the same
credentials and envelope (``status``, ``body``) as the image calls —

- ``POST /api/v1/video/subscribe`` ``{"video": [{"name", "link", "rtsp_login", "rtsp_password", "actions"}]}``:
  ``link`` is an ``http(s)://`` video file (at most 2 GB) or an ``rtsp://`` stream; ``actions`` from ``fd`` (faces),
  ``sd`` (scenes), ``od`` (objects), ``ad`` (attractions), ``pd`` (people); the answer ``subscribed: [{"status",
  "error", "name", "id"}]`` (status 0 done, 1 permanent error, 2 temporary error).
- ``POST /api/v1/video/get`` ``{"video": [{"name", "id", "from", "to", "limit"}]}`` (``from``/``to`` inclusive, in
  ms of the video; ``limit`` at most that many items): ``results: [{"status", "error", "name", "id", "items":
  [{"timestamp", "meta", "action"}]}]``, ``meta`` being a JSON *string*.
- ``POST /api/v1/video/unsubscribe`` ``{"video": [{"name", "id"}]}``: ``unsubscribed`` like ``subscribed``; a
  stopped task answers status 1 "task already stopped".

Subscribing starts paid work and there is no call that lists tasks, so a subscribe whose answer was lost is not
sent again (the task may exist and would then run twice) unless ``resend_on_lost_answer``. Reading results and
stopping a task may be repeated.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlsplit

from airflow_provider_social.core.errors import NotFoundError, SocialApiError, input_error
from airflow_provider_social.core.masking import register_secret

from .params import SERVICE

if TYPE_CHECKING:
    from .client import VisionClient

#: The documented actions and what each detects.
VIDEO_ACTIONS = {"fd": "faces", "sd": "scenes", "od": "objects", "ad": "attractions", "pd": "people"}
LINK_SCHEMES = ("http", "https", "rtsp")
MAX_NAME_CHARS = 256  # not documented; a bound so a templating mistake cannot send a megabyte as a name
DEFAULT_PAGE_SIZE = 500
MAX_PAGE_SIZE = 10_000
ALREADY_STOPPED = "task already stopped"


class VideoTask(TypedDict):
    """A subscribed video task: what the results and unsubscribe calls need (never the RTSP password)."""

    video_task_id: int
    name: str
    actions: list[str]


class VideoItem(TypedDict):
    """One recognition result: the moment in the video (ms), the action, and its ``meta`` parsed from JSON (the
    raw string under ``meta_text`` when it is not JSON)."""

    timestamp_ms: int
    action: str
    meta: Any


class VideoResults(TypedDict):
    """Results of one task read so far, in timestamp order."""

    video_task_id: int
    name: str
    items: list[VideoItem]
    last_timestamp_ms: int | None


def _whole(value: Any, field: str, *, low: int = 0, high: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise input_error(field, f"must be a whole number, got {value!r}", service=SERVICE)
    if value < low or (high is not None and value > high):
        bound = f"from {low} to {high}" if high is not None else f"at least {low}"
        raise input_error(field, f"must be {bound}, got {value}", service=SERVICE)
    return value


def _name(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise input_error("name", "must be a non-empty text naming the task", service=SERVICE)
    if len(value) > MAX_NAME_CHARS:
        raise input_error("name", f"must be at most {MAX_NAME_CHARS} characters, got {len(value)}", service=SERVICE)
    return value


def video_actions(value: Any) -> list[str]:
    """``actions`` checked: a non-empty list (or one comma-separated text) of the documented action codes."""
    items = [part.strip() for part in value.split(",")] if isinstance(value, str) else value
    if not isinstance(items, (list, tuple)) or not items or not all(isinstance(a, str) and a for a in items):
        raise input_error("actions", f"must be a non-empty list of {', '.join(VIDEO_ACTIONS)}; got {value!r}",
                          service=SERVICE)
    unknown = [a for a in items if a not in VIDEO_ACTIONS]
    if unknown:
        raise input_error("actions", f"unknown action {unknown[0]!r}; known: " +
                          ", ".join(f"{code} ({what})" for code, what in VIDEO_ACTIONS.items()), service=SERVICE)
    return list(dict.fromkeys(items))


def video_link(value: Any) -> str:
    """``link`` checked: an http(s) URL of a video file or an rtsp URL of a stream, with a host."""
    if not isinstance(value, str) or not value.strip():
        raise input_error("link", "must be an http(s):// video file or rtsp:// stream URL", service=SERVICE)
    parts = urlsplit(value.strip())
    if parts.scheme.lower() not in LINK_SCHEMES or not parts.netloc:
        raise input_error("link", f"must be an http://, https:// or rtsp:// URL with a host; got scheme "
                          f"{parts.scheme or '(none)'!r}", service=SERVICE)
    return value.strip()


def _item(raw: dict[str, Any]) -> VideoItem:
    text = raw.get("meta")
    try:
        meta: Any = json.loads(text) if isinstance(text, str) else text
    except ValueError:
        meta = {"meta_text": text}
    return {"timestamp_ms": int(raw.get("timestamp") or 0), "action": str(raw.get("action") or ""), "meta": meta}


def _only(body: Any, key: str, operation: str) -> dict[str, Any]:
    entries = body.get(key) if isinstance(body, dict) else None
    if not isinstance(entries, list) or len(entries) != 1 or not isinstance(entries[0], dict):
        raise SocialApiError(f"the answer has no single {key!r} entry", service=SERVICE, operation=operation)
    return entries[0]


def _failed(entry: dict[str, Any], operation: str, task: str) -> SocialApiError:
    status = entry.get("status")
    error = entry.get("error") or "no reason given"
    if status == 2:
        return SocialApiError(f"{task}: temporary error: {error}", service=SERVICE, operation=operation,
                              api_code=status, hint="the service asks to try again later")
    if "not found" in str(error).lower():
        return NotFoundError(f"{task}: {error}", service=SERVICE, operation=operation, api_code=status)
    return SocialApiError(f"{task}: {error}", service=SERVICE, operation=operation, api_code=status)


class VisionVideo:
    """Subscribe a video, read its results by time, unsubscribe.

    :param client: sends Vision's declared calls.
    """

    def __init__(self, client: VisionClient) -> None:
        self.client = client

    def subscribe_video(self, link: str, actions: Any, *, name: str = "video", rtsp_login: str | None = None,
                        rtsp_password: str | None = None) -> VideoTask:
        """Start recognising a video file or stream; the task to read results from (billed work starts now).

        :param link: an ``http(s)://`` video file (at most 2 GB, the service downloads it) or an ``rtsp://`` stream.
        :param actions: action codes: ``fd`` faces, ``sd`` scenes, ``od`` objects, ``ad`` attractions,
            ``pd`` people (a list, or one comma-separated text).
        :param name: the task's name, echoed in every answer about it.
        :param rtsp_login: the stream's login (rtsp links only).
        :param rtsp_password: the stream's password (rtsp links only; masked in logs, never returned).
        """
        link = video_link(link)
        codes = video_actions(actions)
        name = _name(name)
        is_rtsp = urlsplit(link).scheme.lower() == "rtsp"
        entry: dict[str, Any] = {"name": name, "link": link, "actions": codes}
        for field, value in (("rtsp_login", rtsp_login), ("rtsp_password", rtsp_password)):
            if value in (None, ""):
                continue
            if not isinstance(value, str):
                raise input_error(field, "must be text", service=SERVICE)
            if not is_rtsp:
                raise input_error(field, "is only for rtsp:// links", service=SERVICE)
            entry[field] = value
        register_secret(rtsp_password or None, "rtsp_password")
        register_secret(urlsplit(link).password, "link password")  # rtsp://user:password@host/...
        self.client.check_credentials()
        answer = self.client.post_json("video_subscribe", {"video": [entry]})
        result = _only(answer, "subscribed", "subscribe video")
        if result.get("status") != 0:
            raise _failed(result, "subscribe video", f"video {name!r}")
        task_id = result.get("id")
        if isinstance(task_id, bool) or not isinstance(task_id, int):
            raise SocialApiError(f"video {name!r}: the answer has no task id", service=SERVICE,
                                 operation="subscribe video")
        return {"video_task_id": task_id, "name": name, "actions": codes}

    def video_results(self, video_task_id: int, *, name: str = "video", from_ms: int = 0, to_ms: int | None = None,
                      page_size: int = DEFAULT_PAGE_SIZE, max_items: int | None = None) -> VideoResults:
        """Every result the task has so far between ``from_ms`` and ``to_ms`` (inclusive), read page by page.

        Pages follow the timestamps: the next page starts at the last timestamp of a full page, whose items are
        dropped from that page and read again whole (several actions share a timestamp).

        :param video_task_id: the task from :meth:`subscribe_video`.
        :param name: the task's name (the service echoes it).
        :param from_ms: the first moment of the video, in ms.
        :param to_ms: the last moment, in ms (None: up to what has been processed).
        :param page_size: items per request (1 to 10000).
        :param max_items: stop after this many items (None: all).
        """
        task = _whole(video_task_id, "video_task_id")
        name = _name(name)
        cursor = _whole(from_ms, "from_ms")
        end = None if to_ms is None else _whole(to_ms, "to_ms", low=cursor)
        size = _whole(page_size, "page_size", low=1, high=MAX_PAGE_SIZE)
        cap = None if max_items is None else _whole(max_items, "max_items", low=1)
        self.client.check_credentials()
        items: list[VideoItem] = []
        while True:
            query: dict[str, Any] = {"name": name, "id": task, "from": cursor, "limit": size}
            if end is not None:
                query["to"] = end
            result = _only(self.client.post_json("video_get", {"video": [query]}), "results", "get video results")
            if result.get("status") != 0:
                raise _failed(result, "get video results", f"video task {task}")
            page = sorted((_item(raw) for raw in result.get("items") or [] if isinstance(raw, dict)),
                          key=lambda item: item["timestamp_ms"])
            if len(page) < size or (cap is not None and len(items) + len(page) >= cap):
                items.extend(page)  # the last page, or enough: the cap is applied below
                break
            last = page[-1]["timestamp_ms"]
            whole = [item for item in page if item["timestamp_ms"] < last]
            if not whole:
                raise input_error("page_size", f"{size} items all share timestamp {last} ms; use a larger page",
                                  service=SERVICE)
            items.extend(whole)
            cursor = last
        if cap is not None:
            items = items[:cap]
        return {"video_task_id": task, "name": name, "items": items,
                "last_timestamp_ms": items[-1]["timestamp_ms"] if items else None}

    def unsubscribe_video(self, video_task_id: int, *, name: str = "video") -> dict[str, Any]:
        """Stop a task; stopping a stopped task is not an error (``already_stopped`` says so).

        :param video_task_id: the task from :meth:`subscribe_video`.
        :param name: the task's name.
        """
        task = _whole(video_task_id, "video_task_id")
        name = _name(name)
        self.client.check_credentials()
        answer = self.client.post_json("video_unsubscribe", {"video": [{"name": name, "id": task}]})
        result = _only(answer, "unsubscribed", "unsubscribe video")
        if result.get("status") == 0:
            return {"video_task_id": task, "stopped": True, "already_stopped": False}
        if result.get("status") == 1 and ALREADY_STOPPED in str(result.get("error", "")).lower():
            return {"video_task_id": task, "stopped": True, "already_stopped": True}
        raise _failed(result, "unsubscribe video", f"video task {task}")


__all__ = ["VIDEO_ACTIONS", "VideoItem", "VideoResults", "VideoTask", "VisionVideo", "video_actions", "video_link"]
