"""Yandex Disk transfer benchmarks against the sandbox, run in its own process (not a thread of the measurer).

* ``yandex_upload_vs_curl_ratio``: throughput of ``YandexDiskHook.upload_file`` for a 1 GiB file (upload link,
  one streamed PUT, metadata check) divided by ``curl -T`` of the same file to a fresh upload href.
* ``yandex_upload_peak_rss_mib``: peak RSS (``ru_maxrss``) of a fresh process that imports the hook and uploads
  the 1 GiB file; the reference is the same measurement for a 100 MiB file.
* ``yandex_upload_rss_growth_mib``: how much that peak exceeds the process's RSS just before the upload started
  (imports included in the baseline): what the upload itself costs in memory.
* ``yandex_upload_vs_yadisk_ratio``: our upload throughput divided by yadisk's ``Client.upload`` (requests
  session) of the same file, yadisk pointed at the sandbox.
* ``yandex_download_vs_curl_ratio``: ``YandexDiskHook.download_file`` throughput divided by ``curl -L -o``.

Every client runs in its own fresh process; each measurement is repeated and the median kept. Test files are
real random bytes under ``benchmarks/.data/`` (kept between runs). If curl is missing, nothing is installed: the
curl-relative entries report a null ratio and say why.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from common import PYTHON, ROOT, Result, median

DATA = ROOT / "benchmarks" / ".data"
GIB = 1024**3
MIB = 1024**2
REPEATS = 5
CONN_ID = "yandex_bench"

CHILD = r"""
import json, os, resource, sys, time
mode, local, remote = sys.argv[1], sys.argv[2], sys.argv[3]

def rss_mib():
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0

if mode == "yadisk":
    import yadisk
    yadisk.settings.BASE_API_URL = os.environ["BENCH_API"]
    client = yadisk.Client(token=os.environ["BENCH_TOKEN"], session="requests")
    before = rss_mib()
    started = time.perf_counter()
    client.upload(local, remote, overwrite=True, timeout=(10, 600))
else:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
    hook = YandexDiskHook(os.environ["BENCH_CONN_ID"])
    hook.get_disk_info()  # connection loaded, session warm: the timed part is the transfer itself
    before = rss_mib()
    started = time.perf_counter()
    if mode == "upload":
        hook.upload_file(local, remote, overwrite=True)
    else:
        hook.download_file(remote, local)
