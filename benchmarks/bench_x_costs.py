"""X costs: what our meter counted against what the sandbox billed, for the same calls.

* ``x_cost_count_vs_sandbox_billing`` -- ``WORKERS`` processes share one X connection (file token store: the
  ledger is shared by flock) and each makes a mix of calls X bills differently: posts with and without a link, a
  post with an image (one-shot upload), a chunked video upload, repeated reads of the same posts and of the same
  user (deduplicated per UTC day). Value: the dollars our ledger counted; reference: the dollars the sandbox billed
  (its own, independent counting, read through the control API). Ratio = ours / the sandbox's; target 1.0.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import PYTHON, ROOT, Result, start_sandbox

WORKERS = 4

WORKER = """
import os, sys
from airflow_provider_social.hooks.twitter import TwitterHook
n = int(sys.argv[1])
hook = TwitterHook("twitter_bench")
hook.get_me()
hook.client.call("get me")  # the same user again: billed once a day
hook.create_tweet(f"worker {n} says hello")
hook.create_tweet(f"worker {n} links https://example.com/{n}")
hook.create_tweet(f"worker {n} picture", media_paths=[os.environ["BENCH_PNG"]])
hook.upload_media(os.environ["BENCH_VIDEO"], wait=False)
for _ in range(3):
    hook.posting.recent_posts()  # the same posts read again and again
"""

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360000002000100e221bc330000000049454e44ae426082"
)


def measure() -> list[Result]:
    sys.path.insert(0, str(ROOT))
    from airflow_provider_social.core.spending import FileDocuments, SpendLedger
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    with tempfile.TemporaryDirectory(prefix="bench-xcost-") as tmp:
        folder = Path(tmp)
        (folder / "a.png").write_bytes(PNG)
        with open(folder / "v.mp4", "wb") as fh:
            fh.write(b"\x00\x00\x00\x18ftypmp42" + os.urandom(6 * 1024 * 1024))
        proc, url = start_sandbox()
        try:
            control = SandboxControl(url)
            control.reset()
            conn = sandbox_connections(url, control)["twitter_default"]
            conn["extra"]["token_store"] = f"file:{folder / 'tokens'}"
            env = dict(os.environ, PYTHONPATH=str(ROOT), AIRFLOW_CONN_TWITTER_BENCH=json.dumps(conn),
                       BENCH_PNG=str(folder / "a.png"), BENCH_VIDEO=str(folder / "v.mp4"),
                       AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING")
            workers = [subprocess.Popen([PYTHON, "-c", WORKER, str(n)], env=env) for n in range(WORKERS)]
            failed = sum(1 for w in workers if w.wait(600) != 0)
            billed = control.state("twitter")["billing"]
            clock = control.now()
        finally:
            proc.terminate()
            proc.wait(10)
        ledger = SpendLedger(FileDocuments(folder / "tokens" / ".spend"), "X", "twitter_bench", clock=lambda: clock)
        ours = ledger.today()
    theirs = billed["usd"]
    calls = ours["calls"]
    return [
        Result(
            name="x_cost_count_vs_sandbox_billing",
            value=ours["usd"],
            unit="USD",
            reference=f"what the sandbox billed for the same calls ({WORKERS} processes sharing one connection, "
            f"{calls} billed calls counted by us; {failed} workers failed)",
            reference_value=theirs,
            ratio=ours["usd"] / theirs if theirs else None,
            target="1.0",
        )
    ]


if __name__ == "__main__":
    for result in measure():
        print(result.describe())
