"""Community statistics and post reach (user token with the ``stats`` scope).

``stats.getPostReach`` takes at most 30 post ids (schema ``maxItems``): larger sets are split and the calls
packed into ``execute`` (25 per request).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.checks import positive_id, unix_time
from airflow_provider_social.hooks.vk.concern import CommunityConcern
from airflow_provider_social.hooks.vk.policy import SERVICE

POSTS_PER_REACH_CALL = 30
INTERVALS = ("day", "week", "month", "year", "all")


class VkStats(CommunityConcern):
    """Community statistics and post reach.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def get_community_stats(self, date_from: datetime | int, date_to: datetime | int | None = None, *,
                            interval: str = "day", group_id: Any = None, extended: bool = True) -> list[Any]:
        """``stats.get`` for the community over [date_from, date_to]: one entry per ``interval``.

        :param date_from: the start: an aware datetime or unix time.
        :param date_to: the end (default: now).
        :param interval: ``day``, ``week``, ``month``, ``year`` or ``all``.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param extended: ask VK for the extended breakdown.
        """
        if not isinstance(interval, str) or interval not in INTERVALS:
            raise input_error("interval", f"must be one of {', '.join(INTERVALS)}, got {interval!r}",
                              service=SERVICE)
        start = unix_time(date_from, field="date_from")
        end = unix_time(date_to, field="date_to") if date_to is not None else None
        if end is not None and end < start:
            raise input_error("date_to", "must not be before date_from", service=SERVICE)
        return list(self.api.call("stats.get", group_id=self.group(group_id), timestamp_from=start, timestamp_to=end,
                              interval=interval, extended=extended))

    def get_post_reach(self, post_ids: Sequence[int | str], *, group_id: Any = None) -> list[dict[str, Any]]:
        """Reach of each post (``stats.getPostReach``), any number of posts: 30 per call, calls through
        ``execute``. Each entry carries its ``post_id``.

        :param post_ids: the community's post ids, any number (30 per call, calls packed into ``execute``).
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        ids = check_post_ids(post_ids)
        owner = -self.group(group_id)
        chunks = [ids[i : i + POSTS_PER_REACH_CALL] for i in range(0, len(ids), POSTS_PER_REACH_CALL)]
        if len(chunks) == 1:
            answers = [self.api.call("stats.getPostReach", owner_id=owner, post_ids=chunks[0])]
        else:
            results = self.api.batch([("stats.getPostReach", {"owner_id": owner, "post_ids": c}) for c in chunks])
            answers = [r.result() for r in results]
        reach: list[dict[str, Any]] = []
        for chunk, answer in zip(chunks, answers, strict=True):
            for post_id, entry in zip(chunk, answer or [], strict=False):
                reach.append({"post_id": int(post_id), **dict(entry)})
        return reach


def check_post_ids(post_ids: Sequence[Any]) -> list[str]:
    """The community's post ids as text, each a positive number; at least one (before any call)."""
    if isinstance(post_ids, (str, bytes)) or not isinstance(post_ids, Sequence) or not post_ids:
        raise input_error("post_ids", f"expected a list of positive post ids, got {post_ids!r:.80}", service=SERVICE)
    return [str(positive_id(p, "post_ids")) for p in post_ids]


__all__ = ["VkStats", "check_post_ids"]
