"""In-memory VK: users, the sandbox community, tokens, walls, media, polls, messages, uploads and settings.

Everything is reset with the sandbox (``/_control/reset``). Ids grow from per-kind counters; times come from
the sandbox clock. The lock is re-entrant so method handlers can hold it across several steps.
"""

from __future__ import annotations

import itertools
import secrets
import threading
from collections import deque
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any

from ..clock import SandboxClock
from .fixtures import (  # noqa: F401 - re-exported: routes and tests read them from the state module
    ADMIN_USER_ID,
    APP_ID,
    COMMUNITY_SCOPES,
    DEFAULT_COMMUNITY_SCOPES,
    DEFAULT_DAILY_CAPS,
    DEFAULT_RATE_LIMITS,
    GROUP_ID,
    GROUP_NAME,
    GROUP_SCREEN_NAME,
    MESSAGES_PER_PEER_HOUR,
    OTHER_GROUP_ID,
    USER_SCOPES,
    USER_TOKEN_TTL,
)

if TYPE_CHECKING:
    from ..state import SandboxState

@dataclass
class Token:
    value: str
    kind: str  # "user" | "community"
    user_id: int | None
    group_id: int | None
    scopes: frozenset[str]
    expires_at: float | None


@dataclass
class User:
    id: int
    first_name: str
    last_name: str
    screen_name: str
    online: bool = False
    online_mobile: bool = False
    last_seen: float = 0.0
    platform: int = 7  # 7 = web (vk.com)
    messages_allowed: bool = True  # has allowed messages from the sandbox community


@dataclass
class Group:
    id: int
    name: str
    screen_name: str
    admins: set[int]
    members: set[int]


@dataclass
class Upload:
    """One upload URL handed out by a ``*.getUploadServer`` / ``video.save`` call."""

    id: str
    kind: str  # wall_photo | album_photo | story | video | doc
    server: int
    user_id: int | None
    group_id: int | None
    expires_at: float
    album_id: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    used: bool = False
    result: dict[str, Any] | None = None  # what the upload server answered (files' checks and names)
    saved: bool = False


@dataclass
class Captcha:
    method: str
    form: str  # "legacy" | "redirect"
    sid: str = ""
    key: str = ""
    success_token: str = ""
    remixstlid: int = 0
    shown: bool = False


