"""VK Cloud Vision operators: objects, text, an 18+ gate before posting, faces.

Thin: the hook checks every input before any request; results (one typed dict per image, no tokens) go to XCom
and, with ``output_path``, to a local JSON file. Images are local paths, ``ObjectStoragePath`` or storage URLs
(``s3://conn@bucket/key``), http(s) URLs, ``disk:/...`` paths on ``yandex_disk_conn_id``, bytes or binary file
objects; ``images`` is templated (a list rendered as JSON or as a Python repr is accepted
too). Every request is billed: a lost answer is not sent again unless ``resend_on_lost_answer``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.hook_mixin import ServiceHookMixin
from airflow_provider_social.hooks.vk_vision.connection import CONNECTION_FORM
from airflow_provider_social.hooks.vk_vision.params import (
    DEFAULT_SAFE_THRESHOLD,
    SERVICE,
    lang_param,
    modes_param,
    searcher_param,
    space_param,
    threshold_param,
)
from airflow_provider_social.links.vk_vision import VkVisionConsoleLink

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook

ON_UNSAFE = ("fail", "branch", "continue")
PERSONS_ACTIONS = ("set", "recognize", "delete", "truncate")
DEFAULT_CONN_ID = "vk_vision_default"


def _images(value: Any) -> Any:
    """``images`` as rendered: a list as JSON or as a Python repr is read (:mod:`~airflow_provider_social.core.
    rendered`); the hook checks the rest (None, a number or a dict is an input error naming ``images``)."""
    from airflow_provider_social.core.rendered import rendered_value

    return rendered_value(value, "images", service=SERVICE)


class VkVisionHookMixin(ServiceHookMixin["VkVisionHook"]):
    """The VK Cloud Vision connection of an operator or sensor: ``vk_vision_conn_id`` and its hook (imported when the
    task runs: DAG files parse without it)."""

    conn_id_field = "vk_vision_conn_id"
    service = SERVICE
    connection_form = CONNECTION_FORM


class VkVisionBaseOperator(VkVisionHookMixin, BaseOperator):
    """Shared by the Vision operators: the connection and what a lost answer of a billed request means.

    :param vk_vision_conn_id: the ``vk_vision`` connection, default ``vk_vision_default``.
    :param resend_on_lost_answer: every request is billed; by default a request whose answer was lost, or an image
        answered with the temporary status 2, is not sent again. True resends them (each resend billed again).
    """

    operator_extra_links = (VkVisionConsoleLink(),)
    ui_color = "#0077ff"

    def __init__(self, *, vk_vision_conn_id: str = DEFAULT_CONN_ID, resend_on_lost_answer: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not isinstance(resend_on_lost_answer, bool):
            raise input_error("resend_on_lost_answer", f"must be True or False, got {resend_on_lost_answer!r}",
                              service=SERVICE)
        self.vk_vision_conn_id, self.resend_on_lost_answer = vk_vision_conn_id, resend_on_lost_answer

    def hook_options(self) -> dict[str, Any]:
        """The hook's handling of lost answers (``resend_on_lost_answer``)."""
        return {"resend_on_lost_answer": self.resend_on_lost_answer}


