"""Vision's video calls (``/api/v1/video/{subscribe,get,unsubscribe}``): JSON bodies, tasks on the sandbox clock.

Documented (vk-cs/docs-public ``ml/vision/vision-video/vision-api-video``, ``vision-start/vision-process``): the
request shapes, required ``name`` / ``link`` / ``id``, links ``http://``, ``https://`` (a file, at most 2 GB) or
``rtsp://`` (a stream), the actions ``fd``, ``sd``, ``od``, ``ad``, ``pd``, per-video ``status`` 0/1/2, items
``{"timestamp" (ms), "meta" (a JSON string), "action"}``, ``from``/``to`` inclusive, at most ``limit`` items, and
"task already stopped" (status 1) for a second unsubscribe.

UNCONFIRMED, the sandbox takes the strict side and says so: the wording of every other refusal; that an empty or
missing ``actions`` is refused; that the service processes one second of video per second (here: of the sandbox
clock) and yields one item per action per second of video; the length of a file video (the sandbox cannot fetch
it: a ``duration=<seconds>`` query parameter in the link sets it, default 30 s); ``meta`` for actions other than
``od`` (only ``od``'s labels are documented; every action gets the same ``labels`` shape here). A stream runs until
it is unsubscribed; a file task ends with the video. Nothing of the link's password or ``rtsp_password`` is kept.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from .recognition import OBJECT_TABLE
from .rules import VisionError

if TYPE_CHECKING:
    from ..clock import SandboxClock

ACTIONS = ("fd", "sd", "od", "ad", "pd")
SCHEMES = ("http", "https", "rtsp")
DEFAULT_FILE_SECONDS = 30
STEP_MS = 1000


@dataclass
class VideoTask:
    id: int
    name: str
    link: str
    actions: list[str]
    started: float
    seconds: int | None  # None: a stream (runs until unsubscribed)
    stopped: float | None = None

    def processed_ms(self, now: float) -> int:
        """How far into the video the service has got: real time since the start, up to the end or the stop."""
        end = now if self.stopped is None else min(now, self.stopped)
        done = int((end - self.started) * 1000)
        return done if self.seconds is None else min(done, self.seconds * 1000)


def _meta(link: str, action: str, timestamp: int) -> str:
    h = hashlib.sha256(f"{link}|{action}|{timestamp}".encode()).digest()
    row = OBJECT_TABLE[h[0] % len(OBJECT_TABLE)]
    label = {"coord": [h[1], h[2], 320 + h[3], 240 + h[4]], "eng": row[0], "eng_category": "",
             "prob": round(0.5 + int.from_bytes(h[5:7], "big") % 5000 / 10000, 4), "rus": row[1],
             "rus_category": ""}
    return json.dumps({"labels": [label], "status": 0, "timestamp": timestamp}, ensure_ascii=False)


def _entries(body: Any) -> list[Any]:
    videos = body.get("video") if isinstance(body, dict) else None
    if not isinstance(videos, list) or not videos:
        raise VisionError(400, "no video has been provided")
    names = []
    for entry in videos:
        name = entry.get("name") if isinstance(entry, dict) else None
        if not isinstance(name, str) or not name:
            raise VisionError(400, "video name is required")
        names.append(name)
    if len(set(names)) != len(names):
        raise VisionError(400, "duplicate video name")
    return videos


def _task_id(entry: dict[str, Any]) -> int:
    value = entry.get("id")
    if isinstance(value, bool) or not isinstance(value, int):
        raise VisionError(400, f"video {entry['name']}: id is required")
    return value


def _optional_ms(entry: dict[str, Any], key: str, low: int = 0) -> int | None:
    value = entry.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise VisionError(400, f"video {entry['name']}: wrong {key} param {value}")
    return value


class VideoTasks:
    """The video tasks of the sandbox's one Vision account."""

    def __init__(self, clock: SandboxClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._tasks: dict[int, VideoTask] = {}
        self._next = 1

    def dump(self) -> list[dict[str, Any]]:
        now = self.clock.now()
        with self._lock:
            return [{"id": t.id, "name": t.name, "actions": t.actions, "stream": t.seconds is None,
                     "stopped": t.stopped is not None, "processed_ms": t.processed_ms(now)}
                    for t in self._tasks.values()]

    def subscribe(self, body: Any) -> dict[str, Any]:
        return {"subscribed": [self._subscribe_one(entry) for entry in _entries(body)]}

    def _subscribe_one(self, entry: dict[str, Any]) -> dict[str, Any]:
        name = entry["name"]
        link = entry.get("link")
        if not isinstance(link, str) or not link:
            return {"status": 1, "error": "link is required", "name": name}
        parts = urlsplit(link)
        if parts.scheme not in SCHEMES or not parts.netloc:
            return {"status": 1, "error": f"wrong link {parts.scheme or ''}: only http, https and rtsp are "
                                          "supported", "name": name}
        for key in ("rtsp_login", "rtsp_password"):
            if entry.get(key) not in (None, "") and not isinstance(entry[key], str):
                return {"status": 1, "error": f"wrong {key} param", "name": name}
        actions = entry.get("actions")
        if not isinstance(actions, list) or not actions:
            return {"status": 1, "error": "no actions has been provided", "name": name}
        unknown = [a for a in actions if a not in ACTIONS]
        if unknown:
            return {"status": 1, "error": f"unknown action {unknown[0]}", "name": name}
        seconds: int | None = None
        if parts.scheme != "rtsp":
            wanted = parse_qs(parts.query).get("duration", [str(DEFAULT_FILE_SECONDS)])[0]
            seconds = int(wanted) if wanted.isdigit() and 0 < int(wanted) <= 86_400 else DEFAULT_FILE_SECONDS
        with self._lock:
            task = VideoTask(self._next, name, link, list(dict.fromkeys(actions)), self.clock.now(), seconds)
            self._tasks[task.id] = task
            self._next += 1
        return {"status": 0, "name": name, "id": task.id}

    def get(self, body: Any) -> dict[str, Any]:
        results = []
        now = self.clock.now()
        for entry in _entries(body):
            task_id = _task_id(entry)
            low = _optional_ms(entry, "from") or 0
            high = _optional_ms(entry, "to")
            limit = _optional_ms(entry, "limit", low=1)
            with self._lock:
                task = self._tasks.get(task_id)
            if task is None:
                results.append({"status": 1, "error": "task not found", "name": entry["name"], "id": task_id})
                continue
            done = task.processed_ms(now)
            top = done if high is None else min(done, high)
            items = [{"timestamp": ts, "meta": _meta(task.link, action, ts), "action": action}
                     for ts in range(-(-low // STEP_MS) * STEP_MS, top + 1, STEP_MS) for action in task.actions]
            results.append({"status": 0, "name": entry["name"], "id": task_id,
                            "items": items if limit is None else items[:limit]})
        return {"results": results}

    def unsubscribe(self, body: Any) -> dict[str, Any]:
        answers = []
        for entry in _entries(body):
            task_id = _task_id(entry)
            with self._lock:
                task = self._tasks.get(task_id)
                if task is None:
                    answer = {"status": 1, "error": "task not found"}
                elif task.stopped is not None or (task.seconds is not None and
                                                  task.processed_ms(self.clock.now()) >= task.seconds * 1000):
                    answer = {"status": 1, "error": "task already stopped"}  # stopped, or a file processed to its end
                else:
                    task.stopped = self.clock.now()
                    answer = {"status": 0}
            answers.append({**answer, "name": entry["name"], "id": task_id})
        return {"unsubscribed": answers}


async def read_json(request: Any) -> Any:
    """The JSON body (the video calls take JSON, not multipart)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise VisionError(400, "request Content-Type isn't application/json")
    try:
        return json.loads(await request.body())
    except ValueError as exc:
        raise VisionError(400, f"could not parse request body: {exc}") from None
