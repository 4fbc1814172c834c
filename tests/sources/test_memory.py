"""Memory stays flat when X media streams from S3: a 200 MiB video read from the S3 server (moto_server, its own
process) and uploaded to the sandbox grows the uploading process's peak RSS by less than 8 MiB, as a 20 MiB one."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from tests.hooks.twitter_helpers import x_connection
from tests.sources.conftest import BUCKET, S3_CONN_ID
from tests.sources.servers import put_video

MIB = 1024 * 1024
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def upload_in_child(env: dict[str, str], source: str) -> dict:
    out = subprocess.run([sys.executable, "-m", "tests.sources.rss_child"], check=True, capture_output=True,
                         text=True, timeout=900, cwd=ROOT, env={**env, "RSS_SOURCE": source})
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.timeout(1200)
def test_a_200_mib_video_from_s3_grows_rss_less_than_8_mib(sandbox, make_connection, moto_server, s3_store,
                                                           tmp_path):
    conn_id = x_connection(sandbox, make_connection, "twitter_rss", token_store=f"file:{tmp_path}")
    env = {**os.environ, "PYTHONPATH": ROOT, "RSS_X_CONN": conn_id, "RSS_S3_ENDPOINT": moto_server.url,
           "RSS_S3_CONN": S3_CONN_ID, "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING"}
    small = upload_in_child(env, put_video(s3_store, f"{BUCKET}/rss/small.mp4", 20 * MIB, conn_id=S3_CONN_ID))
    big = upload_in_child(env, put_video(s3_store, f"{BUCKET}/rss/big.mp4", 200 * MIB, conn_id=S3_CONN_ID))
    media = {m["id"]: m for m in sandbox.control.state("twitter")["media"]}
    assert media[big["media_id"]]["received_bytes"] == 200 * MIB
    growth = {name: (run["rss_peak_kib"] - run["rss_before_kib"]) / 1024 for name, run in
              (("20 MiB", small), ("200 MiB", big))}
    assert growth["200 MiB"] < 8, growth
    assert growth["200 MiB"] < growth["20 MiB"] + 4, growth  # flat in the file's size
