"""Offset paging through ``execute``: up to 25 pages of one or several lists per HTTP request.

VK pages a list with ``offset`` and ``count`` and answers ``{"count": total, "items": [...]}``. A pager plans the
next request's pages from what it knows: a list whose total is known gets exactly the pages it still needs; a
lone list whose total is not known yet gets every slot (vk_api's ``VkTools.get_all`` likewise runs 25 calls per
``execute``); in a read of many lists (comments of many posts) an unknown list gets one page first. The script
is the plain ``return [API.m({...}), ...];`` of :mod:`.batch` with JSON-encoded parameters, so nothing is built
from strings and no VKScript beyond that subset is needed.

A list is done when a page comes back shorter than asked or reaches the reported total. Items already seen on
the previous page of the same list are skipped: a post published while paging shifts the rest of the wall down
by one. (A deletion while paging shifts it up, and one item may then be missed: VK offers no cursor for these
methods.)
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ServerError
from airflow_provider_social.hooks.vk.batch import EXECUTE_LIMIT, BatchCall
from airflow_provider_social.hooks.vk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.reads import ReadStream
    from airflow_provider_social.hooks.vk.calls import VkApi


@dataclass
class OffsetList:
    """One list VK pages by offset.

    :param method: the method that reads a page (``wall.get``).
    :param params: its parameters other than ``offset`` and ``count``.
    :param page_size: the method's ``count`` maximum.
    :param total: the number of items when already known (a post's ``comments.count``), else None.
    :param tag: fields added to each item (``{"post_id": 12}`` for comments), or None.
    :param next_offset: the offset of the next page to ask for.
    :param done: whether the list is read to its end.
    :param seen: the keys of the last page read (a shifted list repeats some of them on the next page).
    """

    method: str
    params: dict[str, Any]
    page_size: int
    total: int | None = None
    tag: dict[str, Any] | None = None
    next_offset: int = 0
    done: bool = False
    seen: frozenset[Any] = field(default_factory=frozenset)

    def pages_wanted(self, slots: int, *, alone: bool, budget_pages: int | None) -> int:
        """How many of ``slots`` pages this list takes in the next request.

        :param slots: the pages still free in the request.
        :param alone: whether this is the only list left (an unknown total then takes every slot).
        :param budget_pages: the pages the read's bound still allows (None: no bound).
        """
        if self.total is not None:
            left = max(0, self.total - self.next_offset)
            wanted = -(-left // self.page_size)
        else:
            wanted = slots if alone else 1
        if budget_pages is not None:
            wanted = min(wanted, max(1, budget_pages))
        return min(wanted, slots)

    def read(self, offset: int, page: Any) -> list[Any]:
        """The new items of the page at ``offset``; marks the list done at its end.

        :param offset: the page's offset.
        :param page: VK's answer for the page (``{"count", "items"}``).
        """
        if not isinstance(page, dict) or not isinstance(page.get("items"), list):
            raise ServerError(f"{self.method} answered {type(page).__name__} instead of a page", service=SERVICE,
                              operation=self.method)
        items = page["items"]
        total = page.get("current_level_count", page.get("count"))
        if isinstance(total, int):
            self.total = total
        fresh = [item for item in items if item_key(item) not in self.seen]
        self.seen = frozenset(item_key(item) for item in items)
        if len(items) < self.page_size or (self.total is not None and offset + self.page_size >= self.total):
            self.done = True
        if self.tag:
            fresh = [{**item, **self.tag} for item in fresh]
        return fresh


def item_key(item: Any) -> Any:
    """What identifies an item of a page: its ``id`` (posts, comments, orders, members with fields) or itself."""
    return item.get("id") if isinstance(item, dict) else item


class OffsetPager:
    """Reads lists to their end through ``execute``, 25 pages per request, with one token kind.

    :param api: the VK API client.
    :param kind: the token kind every page's method accepts (checked before any request).
    :param stream: the read being served (its bound sizes the requests; each request is counted on it).
    """

    def __init__(self, api: VkApi, kind: str, stream: ReadStream[Any]) -> None:
        self.api = api
        self.kind = kind
        self.stream = stream

    def items(self, lists: Iterable[OffsetList]) -> Iterator[Any]:
        """Every item of every list as the pages arrive (a list's items in order; the pages of several lists
        share requests).

        :param lists: the lists to read, taken lazily (at most 25 are open at a time).
        """
        source = iter(lists)
        active: deque[OffsetList] = deque()
        exhausted = False
        while True:
            if not exhausted and len(active) < EXECUTE_LIMIT:
                for paged in source:
                    if paged.total == 0:
                        continue  # known empty: no request
                    active.append(paged)
                    if len(active) >= EXECUTE_LIMIT:
                        break
                else:
                    exhausted = True
            if not active or self.stream.spent():
                return
            plan = self._plan(active, alone=exhausted and len(active) == 1)
            if not plan:
                active = deque(p for p in active if not p.done)
                continue
            results = self.api.batch([BatchCall(p.method, {**p.params, "offset": o, "count": p.page_size})
                                      for p, o in plan], token=self.kind)
            self.stream.requests += 1
            for (paged, offset), result in zip(plan, results, strict=True):
                if paged.done:
                    continue  # a page past the end planned before the total was known
                yield from paged.read(offset, result.result())
            # Let this request's pages go before the next request: still referenced, they would stay alive while
            # the next answer is read and decoded, and a read's peak would hold two requests' pages, not one.
            del results, result
            active = deque(p for p in active if not p.done)

    def _plan(self, active: deque[OffsetList], *, alone: bool) -> list[tuple[OffsetList, int]]:
        plan: list[tuple[OffsetList, int]] = []
        remaining = self.stream.remaining
        for paged in active:
            slots = EXECUTE_LIMIT - len(plan)
            if slots <= 0:
                break
            budget_pages = None if remaining is None else -(-remaining // paged.page_size)
            wanted = paged.pages_wanted(slots, alone=alone, budget_pages=budget_pages)
            if wanted == 0:
                paged.done = True  # its known total is read
            for _ in range(wanted):
                plan.append((paged, paged.next_offset))
                paged.next_offset += paged.page_size
        return plan


__all__ = ["OffsetList", "OffsetPager", "item_key"]
