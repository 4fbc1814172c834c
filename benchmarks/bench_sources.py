"""Media streamed from object storage: an X video read from S3 and uploaded to the sandbox.

* ``s3_to_x_video_rss_growth_mib`` -- a 200 MiB MP4 in an S3-compatible server (moto_server, its own process on
  loopback) uploaded as X media by our hook from ``s3://moto_s3@media/big.mp4`` (chunked v2 upload, 4 MiB segments
  read through Airflow's object storage), to the sandbox in its own process. The value is how far the uploading
  process's peak RSS rises above its RSS just before the upload (the kernel's peak mark is reset after imports and
  the first S3 read; ``tests/sources/rss_child.py``); the reference is the same run with a 20 MiB video (flat in
  the file size means the two are alike).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

from common import PYTHON, ROOT, Result, start_sandbox

MIB = 1024 * 1024
BIG = 200 * MIB
SMALL = 20 * MIB
BUCKET = "media"
S3_CONN_ID = "moto_s3"


def measure() -> list[Result]:
    import subprocess

    sys.path.insert(0, str(ROOT))
    import boto3
    import s3fs

    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl
    from tests.sources.servers import MotoServer, put_video

    moto = MotoServer()
    proc, url = start_sandbox()
    try:
        options = {"endpoint_url": moto.url, "region_name": "us-east-1"}
        boto3.client("s3", aws_access_key_id="testing", aws_secret_access_key="testing", **options
                     ).create_bucket(Bucket=BUCKET)
        fs = s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs=options, skip_instance_cache=True)
        sources = {name: put_video(fs, f"{BUCKET}/{name}.mp4", size, conn_id=S3_CONN_ID)
                   for name, size in (("small", SMALL), ("big", BIG))}
        control = SandboxControl(url)
        runs = {}
        with tempfile.TemporaryDirectory(prefix="bench-s3-x-") as tmp:
            for name in ("small", "big"):
                control.reset()
                conn = sandbox_connections(url, control)["twitter_default"]
                conn["extra"]["token_store"] = f"file:{Path(tmp) / 'tokens'}"
                env = dict(os.environ, PYTHONPATH=str(ROOT), AIRFLOW_CONN_TWITTER_BENCH=json.dumps(conn),
                           RSS_X_CONN="twitter_bench", RSS_S3_ENDPOINT=moto.url, RSS_S3_CONN=S3_CONN_ID,
                           RSS_SOURCE=sources[name], AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING")
                out = subprocess.run([PYTHON, "-m", "tests.sources.rss_child"], check=True, capture_output=True,
                                     text=True, env=env, cwd=ROOT).stdout
                runs[name] = json.loads(out.strip().splitlines()[-1])
    finally:
        proc.terminate()
        proc.wait(10)
        moto.close()

    def growth(run: dict) -> float:
        return (run["rss_peak_kib"] - run["rss_before_kib"]) / 1024

    big, small = growth(runs["big"]), growth(runs["small"])
    return [
        Result(
            name="s3_to_x_video_rss_growth_mib",
            value=big,
            unit="MiB",
            reference=f"the same upload of a 20 MiB video from S3 ({small:.1f} MiB); the 200 MiB upload took "
            f"{runs['big']['seconds']:.1f} s",
            reference_value=small,
            ratio=big / small if small else None,
            target="< 8 MiB, flat vs the 20 MiB one",
        )
    ]
