"""Post a daily digest thread on X: a summary with a chart image, an animated GIF, then a poll.

The GIF is processed by X after upload; with ``deferrable=True`` the task waits for that in the triggerer, not on a
worker. The media are generated here (a 1x1 PNG and a 1-frame GIF) so the example runs anywhere, and kept where a
reporting job would leave its charts: an object store (Yandex Disk here, ``yadisk://``; ``s3://``, ``gs://`` alike).
The thread reads them from there, streamed. A retried run finds the posts that already landed instead of repeating
them (the thread continues after them).
"""

from __future__ import annotations

import struct
import zlib
from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.operators.twitter import TwitterThreadOperator

CHARTS = "yadisk://yandex_disk_default@/Digest"  # where the day's charts are kept (any object store URL)
TINY_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x00\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)


def tiny_png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1x1, 8-bit RGB
    pixels = zlib.compress(b"\x00\x1d\x9b\xf0")  # filter byte + one blue pixel
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@dag(
    dag_id="twitter_daily_digest",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["twitter", "example"],
)
def twitter_daily_digest():
    @task
    def build_thread(ds: str | None = None) -> list[dict]:
        from airflow.sdk import ObjectStoragePath

        folder = ObjectStoragePath(f"{CHARTS}/{ds}")
        chart, animation = folder / "chart.png", folder / "highlight.gif"
        chart.write_bytes(tiny_png())
        animation.write_bytes(TINY_GIF)
        return [
            {"text": f"Daily digest for {ds}: today's numbers in one chart. 1/3", "media_paths": [str(chart)]},
            {"text": f"The highlight of {ds}, animated. 2/3", "media_paths": [str(animation)]},
            {"text": f"What should we dig into tomorrow ({ds})? 3/3", "poll_options": ["Traffic", "Revenue", "Bugs"],
             "poll_duration_minutes": 1440},
        ]

    TwitterThreadOperator(
        task_id="post_thread",
        tweets=build_thread(),
        deferrable=True,  # the GIF's processing is awaited in the triggerer
    )


twitter_daily_digest()
