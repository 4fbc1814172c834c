"""Yandex Disk download benchmarks: ``YandexDiskHook.download_file`` against ``curl -o``, both from one loopback sink.

The sink, the connection and the child process are ``bench_yandex.py``'s (see there why it is not the sandbox).

* ``yandex_download_vs_curl_ratio``: ``download_file`` of a 1 GiB file (the link, a streamed GET into a temp
  file, the rename) in a fresh process, divided by ``curl -o`` of the same href; the median of back-to-back pairs,
  order alternating. The note beside it lists every pair's ratio, the CPU seconds each side spent (less sensitive
  to a busy machine than the wall clock) and the load average, so a noisy run shows as one.
* ``yandex_download_rss_growth_mib``: how far the downloading process's peak RSS rose above its RSS just before
  the download, for 1 GiB; the reference is the same for a 100 MiB file. Flat means it does not grow with size.

Run alone with ``python benchmarks/run.py bench_yandex_download`` (about a minute on 2 cores).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from bench_yandex import DATA, GIB, MIB, REPEATS, Bench, _curl_timed, _data_file, _paired
from common import Result, median


def measure() -> list[Result]:
    big = _data_file("yandex_1g.bin", GIB)
    small = _data_file("yandex_100m.bin", 100 * MIB)
    curl = shutil.which("curl")
    bench = Bench({"disk:/bench/big.bin": big, "disk:/bench/small.bin": small})
    shm = Path("/dev/shm")
    # Downloads land on tmpfs when there is one, so the VM's disk write-back does not add noise.
    out_dir = Path(tempfile.mkdtemp(prefix="bench-downloads-", dir=shm if shm.is_dir() else DATA))
    ours: list[dict] = []
    theirs: list[tuple[float, float]] = []
    loads = [os.getloadavg()[0]]

    def ours_download() -> float:
        ours.append(bench.child("download", out_dir / "ours.bin", "disk:/bench/big.bin"))
        return ours[-1]["seconds"]

    def curl_download() -> float:
        theirs.append(_curl_timed(["-o", str(out_dir / "curl.bin"), bench.download_href("disk:/bench/big.bin")]))
        return theirs[-1][0]

    try:
        for i in range(REPEATS):
            if curl:
                _paired(ours_download, curl_download, i)
            else:
                ours_download()
            loads.append(os.getloadavg()[0])
        small_run = bench.child("download", out_dir / "small.bin", "disk:/bench/small.bin")
    finally:
        bench.close()
        shutil.rmtree(out_dir, ignore_errors=True)

    mb = 1e6
    seconds = [run["seconds"] for run in ours]
    growth = max(run["peak_mib"] - run["before_mib"] for run in ours)
    small_growth = small_run["peak_mib"] - small_run["before_mib"]
    load = f"1-min load average {min(loads):.1f}-{max(loads):.1f} on {os.cpu_count()} cores"
    if curl:
        pairs = [c / o for o, (c, _) in zip(seconds, theirs, strict=True)]
        note = (f"pair ratios {', '.join(f'{r:.2f}' for r in pairs)}; CPU s per GiB ours "
                f"{median([run['cpu_seconds'] for run in ours]):.2f}, curl {median([c for _, c in theirs]):.2f}; "
                f"{load}")
        download = Result(
            name="yandex_download_vs_curl_ratio", value=GIB / median(seconds) / mb, unit="MB/s",
            reference=f"curl -o of the same 1 GiB file from the same sink href (median of {REPEATS} back-to-back "
            "pairs)", reference_value=GIB / median([c for c, _ in theirs]) / mb, ratio=median(pairs),
            target=">= 1.0", note=note,
        )
    else:
        download = Result(
            name="yandex_download_vs_curl_ratio", value=GIB / median(seconds) / mb, unit="MB/s",
            reference="curl (not installed: ratio not measured)", reference_value=None, ratio=None,
            target=">= 1.0", note=load,
        )
    return [
        download,
        Result(
            name="yandex_download_rss_growth_mib", value=growth, unit="MiB",
            reference="the same growth downloading a 100 MiB file (RSS just before the download to peak RSS)",
            reference_value=small_growth, ratio=None, target="flat: the 4 MiB buffer, whatever the size",
        ),
    ]
