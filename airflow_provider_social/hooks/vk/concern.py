"""What the VK hook's community concerns (media, reads, statistics, long poll) are built from."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi


class CommunityConcern:
    """A part of the hook that calls VK about one community.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def __init__(self, api: VkApi, *, group: Callable[[Any], int]) -> None:
        self.api = api
        self.group = group


__all__ = ["CommunityConcern"]
