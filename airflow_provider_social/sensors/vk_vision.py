"""Sensor: wait until VK Cloud Vision has processed a video up to a moment, then hand over its results."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator, PokeReturnValue

from airflow_provider_social.core.deferral import default_deferrable
from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk_vision.params import SERVICE
from airflow_provider_social.operators.vk_vision import VkVisionHookMixin

#: The largest task id or moment (ms) the service's integers hold (int64).
MAX_WHOLE = 2**63 - 1

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook


class VkVisionVideoResultsSensor(VkVisionHookMixin, BaseSensorOperator):
    """Waits until the task has a result at or after ``until_ms`` (the video's length, or the part wanted), then
    reads every result from ``from_ms`` to ``until_ms`` page by page and pushes them: the items themselves, or with
    ``output_path`` a JSON file (written whole, then renamed into place) and a summary. Reschedule mode by default:
    no worker slot is held between pokes; each poke asks for one item only.

    The service yields results per processed moment; a file task ends with the video, a stream runs until it is
    unsubscribed (``unsubscribe_when_done`` stops it once the results are read).

    :param video_task_id: the task id from :class:`~airflow_provider_social.operators.vk_vision.
        VkVisionVideoSubscribeOperator` (e.g. ``"{{ ti.xcom_pull('subscribe')['video_task_id'] }}"``). Templated.
    :param until_ms: wait for results up to this moment of the video, in ms. Templated.
    :param name: the task's name. Templated.
    :param from_ms: the first moment to read, in ms.
    :param page_size: results per request when reading (1 to 10000).
    :param output_path: write the results to this JSON file (a local path, or an ``ObjectStoragePath`` or storage
        URL) and push a summary instead. Templated.
    :param unsubscribe_when_done: stop the task after reading (a stopped task is not an error).
    :param vk_vision_conn_id: the ``vk_vision`` connection, default ``vk_vision_default``.
    :param mode: ``reschedule`` (default) or ``poke``.
    :param deferrable: wait in the triggerer instead (polls every ``poke_interval``); default: the ``[operators]
        default_deferrable`` setting.
    """

    template_fields: Sequence[str] = ("video_task_id", "until_ms", "name", "output_path")
    ui_color = "#0077ff"

    def __init__(self, *, video_task_id: int | str, until_ms: int | str, name: str = "video", from_ms: int = 0,
                 page_size: int = 500, output_path: str | None = None, unsubscribe_when_done: bool = False,
                 vk_vision_conn_id: str = "vk_vision_default", mode: str = "reschedule",
                 deferrable: bool | None = None, **kwargs: Any) -> None:
        super().__init__(mode=mode, **kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self.video_task_id, self.until_ms, self.name = video_task_id, until_ms, name
        self.from_ms, self.page_size = from_ms, page_size
        self.output_path, self.unsubscribe_when_done = output_path, unsubscribe_when_done
        self.vk_vision_conn_id = vk_vision_conn_id

    def _whole(self, value: Any, field: str) -> int:
        text = str(value).strip() if isinstance(value, str) else value
        if isinstance(text, str) and text.isascii() and text.isdigit():
            text = int(text)
        if isinstance(text, bool) or not isinstance(text, int) or not 0 <= text <= MAX_WHOLE:
            raise input_error(field, f"must be a whole number from 0 to {MAX_WHOLE}, got {value!r}",
                              service=SERVICE)
        return text

    def poke(self, context: Context) -> PokeReturnValue:
        """Done when a result at or after ``until_ms`` exists; then read them all and push them.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.core.targets import output_target

        task_id = self._whole(self.video_task_id, "video_task_id")
        until = self._whole(self.until_ms, "until_ms")
        output_target(self.output_path, field="output_path", service=SERVICE)  # before any request
        hook = self.get_hook()
        probe = hook.video_results(task_id, name=self.name, from_ms=until, page_size=1, max_items=1)
        if not probe["items"]:
            self.log.info("Vision video task %s: no results at or after %d ms yet", task_id, until)
            return PokeReturnValue(is_done=False)
        return PokeReturnValue(is_done=True, xcom_value=self._collect(hook, task_id, until))

    def execute(self, context: Context) -> Any:
        """Poke in the worker, or defer to :class:`~airflow_provider_social.triggers.vk_vision.
        VkVisionVideoResultsTrigger` and read the results when it fires.

        :param context: the task's Airflow context.
        """
        if not self.deferrable:
            return super().execute(context)
        done = self.poke(context)
        if done.is_done:
            return done.xcom_value
        from airflow_provider_social.triggers.vk_vision import VkVisionVideoResultsTrigger

        self.defer(trigger=VkVisionVideoResultsTrigger(
            video_task_id=self._whole(self.video_task_id, "video_task_id"),
            until_ms=self._whole(self.until_ms, "until_ms"), name=self.name,
            vk_vision_conn_id=self.vk_vision_conn_id, poll_interval=float(self.poke_interval)),
            method_name="execute_complete", timeout=timedelta(seconds=float(self.timeout)))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> Any:
        """Resume after the trigger: read and push the results, or fail with the trigger's error.

        :param context: the task's Airflow context.
        :param event: the trigger's event.
        """
        if event.get("status") != "success":
            from airflow_provider_social.core.errors import SocialApiError

            raise SocialApiError(event.get("message") or "waiting for video results failed", service=SERVICE,
                                 operation=self.task_id)
        task_id = self._whole(self.video_task_id, "video_task_id")
        return self._collect(self.get_hook(), task_id, self._whole(self.until_ms, "until_ms"))

    def _collect(self, hook: VkVisionHook, task_id: int, until: int) -> Any:
        results = hook.video_results(task_id, name=self.name, from_ms=self.from_ms, to_ms=until,
                                     page_size=self.page_size)
        self.log.info("Vision video task %s: %d results up to %d ms", task_id, len(results["items"]), until)
        if self.unsubscribe_when_done:
            hook.unsubscribe_video(task_id, name=self.name)
        if not self.output_path:
            return dict(results)
        from airflow_provider_social.core.targets import output_target, write_atomically

        target = output_target(self.output_path, field="output_path", service=SERVICE)
        write_atomically([json.dumps(results, ensure_ascii=False).encode()], target)
        return {"video_task_id": task_id, "count": len(results["items"]),
                "last_timestamp_ms": results["last_timestamp_ms"], "output_path": str(target)}
