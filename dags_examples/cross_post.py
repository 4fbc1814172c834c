"""Cross-post one announcement with a banner image to OK, VK and X.

Each network is its own branch hanging off the banner task only: one failing (an expired grant, a flood block)
does not stop the others, and a retried branch does not post twice (OK looks for the topic its earlier try made,
VK sends a ``guid`` derived from the task, X looks for its earlier tweet). The summary task runs whatever happened
(``trigger_rule="all_done"``) and reports what was posted where; it fails only when every branch failed, so one
network's outage shows in the summary (and in that branch's red task), not as a lost announcement.

The banner is another task's output kept in object storage, not a local file: ``make_banner`` writes it to Yandex
Disk (``yadisk://``, registered by this provider) and the three posts read it from there, streamed. Any store
Airflow's object storage knows works the same way (``s3://aws_default@bucket/banner.png``, ``gs://...``).
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.operators.ok import OkPostToGroupOperator
from airflow_provider_social.operators.twitter import TwitterCreateTweetOperator
from airflow_provider_social.operators.vk import VkCreatePostOperator

NETWORKS = {"ok": "post_ok", "vk": "post_vk", "x": "post_x"}  # network -> task id
BANNERS = "yadisk://yandex_disk_default@/Banners"  # where the banners are kept (any object store URL)


def banner_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xf0\x8c\x1d")  # filter byte + one orange pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def summarise(results: dict[str, dict | None]) -> dict[str, str | None]:
    """What was posted where: ``{network: url or None}``; raises only when no network got the announcement.

    :param results: each network's operator result (its XCom), None when the branch failed."""
    for network, result in results.items():
        print(f"{network}: {result['url'] if result else 'FAILED (see its task log)'}")
    if not any(results.values()):
        raise RuntimeError("the announcement reached no network")
    return {network: (result or {}).get("url") for network, result in results.items()}


@dag(
    dag_id="cross_post",
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["ok", "vk", "twitter", "example"],
)
def cross_post():
    @task
    def make_banner(ds: str | None = None) -> str:
        """The day's banner, stored on Yandex Disk; its URL goes to the posts through XCom."""
        from airflow.sdk import ObjectStoragePath

        banner = ObjectStoragePath(f"{BANNERS}/release-{ds}.png")
        banner.write_bytes(banner_png())
        return str(banner)

    banner = make_banner()
    text = "Release {{ ds }} is out: faster uploads and a new dashboard. Details: https://example.com/release"

    ok = OkPostToGroupOperator(task_id=NETWORKS["ok"], text=text, photo_paths=[banner], retries=1)
    vk = VkCreatePostOperator(task_id=NETWORKS["vk"], message=text, photos=[banner], retries=1)
    x = TwitterCreateTweetOperator(task_id=NETWORKS["x"], text=text, media_paths=[banner], retries=1)

    @task(trigger_rule="all_done")
    def summary(ti=None) -> dict:
        return summarise({network: ti.xcom_pull(task_ids=task_id) for network, task_id in NETWORKS.items()})

    [ok, vk, x] >> summary()


cross_post()
