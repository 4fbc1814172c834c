"""Extra link: the VK Cloud console, where Vision's service tokens, OAuth clients and billing live.

Vision creates nothing with a page of its own (results are returned, not stored), so the button leads to where a
user manages what the task used.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey

CONSOLE_URL = "https://msk.cloud.vk.com/app/"


class VkVisionConsoleLink(BaseOperatorLink):
    """"VK Cloud console" button on Vision tasks (AI API -> Vision API: tokens, OAuth clients, usage)."""

    name = "VK Cloud console"

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        return CONSOLE_URL
