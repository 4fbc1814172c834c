"""`yadisk_fs_copy_1gib_vs_hook_upload_ratio`: an S3 object copied to Disk through ``ObjectStoragePath`` against the
hook's own upload of the same bytes from a local file.

Both sides send to the same loopback sink (``sink.py``: just enough of the Disk API, uploads discarded as fast as
the kernel allows), so the figure is what the ``yadisk://`` path costs over the hook, not the sandbox's hashing:

* ours: ``ObjectStoragePath("s3://bench_s3@bench/big.bin").copy(ObjectStoragePath("yadisk://yandex_bench@/..."))``
  reading from an S3-compatible server on loopback (``rclone serve s3`` over a folder, ``s3_folder_server.py``: it
  reads only the asked range of a ranged GET, as S3 does, where moto reads the whole object each time), which Airflow
  streams into the ``yadisk://`` file object (each block sent on as it is written, one chunked PUT);
* reference: ``YandexDiskHook.upload_file`` of the same bytes from a local file.

value = the median copy's seconds; ratio = the median over back-to-back pairs (order alternating) of hook seconds /
copy seconds (1.0: the copy costs nothing more than a local upload; target >= 0.8). Each side runs in a fresh
process, whose peak RSS the note gives (flat: the copy's peak does not grow with the size); the note also times the
two halves alone: the S3 read (into nothing), the floor of any copy from that server, and the ``yadisk://`` write
(from memory). The size is ``BENCH_FS_COPY_MIB`` (default 1024 MiB, the name's 1 GiB); the note says what ran.
"""

from __future__ import annotations

import json
import os
import subprocess

from bench_yandex import DATA, MIB, Bench, _data_file, _paired
from common import AS_IN_A_TASK, PEAK_RSS, PYTHON, Result, median

SIZE_MIB = int(os.environ.get("BENCH_FS_COPY_MIB", "1024"))
PAIRS = int(os.environ.get("BENCH_FS_COPY_PAIRS", "3"))
BUCKET = "bench"
S3_CONN = "bench_s3"

CHILD = r"""
import json, os, sys, time
mode, local = sys.argv[1], sys.argv[2]
""" + AS_IN_A_TASK + PEAK_RSS + r"""
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
hook = YandexDiskHook(os.environ["BENCH_CONN_ID"])
hook.get_disk_info()  # connection loaded, session warm, in both modes
if mode == "write":  # the yadisk:// side alone: the copy's writes (64 KiB, as copyfileobj makes them) from memory
    from airflow.sdk import ObjectStoragePath
    target = ObjectStoragePath(f"yadisk://{os.environ['BENCH_CONN_ID']}@/bench/copy.bin")
    piece, size = os.urandom(64 * 1024), int(local)
    started = time.perf_counter()
    with target.open("wb") as fh:
        for _ in range(size // len(piece)):
            fh.write(piece)
elif mode in ("copy", "read"):
    import s3fs
    from airflow.sdk import ObjectStoragePath
    from airflow.sdk.io.store import attach
    fs = s3fs.S3FileSystem(key=os.environ["BENCH_S3_KEY"], secret=os.environ["BENCH_S3_SECRET"],
                           skip_instance_cache=True,
                           client_kwargs={"endpoint_url": os.environ["BENCH_S3"], "region_name": "us-east-1"})
    attach("s3", conn_id=os.environ["BENCH_S3_CONN"], fs=fs)
    source = ObjectStoragePath(f"s3://{os.environ['BENCH_S3_CONN']}@{local}")
    target = ObjectStoragePath(f"yadisk://{os.environ['BENCH_CONN_ID']}@/bench/copy.bin")
    source.stat()
    started = time.perf_counter()
    if mode == "copy":
        source.copy(target)
    else:  # the S3 side alone: the same read, into nothing
        import shutil
        with source.open("rb") as fh, open(os.devnull, "wb") as nothing:
            shutil.copyfileobj(fh, nothing)
else:
    started = time.perf_counter()
    hook.upload_file(local, "disk:/bench/hook.bin", overwrite=True)
seconds = time.perf_counter() - started
print(json.dumps({"seconds": seconds, "peak_rss_mib": peak_rss_mib()}))
"""


def measure() -> list[Result]:
    import shutil

    from s3_folder_server import ACCESS_KEY, SECRET_KEY, S3FolderServer

    size = SIZE_MIB * MIB
    local = _data_file(f"fs_copy_{SIZE_MIB}m.bin", size)
    served = DATA / "s3_folder"
    shutil.rmtree(served, ignore_errors=True)
    s3 = S3FolderServer(served)
    bench = Bench({})
    try:
        s3.put(BUCKET, "big.bin", local)
        env = dict(bench.env, BENCH_S3=s3.url, BENCH_S3_CONN=S3_CONN, BENCH_S3_KEY=ACCESS_KEY,
                   BENCH_S3_SECRET=SECRET_KEY, TMPDIR=str(DATA))

        def run(mode: str, argument: str) -> float:
            out = subprocess.run([PYTHON, "-c", CHILD, mode, argument], env=env, capture_output=True, text=True,
                                 timeout=1800)
            if out.returncode != 0:
                raise RuntimeError(f"{mode} run failed:\n{out.stderr[-3000:]}")
            answer = json.loads(out.stdout.strip().splitlines()[-1])
            peaks[mode].append(answer["peak_rss_mib"])
            return float(answer["seconds"])

        copies: list[float] = []
        uploads: list[float] = []
        peaks: dict[str, list[float]] = {"copy": [], "upload": [], "read": [], "write": []}
        reads: list[float] = []
        writes: list[float] = []
        for pair in range(PAIRS):
            copy, upload = _paired(lambda: run("copy", f"{BUCKET}/big.bin"), lambda: run("upload", str(local)), pair)
            copies.append(copy)
            uploads.append(upload)
            reads.append(run("read", f"{BUCKET}/big.bin"))
            writes.append(run("write", str(size)))
    finally:
        bench.close()
        s3.close()
        shutil.rmtree(served, ignore_errors=True)
    ratio = median([u / c for u, c in zip(uploads, copies, strict=True)])
    return [Result(
        "yadisk_fs_copy_1gib_vs_hook_upload_ratio", median(copies), "s",
        f"YandexDiskHook.upload_file of the same {SIZE_MIB} MiB from a local file, median seconds; "
        "ratio = median of hook s / copy s",
        median(uploads), ratio, target=">= 0.8",
        note=(f"{SIZE_MIB} MiB, {PAIRS} pairs against rclone serve s3 (S3) and the sink; copy runs "
              f"{[round(s, 2) for s in copies]}, hook runs {[round(s, 2) for s in uploads]}; peak RSS MiB copy "
              f"{[round(m) for m in peaks['copy']]}, hook {[round(m) for m in peaks['upload']]}; the S3 read "
              f"alone (same s3fs, into nothing) {[round(s, 2) for s in reads]}; the yadisk:// write alone (the same "
              f"64 KiB writes, from memory) {[round(s, 2) for s in writes]}. The write streams each 1 MiB piece "
              "to the upload host as it fills (one chunked PUT, six reused buffers) on a thread of its own, so "
              "the copy's floor is its S3 read, s3fs's ranged GETs of 50 MiB blocks"),
    )]
