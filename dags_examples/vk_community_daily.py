"""A day in a VK community: a photo post, a poll, yesterday's reach statistics through ``execute``, and a message
to the admin if anything fails.

Tokens (docs/services/vk.md): the posts, the poll and the statistics need the user token of a community admin
(``access_token``); the failure message needs the community key (``community_token``). The photo is generated
here (a small PNG) so the example runs anywhere. Posts carry a guid derived from the task instance: a retried task
does not post twice.
"""

from __future__ import annotations

import struct
import tempfile
import zlib
from datetime import datetime, timedelta, timezone
from pathlib import Path

from airflow.sdk import dag, task

from airflow_provider_social.notifications.vk import VkNotifier
from airflow_provider_social.operators.vk import VkCreatePostOperator

ADMIN_USER_ID = 1  # who gets the failure message (must have written to the community once)


def small_png(width: int = 64, height: int = 48) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    rows = b"".join(b"\x00" + b"\x4a\x76\xa8" * width for _ in range(height))  # VK blue
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dag(
    dag_id="vk_community_daily",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["vk", "example"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=5)},
    on_failure_callback=VkNotifier(peer_id=ADMIN_USER_ID, message="vk_community_daily failed (run {{ run_id }})"),
)
def vk_community_daily():
    @task
    def render_chart() -> str:
        path = Path(tempfile.mkdtemp(prefix="vk-daily-")) / "chart.png"
        path.write_bytes(small_png())
        # A storage URL, as a chart kept in object storage would be given (s3://aws_default@reports/chart.png,
        # yadisk://yandex_disk_default@/Charts/chart.png, ...): the post reads it through ObjectStoragePath.
        return f"file://{path}"

    photo_post = VkCreatePostOperator(
        task_id="photo_post",
        message="Today's numbers for {{ ds }}",
        photos=[render_chart()],
    )
    poll_post = VkCreatePostOperator(
        task_id="poll_post",
        message="What should we cover tomorrow?",
        poll={"question": "Tomorrow's topic ({{ ds }})?", "answers": ["Traffic", "Revenue", "Bugs"]},
    )

    @task
    def yesterdays_reach(photo: dict, poll: dict, data_interval_end=None) -> dict:
        """Community statistics for yesterday and the reach of today's posts, in one execute request."""
        from airflow_provider_social.hooks.vk import VkHook

        hook = VkHook()
        group_id = hook.group()
        end = data_interval_end or datetime.now(timezone.utc)
        results = hook.batch([
            ("stats.get", {"group_id": group_id, "timestamp_from": int((end - timedelta(days=1)).timestamp()),
                           "timestamp_to": int(end.timestamp()), "interval": "day"}),
            ("stats.getPostReach", {"owner_id": -group_id, "post_ids": [photo["post_id"], poll["post_id"]]}),
        ])
        stats, reach = (r.response if r.ok else {"error": str(r.error)} for r in results)
        print(f"yesterday: {stats}; reach of today's posts: {reach}")
        return {"posts": [photo["url"], poll["url"]], "days": len(stats) if isinstance(stats, list) else 0}

    yesterdays_reach(photo_post.output, poll_post.output)


vk_community_daily()
