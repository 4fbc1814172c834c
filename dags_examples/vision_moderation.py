"""Moderate images before posting: VK Cloud Vision checks a folder for 18+ content and labels what it shows, then
only the safe images are posted, with their labels, to X and to the VK community.

The images come from a folder in object storage: ``VISION_MODERATION_DIR`` is any URL Airflow's object storage
knows (``s3://aws_default@uploads/incoming``, ``yadisk://yandex_disk_default@/Incoming``) or a local folder. Without
it, three generated PNGs are put into a Yandex Disk folder first (one carries the sandbox's ``nsfw`` marker, so
against the sandbox exactly that one is held back). Vision and the posts read each image from the store, streamed.
Connections: ``vk_vision_default`` (service token or OAuth client), ``twitter_default`` and ``vk_default`` (a user
token of the community's admin; the community is the connection's ``group_id``).
"""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import PurePosixPath

from airflow.sdk import DAG, task

from airflow_provider_social.operators.vk_vision import VkVisionDetectAdultOperator, VkVisionDetectObjectsOperator

IMAGES_DIR = os.environ.get("VISION_MODERATION_DIR", "")
SAMPLES_DIR = "yadisk://yandex_disk_default@/Moderation/incoming"  # where the generated samples go
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png", ".tif", ".tiff")

with DAG(dag_id="vision_moderation", schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
         tags=["example", "vk_vision", "twitter", "vk"]) as dag:

    @task
    def collect_images() -> list[str]:
        """The folder's JPEG/PNG/TIFF files as URLs; without a folder, three generated PNGs (one marked unsafe)."""
        from airflow.sdk import ObjectStoragePath

        if not IMAGES_DIR:
            from airflow_provider_social.sandbox.vk_vision.fixtures import make_png

            samples = {"sunset.png": make_png(64, 48, (250, 120, 40)),
                       "forest.png": make_png(64, 48, (30, 140, 60)),
                       "unsafe.png": make_png(64, 48, (200, 160, 150), markers={"nsfw": 1})}
            for name, data in samples.items():
                (ObjectStoragePath(SAMPLES_DIR) / name).write_bytes(data)
        folder = IMAGES_DIR or SAMPLES_DIR
        if "://" not in folder:  # a local folder
            folder = f"file://{os.path.abspath(folder)}"
        return sorted(str(p) for p in ObjectStoragePath(folder).iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)

    images = collect_images()
    # An image passes when VK rates it safe with probability >= 0.5; raise the threshold for a stricter gate.
    gate = VkVisionDetectAdultOperator(task_id="adult_gate", images=images, on_unsafe="continue", threshold=0.5)

    @task
    def safe_images(checked: dict) -> list[str]:
        """The images the gate passed (its result's ``safe_images``); the unsafe ones go no further."""
        return checked["safe_images"]

    labels = VkVisionDetectObjectsOperator(task_id="labels", images=safe_images(gate.output),
                                           modes=["object", "scene"])

    @task
    def captions(results: list[dict]) -> list[dict]:
        """One caption per safe image: its name and what Vision saw in it (scenes first, then objects)."""
        out = []
        for result in results:
            names = [label["label"] for mode in ("scene", "object") for label in result["labels"].get(mode, [])]
            name = PurePosixPath(result["image"]).stem
            out.append({"image": result["image"], "text": f"{name}: {', '.join(dict.fromkeys(names)) or 'a photo'}"})
        return out

    @task
    def post_to_x(items: list[dict]) -> list[dict]:
        """One post per safe image; ``dedupe`` finds a post an earlier try of this task already made."""
        from airflow_provider_social.hooks.twitter import TwitterHook

        hook = TwitterHook()
        posted = [hook.create_tweet(item["text"], media_paths=[item["image"]], dedupe=True) for item in items]
        return [{"id": p["id"], "url": p["url"]} for p in posted]

    @task
    def post_to_vk(items: list[dict]) -> list[dict]:
        """One wall post per safe image in the ``vk_default`` community; a ``guid`` per image and task try keeps
        a retried task from posting twice."""
        from airflow.sdk import get_current_context

        from airflow_provider_social.hooks.vk import VkHook
        from airflow_provider_social.hooks.vk.keys import post_guid

        context, hook = get_current_context(), VkHook()
        posted = [hook.create_post(item["text"], photos=[item["image"]],
                                   guid=post_guid(context, purpose=item["image"])) for item in items]
        return [{"post_id": p["post_id"], "url": p["url"]} for p in posted]

    safe_captions = captions(labels.output)
    post_to_x(safe_captions)
    post_to_vk(safe_captions)
