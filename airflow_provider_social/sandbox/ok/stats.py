"""A group's statistics for its administrators: ``group.getStatTopics`` and ``group.getStatTrends``, and the seeded
topic history they read.

Sources: apiok.ru's method pages as client libraries quote them (``group.getStatTopics``: ``gid``, ``fields``,
``count``, ``anchor``, ``start_time``/``end_time`` in milliseconds, "may be empty"; ``group.getStatTrends``: the
same window, "the history of the statistics counters by day"; both need a session with VALUABLE_ACCESS and
GROUP_CONTENT), a typed client's response records (``topics``, ``anchor``, ``has_more``, ``totalCount``; trend
series of ``{time, value}`` points) and the field names clients request. UNCONFIRMED, so the sandbox takes the
strict reading: the largest ``count`` (100 here), whether ``end_time`` is inclusive (here: exclusive), the order
(newest first), the time zone of a day (UTC here), and the wording of the refusal to a plain member (10).

The seeded history they read: :meth:`.state.OkState.seed_topics`.
"""

from __future__ import annotations

import base64
import binascii
from typing import TYPE_CHECKING, Any

from .attachment import moscow_ms
from .state import ApiError, counters

if TYPE_CHECKING:
    from .api import Caller
    from .state import Group, OkState, Topic

DAY_MS = 86_400_000
MAX_STAT_TOPICS_PAGE = 100  # UNCONFIRMED: the docs give no maximum; the sandbox refuses more
DEFAULT_STAT_TOPICS_PAGE = 20  # UNCONFIRMED
#: The StatTopicBean fields the sandbox answers (names as clients request them, in any case).
TOPIC_FIELDS = ("id", "created_ms", "views", "renderings", "reach", "reach_own", "reach_earned", "likes",
                "comments", "reshares", "engagement", "feedback_total", "content_opens", "link_clicks")
#: The trend series the sandbox answers.
TREND_FIELDS = ("reach", "renderings", "likes", "comments", "reshares", "engagement", "members_count",
                "new_members", "left_members", "page_visits")


def _admin_group(service: OkState, who: Caller, params: dict[str, str]) -> Group:
    gid = params.get("gid")
    if not gid:
        raise ApiError(100, "Missing required parameter gid")
    group = service.groups.get(gid)
    if group is None:
        raise ApiError(100, f"Invalid parameter gid: group {gid} not found")
    if who.uid not in group.admins:
        raise ApiError(10, f"User {who.uid} is not an administrator of group {gid}: statistics are for admins")
    return group


def _fields(params: dict[str, str], known: tuple[str, ...]) -> list[str]:
    raw = params.get("fields", "")
    if not raw.strip():
        raise ApiError(100, "Missing required parameter fields")
    fields = [f.strip().lower() for f in raw.split(",") if f.strip()]
    unknown = sorted(set(fields) - set(known))
    if unknown:
        raise ApiError(100, f"Invalid parameter fields: unknown field(s) {', '.join(f.upper() for f in unknown)}")
    return fields


def _ms(params: dict[str, str], name: str) -> int | None:
    raw = params.get(name)
    if raw in (None, ""):
        return None
    if not raw.isdigit():  # type: ignore[union-attr]
        raise ApiError(100, f"Invalid parameter {name}: {raw!r} is not a time in milliseconds")
    return int(raw)  # type: ignore[arg-type]


def _window(params: dict[str, str]) -> tuple[int | None, int | None]:
    start, end = _ms(params, "start_time"), _ms(params, "end_time")
    if start is not None and end is not None and end < start:
        raise ApiError(100, "Invalid parameter end_time: before start_time")
    return start, end


def _published(service: OkState, group: Group, start: int | None, end: int | None) -> list[Topic]:
    now = service.now_ms()
    return [t for t in service.topics.values() if t.gid == group.gid and not t.deleted
            and (t.publish_at is None or moscow_ms(t.publish_at) <= now)
            and (start is None or t.created_ms >= start) and (end is None or t.created_ms < end)]


def _anchor(gid: str, topic: Topic) -> str:
    return base64.urlsafe_b64encode(f"{gid}:{topic.created_ms}:{topic.id}".encode()).decode().rstrip("=")


def _position(gid: str, anchor: str) -> tuple[int, int]:
    """Where an anchor this sandbox handed out points (created_ms, id); anything else is refused."""
    try:
        gid_, created, topic_id = base64.urlsafe_b64decode(anchor + "=" * (-len(anchor) % 4)).decode().split(":")
        position = (int(created), int(topic_id))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise ApiError(100, f"Invalid parameter anchor: {anchor!r}") from None
    if gid_ != gid:
        raise ApiError(100, f"Invalid parameter anchor: {anchor!r} belongs to another group")
    return position


async def get_stat_topics(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    """``{"topics": [...], "anchor", "has_more", "totalCount"}``, newest first, paged by ``anchor``."""
    group = _admin_group(service, who, params)
    fields = _fields(params, TOPIC_FIELDS)
    raw_count = params.get("count") or str(DEFAULT_STAT_TOPICS_PAGE)
    if not raw_count.isdigit() or not 1 <= int(raw_count) <= MAX_STAT_TOPICS_PAGE:
        raise ApiError(100, f"Invalid parameter count: must be from 1 to {MAX_STAT_TOPICS_PAGE}")
    count = int(raw_count)
    start, end = _window(params)
    topics = sorted(_published(service, group, start, end), key=lambda t: (t.created_ms, int(t.id)), reverse=True)
    total = len(topics)
    if params.get("anchor"):
        after = _position(group.gid, params["anchor"])
        topics = [t for t in topics if (t.created_ms, int(t.id)) < after]
    page = topics[:count]
    rows = []
    for topic in page:
        full = {"id": topic.id, "created_ms": topic.created_ms, **(topic.stats or counters(0))}
        rows.append({f: full[f] for f in ["id", *fields] if f in full})
    answer: dict[str, Any] = {"topics": rows, "has_more": len(topics) > count, "totalCount": total}
    if page:
        answer["anchor"] = _anchor(group.gid, page[-1])
    return answer


async def get_stat_trends(service: OkState, who: Caller, params: dict[str, str]) -> dict[str, Any]:
    """``{field: [{"time", "value"}, ...]}``: one point per (UTC) day of the window, oldest first."""
    group = _admin_group(service, who, params)
    fields = _fields(params, TREND_FIELDS)
    start, end = _window(params)
    topics = _published(service, group, None, None)
    now = service.now_ms()
    first = start if start is not None else min((t.created_ms for t in topics), default=now)
    last = end if end is not None else now + 1
    by_day: dict[int, dict[str, int]] = {}
    for topic in topics:
        day = topic.created_ms - topic.created_ms % DAY_MS
        totals = by_day.setdefault(day, {})
        for name, value in (topic.stats or counters(0)).items():
            totals[name] = totals.get(name, 0) + value
    series: dict[str, list[dict[str, int]]] = {f: [] for f in fields}
    day = first - first % DAY_MS
    if day < first:
        day += DAY_MS  # a day is counted when it begins within the window
    while day < last:
        totals = by_day.get(day, {})
        for name in fields:
            if name == "members_count":
                value = len(group.members)
            elif name in ("new_members", "left_members"):
                value = 0
            elif name == "page_visits":
                value = totals.get("reach", 0) // 10
            else:
                value = totals.get(name, 0)
            series[name].append({"time": day, "value": value})
        day += DAY_MS
    return series
