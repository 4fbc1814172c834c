"""History to read: seeded posts, comments, members and orders, and the indexes the read methods page through.

Control API (``POST /_control/state/vk``, kept here as ``VkState.history``)::

    {"seed": {"posts": 10000, "comments_per_post": 3, "members": 100000, "orders": 500,
              "group_id"?: 190000001, "start"?: <unix time of the first post>, "step"?: 600}}

Seeded posts are dated ``start + i * step`` (default: ending now), with counters that differ post by post
(``views``, ``likes``, ``reposts``; ``comments`` is the seeded comments' count); comments are dated a minute apart
after their post; members get ids from 10,000,001 up and join in that order; orders go to the shop, dated like
posts. Seeding appends: call it again to add more. The dump shows counts only (a dump of 100,000 members would
be the largest thing a test reads).

Per-method daily caps (error 29) are the state's ``daily_caps`` (:func:`.rules.check_daily_quota`).
"""

from __future__ import annotations

from typing import Any, Protocol

from ..clock import SandboxClock
from .fixtures import ADMIN_USER_ID, GROUP_ID

FIRST_MEMBER_ID = 10_000_001
SEED_FIELDS = frozenset({"posts", "comments_per_post", "members", "orders", "group_id", "start", "step"})


class VkWorld(Protocol):
    """What the history reads and writes of the VK sandbox's state (``VkState``)."""

    users: dict[int, Any]
    groups: dict[int, Any]
    posts: dict[tuple[int, int], dict[str, Any]]
    comments: list[dict[str, Any]]
    shop: Any

    @property
    def clock(self) -> SandboxClock: ...

    def next_id(self, kind: str) -> int: ...


def _count(spec: dict[str, Any], name: str, default: int = 0, *, lo: int = 0) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < lo:
        raise ValueError(f"'seed.{name}' must be an integer >= {lo}")
    return value


class HistoryState:
    """Seeded history and read indexes of the VK sandbox."""

    KNOWN = frozenset({"seed"})

    def __init__(self, vk: VkWorld) -> None:
        self.vk = vk
        self.joined: dict[int, list[int]] = {}  # community -> members in join order (seeded ones)
        self._members_sorted: dict[int, tuple[int, list[int]]] = {}
        self._comments_index: tuple[int, dict[tuple[int, int], list[dict[str, Any]]]] = (-1, {})

    # ---------------------------------------------------------------- control API

    def configure(self, data: dict[str, Any]) -> None:
        if "seed" in data:
            self.seed(data["seed"])

    def seed(self, spec: Any) -> None:
        if not isinstance(spec, dict) or set(spec) - SEED_FIELDS:
            raise ValueError(f"'seed' must be a mapping of {sorted(SEED_FIELDS)}")
        vk = self.vk
        gid = _count(spec, "group_id", GROUP_ID, lo=1)
        group = vk.groups.get(gid)
        if group is None:
            raise ValueError(f"unknown group_id {gid}; sandbox communities: {sorted(vk.groups)}")
        posts, per_post = _count(spec, "posts"), _count(spec, "comments_per_post")
        members, orders = _count(spec, "members"), _count(spec, "orders")
        step = _count(spec, "step", 600, lo=1)
        now = int(vk.clock.now())
        start = _count(spec, "start", now - step * max(posts, orders), lo=1)
        joined = self.joined.setdefault(gid, [])
        first = FIRST_MEMBER_ID + len(joined)
        for member in range(first, first + members):
            group.members.add(member)
            joined.append(member)
        authors = sorted(vk.users)
        for i in range(posts):
            self._seed_post(-gid, start + i * step, per_post, authors)
        for i in range(orders):
            vk.shop._add_order({"user_id": authors[i % len(authors)], "amount": 1000 + 10 * i, "group_id": gid,
                                "date": start + i * step, "status": i % 7})

    def _seed_post(self, owner: int, date: int, comments: int, authors: list[int]) -> None:
        vk = self.vk
        post_id = vk.next_id("post")
        vk.posts[(owner, post_id)] = {
            "id": post_id, "owner_id": owner, "from_id": owner, "created_by": ADMIN_USER_ID, "date": date,
            "text": f"Seeded post {post_id}", "attachments": [], "comments": {"count": comments},
            "likes": {"count": post_id * 7 % 101}, "reposts": {"count": post_id % 13},
            "views": {"count": 100 + post_id * 37 % 1000}, "_guid": None, "signed": 0, "close_comments": 0,
        }
        for j in range(comments):
            vk.comments.append({
                "id": vk.next_id("comment"), "owner_id": owner, "post_id": post_id,
                "from_id": authors[j % len(authors)], "date": date + 60 * (j + 1), "text": f"Comment {j + 1}",
                "attachments": [], "parents_stack": [], "_guid": None,
            })

    def dump(self) -> dict[str, Any]:
        return {"history": {"members": {str(g.id): len(g.members) for g in self.vk.groups.values()}}}

    # ---------------------------------------------------------------- indexes the read methods use

    def members(self, gid: int, sort: str) -> list[int]:
        """The community's members in ``sort`` order (cached until the membership changes size)."""
        group = self.vk.groups[gid]
        if sort.startswith("time"):
            seeded = self.joined.get(gid, [])
            ordered = sorted(group.members - set(seeded)) + [m for m in seeded if m in group.members]
        else:
            size, cached = self._members_sorted.get(gid, (-1, []))
            if size != len(group.members):
                cached = sorted(group.members)
                self._members_sorted[gid] = (len(group.members), cached)
            ordered = cached
        return ordered[::-1] if sort.endswith("desc") else ordered

    def comments_of(self, owner: int, post_id: int) -> list[dict[str, Any]]:
        """The post's comments in creation order (the index is rebuilt when comments were added)."""
        size, index = self._comments_index
        if size != len(self.vk.comments):
            index = {}
            for comment in self.vk.comments:
                index.setdefault((comment["owner_id"], comment["post_id"]), []).append(comment)
            self._comments_index = (len(self.vk.comments), index)
        return index.get((owner, post_id), [])


__all__ = ["HistoryState"]