class VkState:
    """The VK service state (``SandboxState.services["vk"]``)."""

    def __init__(self, sandbox: SandboxState | None = None, clock: SandboxClock | None = None) -> None:
        self.sandbox = sandbox
        self.clock = clock or (sandbox.clock if sandbox is not None else SandboxClock())
        self.lock = threading.RLock()
        self.ids = {name: itertools.count(1) for name in ("post", "photo", "album", "poll", "story", "video",
                                                          "doc", "message", "comment", "server", "link",
                                                          "poll_photo")}
        self.tokens: dict[str, Token] = {}
        self.users = {
            1: User(1, "Sandbox", "Admin", "id1", online=True),
            2: User(2, "Ivan", "Petrov", "id2"),
            3: User(3, "Maria", "Ivanova", "id3", messages_allowed=False),
        }
        for user in self.users.values():
            user.last_seen = self.clock.now() - 600 * user.id
        self.groups = {
            GROUP_ID: Group(GROUP_ID, GROUP_NAME, GROUP_SCREEN_NAME, admins={ADMIN_USER_ID}, members={1, 2}),
            OTHER_GROUP_ID: Group(OTHER_GROUP_ID, "Other Community", "club1000002", admins=set(), members={2}),
        }
        self.posts: dict[tuple[int, int], dict[str, Any]] = {}  # (owner_id, post_id) -> post
        self.guids: dict[tuple[int, str], tuple[int, float]] = {}  # (owner_id, guid) -> (post_id, at)
        self.comments: list[dict[str, Any]] = []
        self.photos: dict[tuple[int, int], dict[str, Any]] = {}
        self.albums: dict[tuple[int, int], dict[str, Any]] = {}
        self.polls: dict[tuple[int, int], dict[str, Any]] = {}
        self.poll_photos: dict[int, dict[str, Any]] = {}  # id -> a saved poll background (polls.savePhoto)
        self.stories: list[dict[str, Any]] = []
        self.videos: dict[tuple[int, int], dict[str, Any]] = {}
        self.docs: dict[tuple[int, int], dict[str, Any]] = {}
        self.messages: list[dict[str, Any]] = []
        # (sender: the group id, or minus the user id; peer, random_id)
        self.random_ids: dict[tuple[int, int, int], tuple[int, float]] = {}
        self.short_links: dict[str, dict[str, Any]] = {}
        self.uploads: dict[str, Upload] = {}
        self.rate_limits: dict[str, int | None] = dict(DEFAULT_RATE_LIMITS)
        self.windows: dict[str, deque[float]] = {}
        self.rate_limit_violations = 0
        self.daily_caps: dict[str, int | None] = dict(DEFAULT_DAILY_CAPS)
        self.daily_calls: dict[tuple[str, str, int], int] = {}  # (token, method, quota day) -> calls
        self.quota_refusals = 0
        self.messages_per_peer_hour: int | None = MESSAGES_PER_PEER_HOUR
        self.message_times: dict[tuple[int, int], deque[float]] = {}  # (sender, peer) -> send times, last hour
        self.captcha: Captcha | None = None
        self.flood_next: str | None = None
        self.legacy_auto_approve = True
        self.upload_secret = secrets.token_bytes(16)
        from .shop import ShopState  # market and ads (VkState.shop)

        self.shop = ShopState(self)
        from .history import HistoryState  # seeded history, read indexes, daily quotas (VkState.history)

        self.history = HistoryState(self)
        from .longpoll import LongPollState  # Bots Long Poll: settings, keys, event history

        self.longpoll = LongPollState(self)

    # ---------------------------------------------------------------- ids and tokens

    def next_id(self, kind: str) -> int:
        return next(self.ids[kind])

    def mint_token(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/vk/tokens``."""
        unknown = sorted(set(data) - {"kind", "user_id", "group_id", "scopes", "expires_in"})
        if unknown:
            raise ValueError(f"unknown fields {unknown}")
        kind = data.get("kind", "user")
        if kind not in ("user", "community"):
            raise ValueError("'kind' must be 'user' or 'community'")
        allowed = USER_SCOPES if kind == "user" else COMMUNITY_SCOPES
        default = USER_SCOPES if kind == "user" else DEFAULT_COMMUNITY_SCOPES
        scopes = data.get("scopes", list(default))
        if not isinstance(scopes, list) or not set(scopes) <= set(allowed):
            raise ValueError(f"'scopes' must be a list drawn from {list(allowed)}")
        expires_in = data.get("expires_in", USER_TOKEN_TTL if kind == "user" else 0)
        if isinstance(expires_in, bool) or not isinstance(expires_in, (int, float)) or expires_in < 0:
            raise ValueError("'expires_in' must be a number of seconds >= 0 (0 = never expires)")
        user_id = data.get("user_id", ADMIN_USER_ID) if kind == "user" else None
        group_id = data.get("group_id", GROUP_ID) if kind == "community" else None
        if kind == "user" and user_id not in self.users:
            raise ValueError(f"unknown user_id {user_id!r}; sandbox users: {sorted(self.users)}")
        if kind == "community" and group_id not in self.groups:
            raise ValueError(f"unknown group_id {group_id!r}; sandbox communities: {sorted(self.groups)}")
        prefix = "vk1.a." if kind == "user" else "vk1.g."
        token = Token(
            value=prefix + secrets.token_urlsafe(48),
            kind=kind,
            user_id=user_id,
            group_id=group_id,
            scopes=frozenset(scopes),
            expires_at=self.clock.now() + expires_in if expires_in else None,
        )
        with self.lock:
            self.tokens[token.value] = token
        body: dict[str, Any] = {"access_token": token.value, "expires_in": int(expires_in)}
        if user_id is not None:
            body["user_id"] = user_id
        if group_id is not None:
            body["group_id"] = group_id
        return body

    # ---------------------------------------------------------------- settings (control API)

    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/vk``; answers the new dump."""
        known = {"captcha_next", "flood_next", "rate_limits", "daily_caps", "messages_per_peer_hour", "users",
                 "legacy_auto_approve", "reset_violations"}
        known |= self.shop.KNOWN | self.history.KNOWN | self.longpoll.KNOWN
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: {sorted(known)}")
        with self.lock:
            if "captcha_next" in data:
                self.captcha = self._captcha(data["captcha_next"])
            if "flood_next" in data:
                method = data["flood_next"]
                if method is not None and not isinstance(method, str):
                    raise ValueError("'flood_next' must be a method name or null")
                self.flood_next = method
            if "rate_limits" in data:
                self._set_rate_limits(data["rate_limits"])
            if "daily_caps" in data:
                self._set_daily_caps(data["daily_caps"])
            if "messages_per_peer_hour" in data:
                cap = data["messages_per_peer_hour"]
                if cap is not None and (isinstance(cap, bool) or not isinstance(cap, int) or cap < 0):
                    raise ValueError("'messages_per_peer_hour' must be an integer >= 0 or null (no cap)")
                self.messages_per_peer_hour = cap
            if "users" in data:
                self._set_users(data["users"])
            if "legacy_auto_approve" in data:
                if not isinstance(data["legacy_auto_approve"], bool):
                    raise ValueError("'legacy_auto_approve' must be a boolean")
                self.legacy_auto_approve = data["legacy_auto_approve"]
            if data.get("reset_violations"):
                self.rate_limit_violations = 0
            self.shop.configure(data)
            self.history.configure(data)
            self.longpoll.configure(data)
        return self.dump()

    def _captcha(self, spec: Any) -> Captcha | None:
        if spec is None:
            return None
        if not isinstance(spec, dict) or not isinstance(spec.get("method"), str):
            raise ValueError("'captcha_next' must be {\"method\": name, \"form\": \"legacy\"|\"redirect\"}")
        form = spec.get("form", "redirect")
        if form not in ("legacy", "redirect"):
            raise ValueError("'captcha_next.form' must be 'legacy' or 'redirect'")
        return Captcha(
            method=spec["method"],
            form=form,
            sid=str(secrets.randbelow(10**12)),
            key=secrets.token_hex(3),
            success_token=secrets.token_urlsafe(24),
            remixstlid=secrets.randbelow(10**19),
        )

    def _set_rate_limits(self, limits: Any) -> None:
        if not isinstance(limits, dict) or not set(limits) <= {"user", "community"}:
            raise ValueError("'rate_limits' must be {\"user\"?: n, \"community\"?: n} (null = unlimited)")
        for kind, value in limits.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 1):
                raise ValueError(f"'rate_limits.{kind}' must be a positive integer or null")
            self.rate_limits[kind] = value
        self.windows.clear()

    def _set_daily_caps(self, caps: Any) -> None:
        if not isinstance(caps, dict) or not all(isinstance(name, str) and "." in name for name in caps):
            raise ValueError("'daily_caps' must be {\"<section.method>\": n or null (no cap)}")
        for name, value in caps.items():
            if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
                raise ValueError(f"'daily_caps.{name}' must be an integer >= 0 or null")
            self.daily_caps[name] = value

    def _set_users(self, users: Any) -> None:
        if not isinstance(users, dict):
            raise ValueError("'users' must be {user_id: {\"online\"?, \"online_mobile\"?, \"last_seen\"?}}")
        for key, settings in users.items():
            user = self.users.get(int(key))
            if user is None or not isinstance(settings, dict):
                raise ValueError(f"unknown user {key!r}; sandbox users: {sorted(self.users)}")
            for name, value in settings.items():
                if name not in ("online", "online_mobile", "last_seen", "platform", "messages_allowed"):
                    raise ValueError(f"unknown user setting {name!r}")
                setattr(user, name, value)

    # ---------------------------------------------------------------- inspection

    def dump(self) -> dict[str, Any]:
        with self.lock:
            walls: dict[str, list[dict[str, Any]]] = {}
            for (owner, _), post in sorted(self.posts.items()):
                walls.setdefault(str(owner), []).append({k.lstrip("_"): v for k, v in post.items()})
            return {
                "walls": walls,
                "comments": [{k.lstrip("_"): v for k, v in c.items()} for c in self.comments],
                "photos": list(self.photos.values()),
                "albums": list(self.albums.values()),
                "polls": list(self.polls.values()),
                "poll_photos": [{k.lstrip("_"): v for k, v in photo.items()} for photo in self.poll_photos.values()],
                "stories": list(self.stories),
                "videos": list(self.videos.values()),
                "docs": list(self.docs.values()),
                "messages": list(self.messages),
                "short_links": list(self.short_links.values()),
                "uploads": [
                    {"id": u.id, "kind": u.kind, "server": u.server, "used": u.used, "saved": u.saved}
                    for u in self.uploads.values()
                ],
                "users": {str(u.id): asdict(u) for u in self.users.values()},
                "rate_limits": dict(self.rate_limits),
                "rate_limit_violations": self.rate_limit_violations,
                "daily_caps": dict(self.daily_caps),
                "quota_refusals": self.quota_refusals,
                "messages_per_peer_hour": self.messages_per_peer_hour,
                "captcha": asdict(self.captcha) if self.captcha else None,
                "flood_next": self.flood_next,
                "legacy_auto_approve": self.legacy_auto_approve,
                **self.shop.dump(),
                **self.history.dump(),
                "longpoll": self.longpoll.dump(),
            }
