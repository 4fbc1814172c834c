"""Yandex Disk transfer benchmarks: our client against a reference client, both against one loopback sink.

Both sides talk to ``sink.py``, a server that speaks just enough of the Disk API (upload and download links, the
metadata, the disk info) and moves bytes as fast as the kernel allows. The strict sandbox hashes every uploaded
byte and streams through Starlette, which capped every client at the same few hundred MB/s on 2 cores and made the
ratios noise (0.48-1.40 across runs); against the sink the numbers are the clients' own.

* ``yandex_upload_vs_curl_ratio``: ``YandexDiskHook.upload_file`` of a 1 GiB file (disk info, upload link, one
  streamed PUT, metadata) divided by ``curl -T`` of the same file to a fresh upload href.
* ``yandex_upload_peak_rss_mib``: peak RSS (``VmHWM``) of a fresh process that imports the hook and uploads
  the 1 GiB file; the reference is the same measurement for a 100 MiB file.
* ``yandex_upload_rss_growth_mib``: how much that peak exceeds the process's RSS just before the upload started
  (imports included in the baseline): what the upload itself costs in memory.
* ``yandex_upload_vs_yadisk_ratio``: our upload throughput divided by yadisk's ``Client.upload`` (requests
  session) of the same file.

Downloads are measured by ``bench_yandex_download.py`` with the same sink and helpers.

Every client runs in its own fresh process; each ratio is the median of back-to-back pairs (order alternating).
Test files are real random bytes under ``benchmarks/.data/`` (kept between runs). If curl is missing, nothing is
installed: the curl-relative entries report a null ratio and say why.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

from common import AS_IN_A_TASK, PEAK_RSS, PYTHON, ROOT, Result, median
from sink import Sink

DATA = ROOT / "benchmarks" / ".data"
GIB = 1024**3
MIB = 1024**2
REPEATS = 5
CONN_ID = "yandex_bench"

CHILD = r"""
import json, os, resource, sys, time
mode, local, remote = sys.argv[1], sys.argv[2], sys.argv[3]
""" + AS_IN_A_TASK + PEAK_RSS + r"""

def cpu_seconds():
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime

if mode == "yadisk":
    import yadisk
    yadisk.settings.BASE_API_URL = os.environ["BENCH_API"]
    client = yadisk.Client(token=os.environ["BENCH_TOKEN"], session="requests")
    before = rss_mib()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    client.upload(local, remote, overwrite=True, timeout=(10, 600))
else:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
    hook = YandexDiskHook(os.environ["BENCH_CONN_ID"])
    hook.get_disk_info()  # connection loaded, session warm: the timed part is the transfer itself
    before = rss_mib()
    cpu_before = cpu_seconds()
    started = time.perf_counter()
    if mode == "upload":
        hook.upload_file(local, remote, overwrite=True)
    else:
        hook.download_file(remote, local)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "cpu_seconds": cpu_seconds() - cpu_before, "before_mib": before,
                  "peak_mib": peak_rss_mib()}))
"""


def _data_file(name: str, size: int) -> Path:
    """A file of ``size`` random bytes (real data, not sparse), created once."""
    DATA.mkdir(parents=True, exist_ok=True)
    path = DATA / name
    if path.exists() and path.stat().st_size == size:
        return path
    with open(path, "wb") as fh:
        left = size
        while left:
            chunk = os.urandom(min(4 * MIB, left))
            fh.write(chunk)
            left -= len(chunk)
    return path


class Bench:
    """The sink (see sink.py) and a connection to it; each client runs in a fresh process against it."""

    def __init__(self, files: dict[str, Path]) -> None:
        self.sink = Sink(files).__enter__()
        self.api = self.sink.url
        conn = {
            "conn_type": "yandex_disk",
            "password": "bench-token-" + "0" * 20,
            "extra": {"api_base_url": self.api, "token_store": f"file:{DATA / 'tokens'}", "timeout": 600},
        }
        home = DATA / "airflow_home"
        home.mkdir(parents=True, exist_ok=True)
        self.env = dict(
            os.environ, PYTHONPATH=str(ROOT), AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR", SOCIAL_TOKEN_LOCK_DIR=str(home / "locks"),
            BENCH_CONN_ID=CONN_ID, BENCH_API=self.api, BENCH_TOKEN="bench-token",
            **{f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(conn)},
        )

    def child(self, mode: str, local: Path, remote: str) -> dict:
        out = subprocess.run([PYTHON, "-c", CHILD, mode, str(local), remote], env=self.env,
                             capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"{mode} run failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def upload_href(self) -> str:
        with urllib.request.urlopen(f"{self.api}/v1/disk/resources/upload?path=disk:/bench/curl.bin") as answer:  # noqa: S310
            return str(json.load(answer)["href"])

    def download_href(self, remote: str) -> str:
        return f"{self.api}/download/{remote}"

    def close(self) -> None:
        self.sink.__exit__(None, None, None)


def _curl(args: list[str]) -> float:
    return _curl_timed(args)[0]


def _curl_timed(args: list[str]) -> tuple[float, float]:
    """(seconds, CPU seconds) of one curl run."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", *args], check=True, capture_output=True, timeout=900)
    elapsed = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return elapsed, after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime


