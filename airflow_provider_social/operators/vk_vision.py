"""VK Cloud Vision operators: objects, text, an 18+ gate before posting, faces.

Thin: the hook checks every input before any request; results (one typed dict per image, no tokens) go to XCom
and, with ``output_path``, to a local JSON file. Images are local paths, ``disk:/...`` paths on
``yandex_disk_conn_id``, or bytes; ``images`` is templated (a JSON list string is accepted too).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk_vision.hook import DEFAULT_SAFE_THRESHOLD, VkVisionHook, raise_for_errors
from airflow_provider_social.hooks.vk_vision.policy import SERVICE
from airflow_provider_social.links.vk_vision import VkVisionConsoleLink

if TYPE_CHECKING:
    from airflow.sdk import Context

ON_UNSAFE = ("fail", "branch", "continue")
PERSONS_ACTIONS = ("set", "recognize", "delete", "truncate")


def _images(value: Any) -> Any:
    if isinstance(value, str) and value.strip().startswith("["):
        try:
            return json.loads(value)
        except ValueError:
            raise input_error("images", "looks like a JSON list but does not parse", service=SERVICE) from None
    return value


class _VisionOperator(BaseOperator):
    template_fields: Sequence[str] = ("images", "output_path")
    operator_extra_links = (VkVisionConsoleLink(),)

    def __init__(self, *, images: Any = None, vk_vision_conn_id: str = VkVisionHook.default_conn_name,
                 yandex_disk_conn_id: str | None = None, output_path: str | None = None,
                 fail_on_image_error: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.images = images
        self.vk_vision_conn_id = vk_vision_conn_id
        self.yandex_disk_conn_id = yandex_disk_conn_id
        self.output_path = output_path
        self.fail_on_image_error = fail_on_image_error

    def get_hook(self) -> VkVisionHook:
        return VkVisionHook(self.vk_vision_conn_id, yandex_disk_conn_id=self.yandex_disk_conn_id)

    def finish(self, results: list[Any], summary: dict[str, Any] | None = None) -> Any:
        if self.output_path:
            target = Path(self.output_path)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(json.dumps(results, ensure_ascii=False, indent=2))
        if self.fail_on_image_error:
            raise_for_errors(results, self.task_id)
        return {"results": results, **(summary or {})} if summary is not None else results


class VkVisionDetectObjectsOperator(_VisionOperator):
    """Labels per image for ``modes`` (object, object2, scene, car_number, multiobject, pedestrian).

    Returns one result per image: ``{"image", "ok", "error", "labels": {mode: [...]}, "people_count"}``.
    """

    def __init__(self, *, modes: Sequence[str] | str = ("object",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.modes = modes

    def execute(self, context: Context) -> Any:
        return self.finish(self.get_hook().detect_objects(_images(self.images), modes=self.modes))


class VkVisionRecognizeTextOperator(_VisionOperator):
    """Document OCR (``detailed`` adds lines and words), or with ``scene=True`` text in photos (``lang``)."""

    def __init__(self, *, scene: bool = False, detailed: bool = False, lang: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if lang is not None and not scene:
            raise input_error("lang", "applies to scene text (scene=True) only", service=SERVICE)
        self.scene, self.detailed, self.lang = scene, detailed, lang

    def execute(self, context: Context) -> Any:
        hook, images = self.get_hook(), _images(self.images)
        if self.scene:
            return self.finish(hook.recognize_scene_text(images, lang=self.lang))
        return self.finish(hook.recognize_text(images, detailed=self.detailed))


class VkVisionDetectAdultOperator(_VisionOperator):
    """A gate before posting: 18+ detection, then

    * ``on_unsafe="fail"`` (default): the task fails naming the unsafe images;
    * ``on_unsafe="branch"``: follows ``safe_task_ids`` when every image is safe, else ``unsafe_task_ids``;
    * ``on_unsafe="continue"``: succeeds; downstream tasks take ``safe_images`` from the result.

    Returns ``{"results", "safe_images", "unsafe_images"}`` (images whose check failed count as unsafe), and
    pushes ``safe_images`` / ``unsafe_images`` as XCom keys of their own (``gate.output["safe_images"]``).
    """

    def __init__(self, *, threshold: float = DEFAULT_SAFE_THRESHOLD, on_unsafe: str = "fail",
                 safe_task_ids: str | Sequence[str] | None = None,
                 unsafe_task_ids: str | Sequence[str] | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if on_unsafe not in ON_UNSAFE:
            raise input_error("on_unsafe", f"must be one of {', '.join(ON_UNSAFE)}, got {on_unsafe!r}",
                              service=SERVICE)
        if on_unsafe == "branch" and not (safe_task_ids and unsafe_task_ids):
            raise input_error("safe_task_ids, unsafe_task_ids", "both are required with on_unsafe='branch'",
                              service=SERVICE)
        self.threshold, self.on_unsafe = threshold, on_unsafe
        self.safe_task_ids, self.unsafe_task_ids = safe_task_ids, unsafe_task_ids

    def execute(self, context: Context) -> Any:
        results = self.get_hook().detect_adult(_images(self.images), threshold=self.threshold)
        safe = [r["image"] for r in results if r["is_safe"]]
        unsafe = [r["image"] for r in results if not r["is_safe"]]
        self.fail_on_image_error = self.fail_on_image_error and self.on_unsafe == "fail"
        outcome = self.finish(results, {"safe_images": safe, "unsafe_images": unsafe})
        ti = context.get("ti") if hasattr(context, "get") else None
        if ti is not None:  # their own XCom keys too, so a downstream task can take gate.output["safe_images"]
            ti.xcom_push(key="safe_images", value=safe)
            ti.xcom_push(key="unsafe_images", value=unsafe)
        if unsafe and self.on_unsafe == "fail":
            raise input_error("images", f"{len(unsafe)} image(s) may show 18+ content (safe < {self.threshold}): "
                              f"{', '.join(unsafe[:10])}", service=SERVICE, operation="adult gate")
        if self.on_unsafe == "branch":
            from airflow.providers.standard.operators.branch import BranchMixIn

            chosen = self.unsafe_task_ids if unsafe else self.safe_task_ids
            BranchMixIn.do_branch(self, context, chosen)  # type: ignore[arg-type]
        return outcome


class VkVisionPersonsOperator(_VisionOperator):
    """Faces in a space (0-9): ``action`` ``set`` (images + person_ids), ``recognize`` (images; ``create_new``,
    ``searcher``), ``delete`` (person_ids) or ``truncate``."""

    template_fields: Sequence[str] = ("images", "output_path", "person_ids")

    def __init__(self, *, action: str, space: int | str, person_ids: Sequence[int] | None = None,
                 create_new: bool = False, searcher: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if action not in PERSONS_ACTIONS:
            raise input_error("action", f"must be one of {', '.join(PERSONS_ACTIONS)}, got {action!r}",
                              service=SERVICE)
        self.action, self.space, self.person_ids = action, space, person_ids
        self.create_new, self.searcher = create_new, searcher

    def execute(self, context: Context) -> Any:
        hook = self.get_hook()
        if self.action == "set":
            return self.finish(hook.persons_set(_images(self.images), self.person_ids or [], space=self.space))
        if self.action == "recognize":
            return self.finish(hook.persons_recognize(_images(self.images), space=self.space,
                                                      create_new=self.create_new, searcher=self.searcher))
        if self.action == "delete":
            results = hook.persons_delete(self.person_ids or [], space=self.space)
            return self.finish([{"image": f"person {r['person_id']}", **r} for r in results])
        hook.persons_truncate(space=self.space)
        return {"truncated": str(self.space)}