class _VisionOperator(VkVisionBaseOperator):
    """Shared by the image operators (the hook is imported when the task runs, not when the DAG is parsed).

    :param images: local paths, ``ObjectStoragePath`` or storage URLs, http(s) URLs, ``disk:/...`` paths on
        ``yandex_disk_conn_id``, bytes, ``(name, bytes)`` or binary file objects; a list rendered as JSON or as a
        Python repr is accepted. Templated.
    :param yandex_disk_conn_id: a ``yandex_disk`` connection for ``disk:/...`` images.
    :param output_path: also write the results to this JSON file: a local path, or an ``ObjectStoragePath`` or
        storage URL (``s3://conn@bucket/vision/{{ ds }}.json``), written atomically. Templated.
    :param fail_on_image_error: fail the task naming the images the service refused (default True).
    """

    template_fields: Sequence[str] = ("images", "output_path")

    def __init__(self, *, images: Any = None, yandex_disk_conn_id: str | None = None, output_path: str | None = None,
                 fail_on_image_error: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.images, self.yandex_disk_conn_id, self.output_path = images, yandex_disk_conn_id, output_path
        self.fail_on_image_error = fail_on_image_error

    def hook_options(self) -> dict[str, Any]:
        """Besides lost answers, the Yandex Disk connection for ``disk:/...`` images."""
        return {**super().hook_options(), "yandex_disk_conn_id": self.yandex_disk_conn_id}

    def start(self) -> VkVisionHook:
        """Check ``output_path`` (the results must be writable before a paid request is made), then the hook."""
        self.checked_output_path()
        return self.get_hook()

    def checked_output_path(self) -> Any:
        """``output_path`` as a file that can be written (a local ``Path``, or an ``ObjectStoragePath`` whose store
        Airflow knows), or an input error naming it; None when unset."""
        from airflow_provider_social.core.targets import output_target

        return output_target(self.output_path, field="output_path", service=SERVICE)

    def finish(self, results: list[Any], summary: dict[str, Any] | None = None) -> Any:
        """Write ``output_path``, fail on refused images (``fail_on_image_error``), return the XCom value.

        :param results: one result per image, from the hook.
        :param summary: extra keys; when given the return value is ``{"results": ..., **summary}``.
        """
        from airflow_provider_social.hooks.vk_vision.hook import raise_for_errors

        if self.output_path:
            from airflow_provider_social.core.lineage import announce_output
            from airflow_provider_social.core.targets import write_atomically

            target = self.checked_output_path()
            write_atomically([json.dumps(results, ensure_ascii=False, indent=2).encode()], target)
            announce_output(self, target, {"images": len(results)})
        if self.fail_on_image_error:
            raise_for_errors(results, self.task_id)
        return {"results": results, **(summary or {})} if summary is not None else results


class VkVisionDetectObjectsOperator(_VisionOperator):
    """Labels per image for ``modes`` (object, object2, scene, car_number, multiobject, pedestrian).

    Returns one result per image: ``{"image", "ok", "error", "labels": {mode: [...]}, "people_count"}``.

    :param modes: detect modes (checked when the DAG is parsed). Other arguments: see ``_VisionOperator``.
    """

    def __init__(self, *, modes: Sequence[str] | str = ("object",), **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.modes = modes_param(modes)

    def execute(self, context: Context) -> Any:
        """Detect and return the results (also written to ``output_path``).

        :param context: the task context.
        """
        return self.finish(self.start().detect_objects(_images(self.images), modes=self.modes))


class VkVisionRecognizeTextOperator(_VisionOperator):
    """Document OCR (``detailed`` adds lines and words), or with ``scene=True`` text in photos (``lang``).

    :param scene: street and handwritten text (``/scene_text/recognize``) instead of document OCR.
    :param detailed: document OCR only: lines and words with boxes.
    :param lang: scene text only: ``rus`` or ``eng``.
    """

    def __init__(self, *, scene: bool = False, detailed: bool = False, lang: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if lang is not None and not scene:
            raise input_error("lang", "applies to scene text (scene=True) only", service=SERVICE)
        if detailed and scene:
            raise input_error("detailed", "applies to document OCR (scene=False) only", service=SERVICE)
        self.scene, self.detailed, self.lang = scene, detailed, lang_param(lang)

    def execute(self, context: Context) -> Any:
        """Recognise and return the results (also written to ``output_path``).

        :param context: the task context.
        """
        hook, images = self.start(), _images(self.images)
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

    :param threshold: an image is safe when the service's ``safe`` >= threshold (0-1, default 0.8).
    :param on_unsafe: ``fail``, ``branch`` or ``continue``.
    :param safe_task_ids: with ``branch``: the task(s) to follow when every image is safe.
    :param unsafe_task_ids: with ``branch``: the task(s) to follow otherwise.
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
        self.threshold, self.on_unsafe = threshold_param(threshold), on_unsafe
        self.safe_task_ids, self.unsafe_task_ids = safe_task_ids, unsafe_task_ids

    def execute(self, context: Context) -> Any:
        """Check the images, then fail, branch or continue.

        :param context: the task context (its ``ti`` receives the ``safe_images`` / ``unsafe_images`` keys).
        """
        results = self.start().detect_adult(_images(self.images), threshold=self.threshold)
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
    ``searcher``), ``delete`` (person_ids) or ``truncate``.

    :param action: ``set``, ``recognize``, ``delete`` or ``truncate``.
    :param space: the face space, 0-9.
    :param person_ids: for ``set`` (one per image) and ``delete``. Templated (a list rendered as JSON or as a Python
        repr is accepted).
    :param create_new: for ``recognize``: add unknown faces as new persons.
    :param searcher: for ``recognize``: 1 adds sex, age and emotion.
    """

    template_fields: Sequence[str] = ("images", "output_path", "person_ids")

    def __init__(self, *, action: str, space: int | str, person_ids: Sequence[int] | None = None,
                 create_new: bool = False, searcher: int = 0, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if action not in PERSONS_ACTIONS:
            raise input_error("action", f"must be one of {', '.join(PERSONS_ACTIONS)}, got {action!r}",
                              service=SERVICE)
        if action in ("set", "delete") and person_ids is None:
            raise input_error("person_ids", f"required with action={action!r}", service=SERVICE)
        self.action, self.space, self.person_ids = action, space_param(space), person_ids
        self.create_new, self.searcher = create_new, searcher_param(searcher)

    def execute(self, context: Context) -> Any:
        """Run the action; ``truncate`` returns ``{"truncated": space}``.

        :param context: the task context.
        """
        hook = self.start()
        if self.action == "set":
            return self.finish(hook.persons_set(_images(self.images), self.person_ids or [], space=self.space))
        if self.action == "recognize":
            return self.finish(hook.persons_recognize(_images(self.images), space=self.space,
                                                      create_new=self.create_new, searcher=self.searcher))
        if self.action == "delete":
            results = hook.persons_delete(self.person_ids or [], space=self.space)
            return self.finish([{"image": f"person {r['person_id']}", **r} for r in results])
        hook.persons_truncate(space=self.space)
        return {"truncated": self.space}


class VkVisionVideoSubscribeOperator(VkVisionBaseOperator):
    """Start recognising a video file (``http(s)://``, at most 2 GB) or stream (``rtsp://``); returns the task
    ``{"video_task_id", "name", "actions"}`` for :class:`~airflow_provider_social.sensors.vk_vision.
    VkVisionVideoResultsSensor`.

    Subscribing starts billed work and no call lists the tasks: when the answer is lost (timeout, dropped
    connection, 5xx) the task may exist, so it is not sent again (the error says so) unless
    ``resend_on_lost_answer``.

    :param link: the video's URL. Templated.
    :param actions: ``fd`` faces, ``sd`` scenes, ``od`` objects, ``ad`` attractions, ``pd`` people (a list or one
        comma-separated text). Templated.
    :param name: the task's name, echoed in every answer about it. Templated.
    :param rtsp_login: the stream's login (rtsp only).
    :param rtsp_password: the stream's password (rtsp only; masked, never returned).
    :param vk_vision_conn_id: the ``vk_vision`` connection, default ``vk_vision_default``.
    :param resend_on_lost_answer: send the subscribe again when its answer was lost (a second task may run and be
        billed).
    """

    template_fields: Sequence[str] = ("link", "actions", "name")

    def __init__(self, *, link: str, actions: Any, name: str = "video", rtsp_login: str | None = None,
                 rtsp_password: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.link, self.actions, self.name = link, actions, name
        self.rtsp_login, self.rtsp_password = rtsp_login, rtsp_password

    def execute(self, context: Context) -> Any:
        """Subscribe the video; the task for XCom (no link, no password).

        :param context: the task context.
        """
        task = self.get_hook().subscribe_video(self.link, _actions(self.actions), name=self.name,
                                    rtsp_login=self.rtsp_login, rtsp_password=self.rtsp_password)
        self.log.info("Vision video task %s (%s) subscribed: %s", task["video_task_id"], task["name"],
                      ", ".join(task["actions"]))
        return dict(task)


def _actions(value: Any) -> Any:
    """``actions`` as rendered: a list rendered as JSON or a Python repr is read; a plain text stays text (the hook
    reads ``"od,fd"``)."""
    if isinstance(value, str) and value.lstrip().startswith(("[", "(")):
        from airflow_provider_social.core.rendered import rendered_value

        return rendered_value(value, "actions", service=SERVICE)
    return value
