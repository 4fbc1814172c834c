"""What the OK sandbox remembers: users, groups, topics, upload URLs and photo tokens, injected API errors."""

from __future__ import annotations

import itertools
import secrets
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.responses import JSONResponse

from .constants import ERRORS, FOREIGN_GROUP_ID, OTHER_GROUP_ID, SANDBOX_GROUP_ID, SANDBOX_UID

if TYPE_CHECKING:
    from ..state import SandboxState


class ApiError(Exception):
    """An OK API error: top-level ``error_code``/``error_msg``/``error_data`` and the ``invocation-error`` header.

    The HTTP status is 200: the reference confirms the header and the JSON body, not a status, so the sandbox
    takes the reading that makes a client look at the body of every 2xx answer."""

    def __init__(self, code: int, detail: str) -> None:
        super().__init__(f"{code}: {detail}")
        self.code = code
        self.detail = detail

    def response(self) -> JSONResponse:
        body = {"error_code": self.code, "error_msg": f"{ERRORS.get(self.code, 'UNKNOWN')} : {self.detail}",
                "error_data": None}
        return JSONResponse(body, headers={"invocation-error": str(self.code)})


SEED_FIELDS = frozenset({"topics", "gid", "start", "step"})


@dataclass
class Group:
    gid: str
    name: str
    admins: set[str]
    members: set[str]


@dataclass
class Topic:
    id: str
    gid: str
    author: str
    on_behalf_of_group: bool
    media: list[dict[str, Any]]
    created_ms: int
    publish_at: str | None = None
    deleted: bool = False
    stats: dict[str, int] | None = None  # the counters group.getStatTopics reports (seeded; None: all zero)


@dataclass
class UploadSession:
    token: str  # the apiToken in the upload_url
    uid: str
    gid: str | None
    photo_ids: list[str]
    expires_ms: int
    used: bool = False


@dataclass
class PhotoToken:
    token: str
    photo_id: str
    uid: str
    gid: str | None
    used: bool = False


