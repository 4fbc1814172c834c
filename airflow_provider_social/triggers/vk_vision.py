"""Trigger for VK Cloud Vision video: wait, without a worker slot, until a task has results up to a moment.

Each poll asks for one result at or after ``until_ms`` (``/api/v1/video/get`` with ``from`` and ``limit=1``) through
:class:`~airflow_provider_social.hooks.vk_vision.hook.VkVisionHook`; its calls are blocking (``requests``), so each
one runs in ``asyncio.to_thread`` and the triggerer's event loop is never blocked. The results themselves are read
by the sensor when it resumes (an event stays small).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from airflow.triggers.base import BaseTrigger, TriggerEvent

from airflow_provider_social.core.deferral import SerializedFields


class VkVisionVideoResultsTrigger(SerializedFields, BaseTrigger):
    """Poll until video task ``video_task_id`` has a result at or after ``until_ms``.

    Fires ``{"status": "success", "video_task_id"}`` or ``{"status": "error", "video_task_id", "message"}``.

    :param video_task_id: the task id.
    :param until_ms: the moment of the video, in ms.
    :param name: the task's name.
    :param vk_vision_conn_id: the connection to poll with.
    :param poll_interval: seconds between polls.
    """

    FIELDS = ("video_task_id", "until_ms", "name", "vk_vision_conn_id", "poll_interval")

    def __init__(self, *, video_task_id: int, until_ms: int, name: str = "video",
                 vk_vision_conn_id: str = "vk_vision_default", poll_interval: float = 60.0) -> None:
        super().__init__()
        self.video_task_id, self.until_ms, self.name = video_task_id, until_ms, name
        self.vk_vision_conn_id, self.poll_interval = vk_vision_conn_id, poll_interval

    async def run(self) -> AsyncIterator[TriggerEvent]:
        """Poll every ``poll_interval`` seconds until the moment is processed; fire one event."""
        from airflow_provider_social.core.masking import redact
        from airflow_provider_social.core.waiting import Poll, WaitRule, await_for
        from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook

        try:
            hook = await VkVisionHook.for_trigger(self.vk_vision_conn_id)

            async def check() -> Any:
                probe = await asyncio.to_thread(hook.video_results, self.video_task_id, name=self.name,
                                                from_ms=self.until_ms, page_size=1, max_items=1)
                return Poll(done=bool(probe["items"]), value=None)

            await await_for(check, WaitRule(interval=self.poll_interval, honour_advice=False,
                                            minimum=min(0.1, self.poll_interval)),
                            what=f"video task {self.video_task_id}", service="VK Cloud Vision",
                            operation="wait for video results")
            yield TriggerEvent({"status": "success", "video_task_id": self.video_task_id})
        except Exception as exc:  # reported to the task, which fails with the message
            yield TriggerEvent({"status": "error", "video_task_id": self.video_task_id,
                                "message": redact(f"{type(exc).__name__}: {exc}")})
