"""Moderate images before posting: VK Cloud Vision checks a folder for 18+ content and labels what it shows, then
only the safe images are posted to X with their labels (VK joins once its operators exist).

The images are generated at run time (small PNGs; one carries the sandbox's ``nsfw`` marker, so against the
sandbox exactly that one is held back). Point ``IMAGES_DIR`` at a real folder to moderate your own photos.
Connections: ``vk_vision_default`` (service token or OAuth client) and ``twitter_default``.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime
from pathlib import Path

from airflow.sdk import DAG, task

from airflow_provider_social.operators.vk_vision import VkVisionDetectAdultOperator, VkVisionDetectObjectsOperator

IMAGES_DIR = os.environ.get("VISION_MODERATION_DIR", "")

with DAG(dag_id="vision_moderation", schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
         tags=["example", "vk_vision", "twitter"]):

    @task
    def collect_images() -> list[str]:
        """The folder's JPEG/PNG/TIFF files; without a folder, three generated PNGs (one marked unsafe)."""
        if IMAGES_DIR:
            return sorted(str(p) for p in Path(IMAGES_DIR).iterdir()
                          if p.suffix.lower() in (".jpg", ".jpeg", ".png", ".tif", ".tiff"))
        from airflow_provider_social.sandbox.vk_vision.fixtures import make_png

        folder = Path(tempfile.mkdtemp(prefix="vision-moderation-"))
        samples = {"sunset.png": make_png(64, 48, (250, 120, 40)),
                   "forest.png": make_png(64, 48, (30, 140, 60)),
                   "unsafe.png": make_png(64, 48, (200, 160, 150), markers={"nsfw": 1})}
        for name, data in samples.items():
            (folder / name).write_bytes(data)
        return [str(folder / name) for name in samples]

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
    def post_safe_images(results: list[dict]) -> list[dict]:
        from airflow_provider_social.hooks.twitter import TwitterHook

        hook, posted = TwitterHook(), []
        for result in results:
            names = [label["label"] for mode in ("scene", "object") for label in result["labels"].get(mode, [])]
            text = f"{Path(result['image']).stem}: {', '.join(dict.fromkeys(names)) or 'a photo'}"
            posted.append(hook.create_tweet(text, media_paths=[result["image"]], dedupe=True))
        return [{"id": p["id"], "url": p["url"]} for p in posted]

    post_safe_images(labels.output)