@dataclass
class OkState:
    sandbox: SandboxState
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    topics: dict[str, Topic] = field(default_factory=dict)
    uploads: dict[str, UploadSession] = field(default_factory=dict)
    photo_tokens: dict[str, PhotoToken] = field(default_factory=dict)
    #: method -> [error_code, ...] answered (once each) instead of running the method
    injected: dict[str, list[int]] = field(default_factory=dict)
    #: method -> how many times it runs but its answer is lost (HTTP 502 after the work is done)
    lose_answers: dict[str, int] = field(default_factory=dict)
    #: when each LONG_ACCESS_TOKEN was last extended (at most once a day)
    extended_at: dict[str, float] = field(default_factory=dict)
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _ids: Any = field(default_factory=lambda: itertools.count(70_102_413_183_763))

    def __post_init__(self) -> None:
        self.users[SANDBOX_UID] = {"uid": SANDBOX_UID, "first_name": "Sandbox", "last_name": "User",
                                   "name": "Sandbox User", "gender": "female", "locale": "ru",
                                   "pic_1": "https://i.mycdn.me/sandbox-user.jpg"}
        self.groups[SANDBOX_GROUP_ID] = Group(SANDBOX_GROUP_ID, "Sandbox Announcements", {SANDBOX_UID}, {SANDBOX_UID})
        self.groups[OTHER_GROUP_ID] = Group(OTHER_GROUP_ID, "Neighbours", set(), {SANDBOX_UID})
        self.groups[FOREIGN_GROUP_ID] = Group(FOREIGN_GROUP_ID, "Strangers", set(), set())

    def new_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    def now_ms(self) -> int:
        return int(self.sandbox.clock.now() * 1000)

    # ---------------------------------------------------------------------------------------------- control
    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/ok``: ``{"errors": {"mediatopic.post": [8]}}`` answers the next
        call(s) of a method with those API errors; ``{"lose_answers": {"mediatopic.post": 1}}`` runs the next
        call but answers 502 (the topic exists, the client does not know); ``{"seed": {"topics": 500}}`` adds a
        history of topics with counters (:mod:`.stats`)."""
        unknown = sorted(set(data) - {"errors", "lose_answers", "seed"})
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: ['errors', 'lose_answers', 'seed']")
        if "seed" in data:
            seed_topics(self, data["seed"])
        with self._lock:
            for method, codes in (data.get("errors") or {}).items():
                if not isinstance(codes, list) or not all(isinstance(c, int) and c in ERRORS for c in codes):
                    raise ValueError(f"errors.{method}: expected a list of OK error codes {sorted(ERRORS)}")
                self.injected.setdefault(method, []).extend(codes)
            for method, times in (data.get("lose_answers") or {}).items():
                if not isinstance(times, int) or times < 0:
                    raise ValueError(f"lose_answers.{method}: expected a count >= 0")
                self.lose_answers[method] = times
        return self.dump()

    def take_injected(self, method: str) -> int | None:
        with self._lock:
            codes = self.injected.get(method)
            return codes.pop(0) if codes else None

    def take_lost_answer(self, method: str) -> bool:
        with self._lock:
            if self.lose_answers.get(method, 0) > 0:
                self.lose_answers[method] -= 1
                return True
            return False

    # ---------------------------------------------------------------------------------------------- uploads
    def new_upload(self, uid: str, gid: str | None, count: int, ttl_ms: int) -> UploadSession:
        with self._lock:
            session = UploadSession(secrets.token_urlsafe(24), uid, gid,
                                    [secrets.token_urlsafe(30) for _ in range(count)], self.now_ms() + ttl_ms)
            self.uploads[session.token] = session
            return session

    def issue_photo_token(self, session: UploadSession, photo_id: str) -> str:
        with self._lock:
            token = secrets.token_urlsafe(40)
            self.photo_tokens[token] = PhotoToken(token, photo_id, session.uid, session.gid)
            return token

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {
                "groups": [{"gid": g.gid, "name": g.name, "admins": sorted(g.admins), "members": sorted(g.members)}
                           for g in self.groups.values()],
                "topics": [{"id": t.id, "gid": t.gid, "author": t.author, "on_behalf_of_group": t.on_behalf_of_group,
                            "media": t.media, "created_ms": t.created_ms, "publish_at": t.publish_at,
                            "deleted": t.deleted} for t in self.topics.values()],
                "uploads": [{"gid": u.gid, "photos": len(u.photo_ids), "expires_ms": u.expires_ms, "used": u.used}
                            for u in self.uploads.values()],
                "photo_tokens": [{"photo_id": p.photo_id, "gid": p.gid, "used": p.used}
                                 for p in self.photo_tokens.values()],
                "errors": {m: list(c) for m, c in self.injected.items() if c},
                "lose_answers": {m: n for m, n in self.lose_answers.items() if n},
            }


def counters(seed: int) -> dict[str, int]:
    """A topic's counters, different topic by topic (a seeded topic's number, or 0 for a topic just posted)."""
    likes, comments, reshares = seed * 7 % 101, seed * 3 % 17, seed % 13
    views = 100 + seed * 37 % 1000 if seed else 0
    reach = views * 4 // 5
    return {"views": views, "renderings": views + seed % 50, "reach": reach, "reach_own": reach * 3 // 4,
            "reach_earned": reach - reach * 3 // 4, "likes": likes, "comments": comments, "reshares": reshares,
            "engagement": likes + comments + reshares, "feedback_total": likes + comments + reshares,
            "content_opens": views // 3, "link_clicks": seed % 5}


def seed_topics(service: OkState, spec: Any) -> None:
    """``POST /_control/state/ok {"seed": {"topics": 500, "gid"?: "53000000000001", "start"?: <unix time of the
    first topic>, "step"?: 600}}``: topics dated ``start + i * step`` (default: ending now) with counters that
    differ topic by topic, for the statistics methods (:mod:`.stats`)."""
    if not isinstance(spec, dict) or set(spec) - SEED_FIELDS:
        raise ValueError(f"'seed' must be a mapping of {sorted(SEED_FIELDS)}")
    for name in ("topics", "start", "step"):
        value = spec.get(name)
        if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
            raise ValueError(f"'seed.{name}' must be an integer >= 0")
    gid = str(spec.get("gid", SANDBOX_GROUP_ID))
    if gid not in service.groups:
        raise ValueError(f"unknown gid {gid}; sandbox groups: {sorted(service.groups)}")
    topics, step = spec.get("topics", 0), spec.get("step") or 600
    start = spec.get("start", int(service.sandbox.clock.now()) - step * topics)
    with service._lock:
        for i in range(topics):
            number = len(service.topics) + 1
            media = [{"type": "text", "text": f"Seeded topic {number}"}]
            topic = Topic(service.new_id(), gid, SANDBOX_UID, True, media, (start + i * step) * 1000)
            topic.stats = counters(number)
            service.topics[topic.id] = topic