elapsed = time.perf_counter() - started
print(json.dumps({"seconds": elapsed, "before_mib": before,
                  "peak_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
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


class Sandbox:
    """The sandbox in a child process, with an account big enough for the runs and a connection to it."""

    def __init__(self) -> None:
        # The sandbox keeps uploaded bytes in temporary files; on tmpfs when there is one, so the VM's disk
        # write-back does not add noise to what is a comparison of clients.
        shm = Path("/dev/shm")
        self.blobs = Path(tempfile.mkdtemp(prefix="bench-sandbox-", dir=shm if shm.is_dir() else DATA))
        env = dict(os.environ, PYTHONPATH=str(ROOT), TMPDIR=str(self.blobs))
        self.proc = subprocess.Popen(
            [PYTHON, "-m", "airflow_provider_social.sandbox", "--port", "0"], stdout=subprocess.PIPE, text=True, env=env
        )
        assert self.proc.stdout is not None
        line = self.proc.stdout.readline().strip()
        if not line.startswith("SANDBOX_URL="):
            self.proc.kill()
            raise RuntimeError(f"sandbox did not start: {line!r}")
        self.url = line.split("=", 1)[1]
        from airflow_provider_social.sandbox.control import SandboxControl

        self.control = SandboxControl(self.url)
        self.control.configure("yandex_disk", total_space=1024 * GIB, max_file_size=4 * GIB)
        tokens = self.control.mint_tokens("yandex")
        self.token = tokens["access_token"]
        self.api = f"{self.url}/yandex-disk"
        conn = {
            "conn_type": "yandex_disk",
            "password": tokens["access_token"],
            "extra": {
                "refresh_token": tokens["refresh_token"], "client_id": "sandbox-client",
                "client_secret": "sandbox-secret", "api_base_url": self.api,
                "oauth_base_url": f"{self.url}/yandex-oauth", "token_store": f"file:{DATA / 'tokens'}",
                "timeout": 600,
            },
        }
        home = DATA / "airflow_home"
        home.mkdir(exist_ok=True)
        self.env = dict(
            os.environ, PYTHONPATH=str(ROOT), AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__LOGGING__LOGGING_LEVEL="ERROR", SOCIAL_TOKEN_LOCK_DIR=str(home / "locks"),
            BENCH_CONN_ID=CONN_ID, BENCH_API=self.api, BENCH_TOKEN=self.token,
            **{f"AIRFLOW_CONN_{CONN_ID.upper()}": json.dumps(conn)},
        )
        import requests

        self.http = requests.Session()
        self.http.headers["Authorization"] = f"OAuth {self.token}"
        self.http.put(f"{self.api}/v1/disk/resources", params={"path": "disk:/bench"}).raise_for_status()

    def child(self, mode: str, local: Path, remote: str) -> dict:
        out = subprocess.run([PYTHON, "-c", CHILD, mode, str(local), remote], env=self.env,
                             capture_output=True, text=True, timeout=900)
        if out.returncode != 0:
            raise RuntimeError(f"{mode} run failed:\n{out.stderr[-3000:]}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def upload_href(self, remote: str) -> str:
        response = self.http.get(f"{self.api}/v1/disk/resources/upload", params={"path": remote, "overwrite": "true"})
        response.raise_for_status()
        return response.json()["href"]

    def download_href(self, remote: str) -> str:
        response = self.http.get(f"{self.api}/v1/disk/resources/download", params={"path": remote})
        response.raise_for_status()
        return response.json()["href"]

    def close(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        shutil.rmtree(self.blobs, ignore_errors=True)


def _curl(args: list[str]) -> float:
    started = time.perf_counter()
    subprocess.run(["curl", "-sS", "--fail", *args], check=True, capture_output=True, timeout=900)
    return time.perf_counter() - started


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
    sandbox = Sandbox()
    up: list[float] = []
    up_curl: list[float] = []
    up_yadisk: list[float] = []
    down: list[float] = []
    down_curl: list[float] = []
    rss: list[dict] = []

    def ours_upload() -> float:
        run = sandbox.child("upload", big, "disk:/bench/big.bin")
        rss.append(run)
        return GIB / run["seconds"]

    def curl_upload() -> float:
        return GIB / _curl(["-T", str(big), "-o", os.devnull, sandbox.upload_href("disk:/bench/curl.bin")])

    def yadisk_upload() -> float:
        return GIB / sandbox.child("yadisk", big, "disk:/bench/yadisk.bin")["seconds"]

    out_dir = sandbox.blobs.parent / f"{sandbox.blobs.name}-downloads"  # tmpfs too when there is one
    out_dir.mkdir(exist_ok=True)

    def ours_download() -> float:
        return GIB / sandbox.child("download", out_dir / "ours.bin", "disk:/bench/big.bin")["seconds"]

    def curl_download() -> float:
        href = sandbox.download_href("disk:/bench/big.bin")
        return GIB / _curl(["-L", "-o", str(out_dir / "curl.bin"), href])

    try:
        for i in range(REPEATS):
            if curl:
                a, b = _paired(ours_upload, curl_upload, i)
                up.append(a)
                up_curl.append(b)
            a, b = _paired(ours_upload, yadisk_upload, i)
            up.append(a)
            up_yadisk.append(b)
        small_rss = sandbox.child("upload", small, "disk:/bench/small.bin")
        for i in range(REPEATS):
            if curl:
                a, b = _paired(ours_download, curl_download, i)
            else:
                a, b = ours_download(), 0.0
            down.append(a)
            down_curl.append(b)
    finally:
        sandbox.close()
        shutil.rmtree(out_dir, ignore_errors=True)

    mb = 1e6
    per_curl = [o / c for o, c in zip(up[0::2], up_curl, strict=False)] if curl else []
    per_yadisk = [o / y for o, y in zip(up[1::2] if curl else up, up_yadisk, strict=False)]
    per_down = [o / c for o, c in zip(down, down_curl, strict=False)] if curl else []
    peak = max(r["peak_mib"] for r in rss)
    growth = max(r["peak_mib"] - r["before_mib"] for r in rss)
    no_curl = "curl (not installed: ratio not measured)"
    paired = f"median of {REPEATS} back-to-back pairs"
    return [
        Result(
            name="yandex_upload_vs_curl_ratio", value=median(up) / mb, unit="MB/s",
            reference=f"curl -T of the same 1 GiB file to a fresh upload href ({paired})" if curl else no_curl,
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
            reference=f"yadisk 3.4.1 Client.upload (requests session) of the same file ({paired})",
            reference_value=median(up_yadisk) / mb, ratio=median(per_yadisk), target=">= 1.0",
        ),
        Result(
            name="yandex_download_vs_curl_ratio", value=median(down) / mb, unit="MB/s",
            reference=f"curl -L -o of the same 1 GiB file from a fresh download href ({paired})" if curl else no_curl,
            reference_value=median(down_curl) / mb if curl else None,
            ratio=median(per_down) if curl else None, target=">= 0.9",
        ),
    ]
