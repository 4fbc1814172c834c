"""The Bots Long Poll API of the sandbox community: its settings, keys, the event history and ``a_check``.

As VK documents it (dev.vk.com "Bots Long Poll API"; vk_api's ``bot_longpoll.py``, vkbottle's traffic):

- ``groups.setLongPollSettings`` / ``groups.getLongPollSettings``: enabled or not, the API version of the event
  objects, and which event types are sent (each ``0``/``1``). Long Poll is off for a new community, every type
  off; events of a type that is off are never queued.
- ``groups.getLongPollServer`` (a community key with ``manage``, or a user key of an admin): ``key``, ``server``,
  ``ts``; error 100 "longpoll for this group is not enabled." while it is off.
- ``GET {server}?act=a_check&key=&ts=&wait=``: the updates numbered from ``ts`` on and the next ``ts``, at once
  when there are any, else held open until one comes or ``wait`` seconds (at most 90) pass on the *sandbox
  clock* (a frozen clock holds it until an event arrives or the clock is advanced).
- ``{"failed": 1, "ts": N}``: ``ts`` is older than the kept history (or beyond the last event); go on from ``N``.
  ``{"failed": 2}``: the key expired (after :data:`KEY_TTL`, UNCONFIRMED: VK documents only that it expires) or
  is unknown; get a new key. ``{"failed": 3}``: the information was lost; get a new key and ``ts``.

Events come from the sandbox's own writes (``wall.post`` -> ``wall_post_new``, a postponed one when the sandbox
clock passes its ``publish_date``; ``wall.createComment`` ->
``wall_reply_new``, ``messages.send`` by the community -> ``message_reply``) and from the control API
(``POST /_control/state/vk`` with ``longpoll_events``: a user writing to the community (``message_new``), a new
market order (``market_order_new``), ``group_join``, or any type with its object), which also sets
``longpoll_settings``, ``longpoll_lose_keys`` (failed 3), ``longpoll_expire_keys`` (failed 2) and
``longpoll_keep`` (how many events the history keeps; older ``ts`` answer failed 1).
"""

from __future__ import annotations

import asyncio
import heapq
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .fixtures import GROUP_ID

if TYPE_CHECKING:
    from ..state import SandboxState

NAME = "vk_longpoll"
PREFIX = "/vk-lp"
KEY_TTL = 3 * 3600.0  # seconds a key lives (UNCONFIRMED)
MAX_WAIT = 90  # dev.vk.com: "wait ... maximum 90"
DEFAULT_KEEP = 10_000  # events the history keeps per community (VK keeps them for a limited time)
NOT_ENABLED = "longpoll for this group is not enabled."  # recorded error_msg (error 100)
CHECK_INTERVAL = 0.01  # real seconds between looks at a held request's community
#: Event types the settings know (dev.vk.com groups.setLongPollSettings, 5.199).
EVENT_TYPES = (
    "message_new", "message_reply", "message_edit", "message_allow", "message_deny", "message_typing_state",
    "message_event", "message_reaction_event", "photo_new", "photo_comment_new", "photo_comment_edit",
    "photo_comment_restore", "photo_comment_delete", "audio_new", "video_new", "video_comment_new",
    "video_comment_edit", "video_comment_restore", "video_comment_delete", "wall_post_new", "wall_repost",
    "wall_reply_new", "wall_reply_edit", "wall_reply_restore", "wall_reply_delete", "like_add", "like_remove",
    "board_post_new", "board_post_edit", "board_post_restore", "board_post_delete", "market_comment_new",
    "market_comment_edit", "market_comment_restore", "market_comment_delete", "market_order_new",
    "market_order_edit", "group_leave", "group_join", "user_block", "user_unblock", "poll_vote_new",
    "group_officers_edit", "group_change_settings", "group_change_photo", "vkpay_transaction",
    "app_payload", "donut_subscription_create", "donut_subscription_prolonged", "donut_subscription_expired",
    "donut_subscription_cancelled", "donut_subscription_price_changed", "donut_money_withdraw",
    "donut_money_withdraw_error",
)


@dataclass
class Key:
    group_id: int
    expires_at: float
    lost: bool = False


