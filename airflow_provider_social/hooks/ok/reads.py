"""A group's topics with their counters and its daily statistics, read to the end (for the group's administrators).

OK offers a group's administrators (a session with VALUABLE_ACCESS and GROUP_CONTENT) statistics methods:
``group.getStatTopics`` (topics of a time window with the counters asked for, paged by an opaque ``anchor`` with
``has_more``), ``group.getStatTopic`` (one topic), ``group.getStatTrends`` (counters by day), ``group.getStatOverview``
and ``group.getStatPeople`` (a period's totals and the audience's demography). The reads here use the first and
the third; the others take no window and are one call each (:meth:`OkHook.call`). Page size, the time zone of a
day and whether ``end_time`` is inclusive are not documented (UNCONFIRMED): pages ask for 100, and every item is
also checked against ``since <= time < until`` here, so consecutive intervals meet without gaps or doubles
whichever way OK reads its bounds.

Each read is a :class:`~airflow_provider_social.core.reads.ReadStream`: items arrive page by page (memory does
not grow with the total), bounded by ``max_items``; ``stream.report()`` says what it read.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, NamedTuple

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.reads import ReadStream, check_bound, time_window
from airflow_provider_social.hooks.ok.posting import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.ok.client import OkClient

#: ``group.getStatTopics`` page size (the sandbox's maximum; OK documents none: UNCONFIRMED).
TOPICS_PAGE = 100
#: The counters a topic read asks for by default (StatTopicBean fields).
TOPIC_COUNTERS = ("views", "reach", "likes", "comments", "reshares", "engagement")
#: The series a statistics read asks for by default (``group.getStatTrends`` fields).
TREND_COUNTERS = ("reach", "renderings", "likes", "comments", "reshares", "members_count")
#: The permission every statistics method needs besides VALUABLE_ACCESS.
STATS_PERMISSION = "GROUP_CONTENT"


def _millis(seconds: float | None) -> int | None:
    return None if seconds is None else int(seconds * 1000)


def _names(values: Sequence[str] | str, field: str) -> list[str]:
    names = [values] if isinstance(values, str) else list(values)
    if not names or not all(isinstance(n, str) and n.strip().replace("_", "").isalnum() for n in names):
        raise input_error(field, f"expected counter names such as {', '.join(TOPIC_COUNTERS[:3])}, got {values!r}",
                          service=SERVICE)
    return [n.strip().lower() for n in names]


class StatsQuery(NamedTuple):
    """A statistics read's checked arguments; times in epoch milliseconds."""

    gid: str
    fields: list[str]
    limit: int | None
    start_ms: int | None
    end_ms: int | None

    @property
    def empty(self) -> bool:
        """An empty window (a manual run's data interval): nothing to ask for."""
        return self.start_ms is not None and self.start_ms == self.end_ms

    def covers(self, ms: Any) -> bool:
        """Whether a time is ``start <= ms < end`` (an item without a time is kept: OK filtered it).

        :param ms: the item's time in epoch milliseconds (``created_ms``, a trend point's ``time``)."""
        if not isinstance(ms, int):
            return True
        return (self.start_ms is None or ms >= self.start_ms) and (self.end_ms is None or ms < self.end_ms)


