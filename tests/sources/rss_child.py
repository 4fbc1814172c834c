"""One X media upload from S3 in a fresh interpreter, measuring its peak RSS: ``python -m tests.sources.rss_child``.

Used by tests/sources/test_memory.py and benchmarks/bench_sources.py. The environment names the X connection
(``RSS_X_CONN``, declared as ``AIRFLOW_CONN_*``), the S3 endpoint and connection id the object is read through
(``RSS_S3_ENDPOINT``, ``RSS_S3_CONN``) and the object (``RSS_SOURCE``, an ``s3://conn@bucket/key`` URL). Everything
the upload needs is loaded first (the hook, its token, the S3 filesystem and one read of the object); then the
kernel's peak-RSS mark is reset to the current RSS (``/proc/self/clear_refs``), so the peak read after the upload
is what streaming the object cost, not a transient peak of the imports (``ru_maxrss`` cannot be reset, and an
import peak above the upload's would hide it). Prints one JSON line: ``seconds``, ``rss_before_kib`` (VmRSS),
``rss_peak_kib`` (VmHWM), ``media_id``.
"""

from __future__ import annotations

import json
import os
import re
import time


def memory_kib(field: str) -> int:
    """``VmRSS`` (now) or ``VmHWM`` (peak since the last reset) of this process, in KiB."""
    with open("/proc/self/status") as status:
        match = re.search(rf"^{field}:\s+(\d+) kB", status.read(), re.MULTILINE)
    assert match, field
    return int(match.group(1))


def main() -> None:
    import s3fs
    from airflow.sdk.io.store import attach

    from airflow_provider_social.hooks.twitter import TwitterHook

    options = {"endpoint_url": os.environ["RSS_S3_ENDPOINT"], "region_name": "us-east-1"}
    attach("s3", conn_id=os.environ["RSS_S3_CONN"],
           fs=s3fs.S3FileSystem(key="testing", secret="testing", client_kwargs=options, skip_instance_cache=True))
    hook = TwitterHook(os.environ["RSS_X_CONN"])
    hook.get_me()  # connection, token and pooled session ready before measuring
    url = os.environ["RSS_SOURCE"]
    media = hook.check_media_file(url)
    media.source.head(1024)  # the S3 client's first GET (its parsers, the fsspec I/O thread) before measuring
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak RSS mark starts again from the current RSS
    before = memory_kib("VmRSS")
    started = time.perf_counter()
    uploaded = hook.upload_media(url, wait=False)
    seconds = time.perf_counter() - started
    peak = memory_kib("VmHWM")
    print(json.dumps({"seconds": seconds, "rss_before_kib": before, "rss_peak_kib": peak,
                      "media_id": uploaded["media_id"]}))


if __name__ == "__main__":
    main()
