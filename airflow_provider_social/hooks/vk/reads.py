"""Reads paged to the end: wall posts with their counters, comments, community members, market orders.

Every read is a :class:`~airflow_provider_social.core.reads.ReadStream`: iterate it for the items as the pages
arrive (25 pages per ``execute`` request, :mod:`.paging`), bounded by ``max_items``; ``stream.report()`` says what
it read. Page sizes are the methods' ``count`` maxima in VK's schema (``VKCOM/vk-api-schema`` 5.199): ``wall.get``
100, ``wall.getComments`` 100, ``groups.getMembers`` 1000, ``market.getGroupOrders`` 50. The token kind comes from
the method table and is checked before any request: a read the connection has no token for fails at once, naming
the Connection field to fill.

Windows (``since`` <= date < ``until``) are applied to each item's ``date``. The wall is read newest first, so a
wall read stops at the first post older than ``since`` (a pinned post, shown first whatever its age, is skipped).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.reads import ReadStream, check_bound
from airflow_provider_social.hooks.vk.concern import CommunityConcern
from airflow_provider_social.hooks.vk.methods import method_spec
from airflow_provider_social.hooks.vk.paging import OffsetList, OffsetPager
from airflow_provider_social.hooks.vk.policy import SERVICE
from airflow_provider_social.hooks.vk.wall import unix_time

#: Each read method's ``count`` maximum (schema).
PAGE_SIZES = {"wall.get": 100, "wall.getComments": 100, "groups.getMembers": 1000, "market.getGroupOrders": 50}
WALL_FILTERS = ("owner", "others", "all")
MEMBER_SORTS = ("id_asc", "id_desc", "time_asc", "time_desc")


def window(since: datetime | int | None, until: datetime | int | None) -> tuple[int | None, int | None]:
    """``(since, until)`` as unix times; ``until`` must not be before ``since`` (equal: an empty window)."""
    start = unix_time(since, field="since") if since is not None else None
    end = unix_time(until, field="until") if until is not None else None
    if start is not None and end is not None and end < start:
        raise input_error("until", f"must not be before since ({start}), got {end}", service=SERVICE)
    return start, end


def within(date: Any, start: int | None, end: int | None) -> bool:
    return isinstance(date, int) and (start is None or date >= start) and (end is None or date < end)


class VkReads(CommunityConcern):
    """Paged reads of the community.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def _stream(self, method: str, resource: str, pages: Callable[[OffsetPager], Iterator[Any]], *,
                max_items: int | None, token: str | None, also: Sequence[str] = ()) -> ReadStream[Any]:
        """A read of ``method`` (and ``also``, read in the same requests) with one token kind, chosen now."""
        limit = check_bound(max_items, field="max_items", service=SERVICE)
        specs = [method_spec(name) for name in (method, *also)]
        kinds = tuple(k for k in specs[0].kinds(token) if all(k in s.kinds(token) for s in specs))
        kind = self.api.credentials.choose_kind(kinds, f"read {resource} ({method})", prefer=token)
        return ReadStream(SERVICE, resource, lambda stream: pages(OffsetPager(self.api, kind, stream)),
                          limit=limit)

    def read_wall_posts(self, *, group_id: Any = None, since: datetime | int | None = None,
                        until: datetime | int | None = None, filter: str = "all", max_items: int | None = None,
                        token: str | None = None) -> ReadStream[dict[str, Any]]:
        """The community wall's posts, newest first, each with ``views``, ``likes``, ``reposts`` and ``comments``
        counters as VK gives them (``wall.get``, 100 per page, 25 pages per request; a user token).

        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param since: only posts dated at or after this (aware datetime or unix time); the read stops at the
            first older post.
        :param until: only posts dated before this.
        :param filter: ``all`` (default), ``owner`` (the community's own posts) or ``others``.
        :param max_items: stop after this many posts (None: read to the end).
        :param token: ``"user"`` to insist on the kind (``wall.get`` takes only user tokens here).
        """
        if filter not in WALL_FILTERS:
            raise input_error("filter", f"must be one of {', '.join(WALL_FILTERS)}, got {filter!r}", service=SERVICE)
        start, end = window(since, until)
        owner = -self.group(group_id)

        def pages(pager: OffsetPager) -> Iterator[dict[str, Any]]:
            if start is not None and start == end:
                return  # an empty window (a manual run's data interval): nothing to ask for
            wall = OffsetList("wall.get", {"owner_id": owner, "filter": filter}, PAGE_SIZES["wall.get"])
            for post in pager.items([wall]):
                if start is not None and isinstance(post.get("date"), int) and post["date"] < start:
                    if post.get("is_pinned"):
                        continue
                    return
                if within(post.get("date"), start, end):
                    yield post

        return self._stream("wall.get", f"wall posts of club{-owner}", pages, max_items=max_items, token=token)

    def read_comments(self, post_ids: Iterable[int] | None = None, *, group_id: Any = None,
                      since: datetime | int | None = None, until: datetime | int | None = None,
                      max_items: int | None = None, token: str | None = None) -> ReadStream[dict[str, Any]]:
        """Top-level comments of the community's posts (``wall.getComments``, 100 per page, pages of several posts
        in one request), oldest first per post, each with its ``post_id`` and ``thread`` counter.

        Without ``post_ids`` every post of the wall is read first (``wall.get`` in the same kind of requests) and
        only posts with comments are asked for theirs, their ``comments.count`` planning the pages exactly.

        :param post_ids: the posts whose comments to read (None: every post of the wall).
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param since: only comments dated at or after this (aware datetime or unix time).
        :param until: only comments dated before this.
        :param max_items: stop after this many comments (None: read to the end).
        :param token: ``"user"`` to insist on the kind.
        """
        start, end = window(since, until)
        owner = -self.group(group_id)
        size = PAGE_SIZES["wall.getComments"]

        def comment_list(post_id: int, total: int | None) -> OffsetList:
            return OffsetList("wall.getComments", {"owner_id": owner, "post_id": post_id, "sort": "asc",
                                                   "need_likes": 1}, size, total=total, tag={"post_id": post_id})

        def lists(pager: OffsetPager) -> Iterator[OffsetList]:
            if post_ids is not None:
                for post_id in post_ids:
                    yield comment_list(_post_id(post_id), None)
                return
            wall = OffsetList("wall.get", {"owner_id": owner}, PAGE_SIZES["wall.get"])
            for post in pager.items([wall]):
                count = (post.get("comments") or {}).get("count")
                yield comment_list(int(post["id"]), count if isinstance(count, int) else None)

        def pages(pager: OffsetPager) -> Iterator[dict[str, Any]]:
            if start is not None and start == end:
                return
            for comment in pager.items(lists(pager)):
                if within(comment.get("date"), start, end):
                    yield comment

        also = ("wall.get",) if post_ids is None else ()
        return self._stream("wall.getComments", f"comments of club{-owner}", pages, max_items=max_items,
                            token=token, also=also)

    def read_members(self, *, group_id: Any = None, fields: Sequence[str] = (), sort: str = "id_asc",
                     max_items: int | None = None, token: str | None = None) -> ReadStream[Any]:
        """The community's members (``groups.getMembers``, 1000 per page, 25,000 per request): user ids, or user
        objects when ``fields`` are asked for.

        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param fields: user fields to return (``sex``, ``city``, ...); none: plain ids.
        :param sort: ``id_asc`` (default), ``id_desc``; ``time_asc``/``time_desc`` need a moderator's token.
        :param max_items: stop after this many members (None: read to the end).
        :param token: ``"community"`` or ``"user"``; default: the community key when the connection has one.
        """
        if sort not in MEMBER_SORTS:
            raise input_error("sort", f"must be one of {', '.join(MEMBER_SORTS)}, got {sort!r}", service=SERVICE)
        gid = self.group(group_id)
        params: dict[str, Any] = {"group_id": gid, "sort": sort}
        if fields:
            params["fields"] = list(fields)

        def pages(pager: OffsetPager) -> Iterator[Any]:
            yield from pager.items([OffsetList("groups.getMembers", params, PAGE_SIZES["groups.getMembers"])])

        return self._stream("groups.getMembers", f"members of club{gid}", pages, max_items=max_items, token=token)

    def read_orders(self, *, group_id: Any = None, since: datetime | int | None = None,
                    until: datetime | int | None = None, max_items: int | None = None,
                    token: str | None = None) -> ReadStream[dict[str, Any]]:
        """The community shop's orders (``market.getGroupOrders``, 50 per page), filtered by their ``date``.

        VK does not document the order of this list, so a window filters every order rather than stopping early.

        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param since: only orders dated at or after this (aware datetime or unix time).
        :param until: only orders dated before this.
        :param max_items: stop after this many orders (None: read to the end).
        :param token: ``"community"`` or ``"user"``; default: the community key when the connection has one.
        """
        start, end = window(since, until)
        gid = self.group(group_id)

        def pages(pager: OffsetPager) -> Iterator[dict[str, Any]]:
            if start is not None and start == end:
                return
            orders = OffsetList("market.getGroupOrders", {"group_id": gid}, PAGE_SIZES["market.getGroupOrders"])
            for order in pager.items([orders]):
                if within(order.get("date"), start, end):
                    yield order

        return self._stream("market.getGroupOrders", f"orders of club{gid}", pages, max_items=max_items,
                            token=token)


def _post_id(value: Any) -> int:
    text = str(value).strip()
    if not text.isdigit():
        raise input_error("post_ids", f"expected positive numeric post ids, got {value!r}", service=SERVICE)
    return int(text)


__all__ = ["PAGE_SIZES", "VkReads", "window"]