def _paired(first: callable, second: callable, round_: int) -> tuple[float, float]:  # type: ignore[valid-type]
    """Run two measurements back to back, alternating which goes first, so load drift hits both alike."""
    if round_ % 2:
        b = second()
        return first(), b
    a = first()
    return a, second()


def measure() -> list[Result]:
    big = _data_file("yandex_1g.bin", GIB)
    small = _data_file("yandex_100m.bin", 100 * MIB)
    curl = shutil.which("curl")
    bench = Bench({"disk:/bench/big.bin": big})
    up: list[float] = []
    up_curl: list[float] = []
    up_yadisk: list[float] = []
    rss: list[dict] = []

    def ours_upload() -> float:
        run = bench.child("upload", big, "disk:/bench/big.bin")
        rss.append(run)
        return GIB / run["seconds"]

    def curl_upload() -> float:
        return GIB / _curl(["-T", str(big), "-o", os.devnull, bench.upload_href()])

    def yadisk_upload() -> float:
        return GIB / bench.child("yadisk", big, "disk:/bench/yadisk.bin")["seconds"]

    try:
        for i in range(REPEATS):
            if curl:
                a, b = _paired(ours_upload, curl_upload, i)
                up.append(a)
                up_curl.append(b)
            a, b = _paired(ours_upload, yadisk_upload, i)
            up.append(a)
            up_yadisk.append(b)
        small_rss = bench.child("upload", small, "disk:/bench/small.bin")
    finally:
        bench.close()

    mb = 1e6
    per_curl = [o / c for o, c in zip(up[0::2], up_curl, strict=False)] if curl else []
    per_yadisk = [o / y for o, y in zip(up[1::2] if curl else up, up_yadisk, strict=False)]
    peak = max(r["peak_mib"] for r in rss)
    growth = max(r["peak_mib"] - r["before_mib"] for r in rss)
    no_curl = "curl (not installed: ratio not measured)"
    paired = f"median of {REPEATS} back-to-back pairs"
    return [
        Result(
            name="yandex_upload_vs_curl_ratio", value=median(up) / mb, unit="MB/s",
            reference=f"curl -T of the same 1 GiB file to a sink upload href ({paired})" if curl else no_curl,
            reference_value=median(up_curl) / mb if curl else None,
            ratio=median(per_curl) if curl else None, target=">= 0.9",
        ),
        Result(
            name="yandex_upload_peak_rss_mib", value=peak, unit="MiB",
            reference="peak RSS of the same process type uploading a 100 MiB file",
            reference_value=small_rss["peak_mib"], ratio=peak / small_rss["peak_mib"],
            target="< 100, ratio <= 1.1",
        ),
        Result(
            name="yandex_upload_rss_growth_mib", value=growth, unit="MiB",
            reference="RSS of the uploading process just before the upload (imports of Airflow and the hook)",
            reference_value=max(r["before_mib"] for r in rss), ratio=None, target="flat: a few MiB",
        ),
        Result(
            name="yandex_upload_vs_yadisk_ratio", value=median(up) / mb, unit="MB/s",
            reference=f"yadisk Client.upload (requests session) of the same file, same sink ({paired})",
            reference_value=median(up_yadisk) / mb, ratio=median(per_yadisk), target=">= 1.0",
        ),
    ]