@dataclass
class Community:
    """One community's Long Poll: settings, the numbered history (``first`` is the number of ``history[0]``)."""

    enabled: bool = False
    api_version: str = "5.199"
    events: set[str] = field(default_factory=set)
    history: list[dict[str, Any]] = field(default_factory=list)
    first: int = 1
    keep: int = DEFAULT_KEEP

    @property
    def next_ts(self) -> int:
        return self.first + len(self.history)

    def settings(self) -> dict[str, Any]:
        return {"is_enabled": self.enabled, "api_version": self.api_version,
                "events": {name: int(name in self.events) for name in EVENT_TYPES}}


class LongPollState:
    """``VkState.longpoll``: per-community settings and history, and the keys handed out.

    :param vk: the VK state (its lock, clock, groups; typed loosely so that the state module, which builds this
        one, is not imported back).
    """

    def __init__(self, vk: Any) -> None:
        self.vk = vk
        self.communities: dict[int, Community] = {}
        self.keys: dict[str, Key] = {}
        #: Postponed community posts not yet published: ``(publish date, owner id, post id)``.
        self.scheduled: list[tuple[float, int, int]] = []

    def community(self, group_id: int) -> Community:
        return self.communities.setdefault(group_id, Community())

    # ------------------------------------------------------------------------------------------ events
    def schedule(self, post: dict[str, Any]) -> None:
        """Announce the postponed ``post`` (``wall_post_new``) once the sandbox clock passes its date, as VK does
        on publication.

        :param post: the post (its ``date`` is the publish date).
        """
        if post["owner_id"] < 0:
            with self.vk.lock:
                heapq.heappush(self.scheduled, (post["date"], post["owner_id"], post["id"]))

    def _publish_due(self) -> None:
        """Queue ``wall_post_new`` for each postponed post whose date the clock passed (oldest first; checked
        whenever the history is read or grows, so it keeps its place among the other events)."""
        from . import events

        now = self.vk.clock.now()
        while self.scheduled and self.scheduled[0][0] <= now:
            _, owner_id, post_id = heapq.heappop(self.scheduled)
            post = self.vk.posts.get((owner_id, post_id))
            if post is None or post.get("deleted"):
                continue
            if post["date"] > now:  # moved to a later date meanwhile
                heapq.heappush(self.scheduled, (post["date"], owner_id, post_id))
                continue
            self._queue(-owner_id, "wall_post_new", events.post_object(post))

    def emit(self, group_id: int, kind: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        """Queue one event for ``group_id`` when its Long Poll is on and sends ``kind``; returns the update."""
        with self.vk.lock:
            self._publish_due()
            return self._queue(group_id, kind, obj)

    def _queue(self, group_id: int, kind: str, obj: dict[str, Any]) -> dict[str, Any] | None:
        with self.vk.lock:
            community = self.community(group_id)
            if not community.enabled or kind not in community.events:
                return None
            update = {"group_id": group_id, "type": kind, "event_id": secrets.token_hex(20),
                      "v": community.api_version, "object": obj}
            community.history.append(update)
            overflow = len(community.history) - community.keep
            if overflow > 0:
                del community.history[:overflow]
                community.first += overflow
        return update

    def answer(self, key_value: str, ts_value: str | None) -> dict[str, Any] | None:
        """The immediate answer to ``a_check``: a failure, the waiting updates, or None (nothing yet: wait)."""
        with self.vk.lock:
            self._publish_due()
            key = self.keys.get(key_value)
            if key is None or key.expires_at <= self.vk.clock.now():
                return {"failed": 2}
            if key.lost:
                return {"failed": 3}
            community = self.community(key.group_id)
            try:
                ts = int(ts_value or "")
            except ValueError:
                return {"failed": 1, "ts": community.next_ts}
            if ts < community.first or ts > community.next_ts:  # the documented example's ts is a number
                return {"failed": 1, "ts": community.first if ts < community.first else community.next_ts}
            if ts == community.next_ts:
                return None
            return {"ts": str(community.next_ts), "updates": community.history[ts - community.first:]}

    def new_key(self, group_id: int) -> dict[str, Any]:
        with self.vk.lock:
            value = secrets.token_hex(20)
            self.keys[value] = Key(group_id, self.vk.clock.now() + KEY_TTL)
            return {"key": value, "ts": str(self.community(group_id).next_ts)}

    # ------------------------------------------------------------------------------------------ control API
    KNOWN = frozenset({"longpoll_settings", "longpoll_events", "longpoll_lose_keys", "longpoll_expire_keys",
                       "longpoll_keep"})

    def configure(self, data: dict[str, Any]) -> None:
        """The ``longpoll_*`` settings of ``POST /_control/state/vk`` (see the module docstring)."""
        if "longpoll_settings" in data:
            spec = data["longpoll_settings"]
            if not isinstance(spec, dict):
                raise ValueError("'longpoll_settings' must be {group_id?, enabled?, api_version?, events?: [types]}")
            self._set(int(spec.get("group_id", GROUP_ID)), spec)
        if "longpoll_keep" in data:
            keep = data["longpoll_keep"]
            if isinstance(keep, bool) or not isinstance(keep, int) or keep < 1:
                raise ValueError("'longpoll_keep' must be a positive integer")
            for community in self.communities.values():
                community.keep = keep
                overflow = len(community.history) - keep
                if overflow > 0:
                    del community.history[:overflow]
                    community.first += overflow
            self.community(GROUP_ID).keep = keep
        for key in self.keys.values():
            if data.get("longpoll_lose_keys"):  # the next check with it answers failed 3
                key.lost = True
            if data.get("longpoll_expire_keys"):  # failed 2
                key.expires_at = self.vk.clock.now()
        events = data.get("longpoll_events")
        if events is not None:
            if not isinstance(events, list) or not all(isinstance(e, dict) for e in events):
                raise ValueError("'longpoll_events' must be a list of {type, group_id?, ...}")
            for spec in events:
                self._control_event(spec)

    def _set(self, group_id: int, spec: dict[str, Any]) -> None:
        if group_id not in self.vk.groups:
            raise ValueError(f"unknown group_id {group_id}")
        community = self.community(group_id)
        if "enabled" in spec:
            community.enabled = bool(spec["enabled"])
        if "api_version" in spec:
            community.api_version = str(spec["api_version"])
        if "events" in spec:
            unknown = sorted(set(spec["events"]) - set(EVENT_TYPES))
            if unknown:
                raise ValueError(f"unknown event types {unknown}")
            community.events = set(spec["events"])

    def _control_event(self, spec: dict[str, Any]) -> None:
        from . import events  # the objects the sandbox's own state builds for a type

        kind = spec.get("type")
        if kind not in EVENT_TYPES:
            raise ValueError(f"'type' must be one of the Long Poll event types, got {kind!r}")
        group_id = int(spec.get("group_id", GROUP_ID))
        if group_id not in self.vk.groups:
            raise ValueError(f"unknown group_id {group_id}")
        self.emit(group_id, kind, events.control_object(self.vk, group_id, kind, spec))

    def dump(self) -> dict[str, Any]:
        return {str(gid): {**c.settings(), "ts": c.next_ts, "first": c.first, "kept": len(c.history)}
                for gid, c in self.communities.items()}


# ---------------------------------------------------------------------------------------------- a_check
def _routes(state: SandboxState) -> list[BaseRoute]:
    async def a_check(request: Request) -> Response:
        vk: Any = state.services["vk"]
        data = dict(request.query_params)
        if request.method == "POST":
            async with request.form() as form:
                data.update({k: v for k, v in form.items() if isinstance(v, str)})
        if data.get("act") != "a_check":
            return JSONResponse({"failed": 2})  # UNCONFIRMED: what VK answers without act=a_check
        try:
            wait = min(max(int(data.get("wait") or 25), 0), MAX_WAIT)
        except ValueError:
            wait = 25
        longpoll: LongPollState = vk.longpoll
        deadline = vk.clock.now() + wait
        while True:
            answer = longpoll.answer(data.get("key", ""), data.get("ts"))
            if answer is not None:
                return JSONResponse(answer)
            if vk.clock.now() >= deadline:
                return JSONResponse({"ts": data.get("ts"), "updates": []})
            if state.services.get("vk") is not vk:  # the sandbox was reset: the key is gone with the old state
                return JSONResponse({"failed": 2})
            await asyncio.sleep(CHECK_INTERVAL)

    return [Route(PREFIX + "/{server}", a_check, methods=["GET", "POST"])]