class OkReads:
    """Paged reads of a group's statistics.

    :param client: sends OK's declared calls.
    :param group_id: resolves a ``group_id`` argument (None: the connection's group).
    :param permissions: the permissions the connection's session was granted (checked before any request).
    :param conn_id: the connection, named when a permission is missing.
    """

    def __init__(self, client: OkClient, *, group_id: Callable[[Any], str], permissions: frozenset[str],
                 conn_id: str) -> None:
        self.client = client
        self.group_id = group_id
        self.permissions = permissions
        self.conn_id = conn_id

    def _query(self, method: str, group_id: Any, since: Any, until: Any, counters: Sequence[str] | str,
               max_items: int | None) -> StatsQuery:
        """A statistics read's arguments, checked (and the connection's permission) before any request."""
        limit = check_bound(max_items, field="max_items", service=SERVICE)
        fields = _names(counters, "counters")
        start, end = time_window(since, until, service=SERVICE)
        gid = self.group_id(group_id)
        if STATS_PERMISSION not in self.permissions:
            raise input_error(f"connection {self.conn_id!r}, field permissions",
                              f"reading group statistics ({method}) needs {STATS_PERMISSION} (and VALUABLE_ACCESS), "
                              f"granted: {';'.join(sorted(self.permissions)) or 'none'}; authorise again with it "
                              f"(`airflow social auth ok --conn-id {self.conn_id}`)", service=SERVICE)
        return StatsQuery(gid, fields, limit, _millis(start), _millis(end))

    def read_group_topics(self, *, group_id: Any = None, since: datetime | float | None = None,
                          until: datetime | float | None = None, counters: Sequence[str] = TOPIC_COUNTERS,
                          max_items: int | None = None) -> ReadStream[dict[str, Any]]:
        """The group's topics created ``since <= created < until``, newest first, each ``{"id", "created_ms",
        <counters>}`` (``group.getStatTopics``, 100 per request, followed by ``anchor`` while ``has_more``).

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param since: only topics created at or after this (aware datetime or unix seconds).
        :param until: only topics created before this.
        :param counters: the counters to read (StatTopicBean fields: ``views``, ``reach``, ``likes``,
            ``comments``, ``reshares``, ``engagement``, ``renderings``, ``link_clicks``, ...).
        :param max_items: stop after this many topics (None: read to the end).
        """
        query = self._query("group.getStatTopics", group_id, since, until, counters, max_items)

        def pages(stream: ReadStream[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if query.empty:
                return  # an empty window (a manual run's data interval): nothing to ask for
            anchor: str | None = None
            while not stream.spent():
                stream.requests += 1
                answer = self.client.call("group.getStatTopics", gid=query.gid, fields=["id", "created_ms",
                                                                                         *query.fields],
                                          count=TOPICS_PAGE, anchor=anchor, start_time=query.start_ms,
                                          end_time=query.end_ms)
                body = answer if isinstance(answer, dict) else {}
                topics = body.get("topics") or []
                yield from (topic for topic in topics if query.covers(topic.get("created_ms")))
                anchor = body.get("anchor")
                if not topics or not body.get("has_more") or not anchor:
                    return

        return ReadStream(SERVICE, f"topics of group {query.gid}", pages, limit=query.limit)

    def read_group_trends(self, *, group_id: Any = None, since: datetime | float | None = None,
                          until: datetime | float | None = None, counters: Sequence[str] = TREND_COUNTERS,
                          max_items: int | None = None) -> ReadStream[dict[str, Any]]:
        """The group's counters by day, oldest first: one ``{"date", "time", <counter>: value, ...}`` per day that
        begins ``since <= time < until`` (``group.getStatTrends``, one request for the window).

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param since: the first day (aware datetime or unix seconds; a day counts when it begins in the window).
        :param until: the end of the window (exclusive).
        :param counters: the series to read (``reach``, ``renderings``, ``likes``, ``comments``, ``reshares``,
            ``engagement``, ``members_count``, ``new_members``, ``left_members``, ``page_visits``, ...).
        :param max_items: stop after this many days (None: all).
        """
        query = self._query("group.getStatTrends", group_id, since, until, counters, max_items)

        def pages(stream: ReadStream[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if query.empty:
                return
            stream.requests += 1
            answer = self.client.call("group.getStatTrends", gid=query.gid, fields=query.fields,
                                      start_time=query.start_ms, end_time=query.end_ms)
            body = answer if isinstance(answer, dict) else {}
            days: dict[int, dict[str, Any]] = {}
            for name in query.fields:
                for point in body.get(name) or []:
                    time = point.get("time") if isinstance(point, dict) else None
                    if not isinstance(time, int) or not query.covers(time):
                        continue
                    day = datetime.fromtimestamp(time / 1000, tz=timezone.utc).date().isoformat()
                    days.setdefault(time, {"date": day, "time": time})[name] = point.get("value")
            for time in sorted(days):
                yield days[time]

        return ReadStream(SERVICE, f"daily statistics of group {query.gid}", pages, limit=query.limit)


__all__ = ["STATS_PERMISSION", "TOPIC_COUNTERS", "TREND_COUNTERS", "OkReads"]
