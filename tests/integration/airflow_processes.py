"""Start and stop real Airflow components (api-server, scheduler with LocalExecutor, dag-processor) for tests."""

from __future__ import annotations

import base64
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class AirflowCluster:
    """A throwaway Airflow: SQLite, LocalExecutor, every component on loopback, logs under ``home``."""

    def __init__(self, home: Path, dags_folder: Path, env: dict[str, str]) -> None:
        self.home = home
        self.port = free_port()
        self.fernet_key = base64.urlsafe_b64encode(os.urandom(32)).decode()
        self.env = dict(os.environ)
        self.env.update(
            PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
            AIRFLOW_HOME=str(home),
            AIRFLOW__CORE__DAGS_FOLDER=str(dags_folder),
            AIRFLOW__CORE__LOAD_EXAMPLES="False",
            AIRFLOW__CORE__EXECUTOR="LocalExecutor",
            AIRFLOW__CORE__PARALLELISM="2",
            AIRFLOW__CORE__FERNET_KEY=self.fernet_key,
            AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION="False",
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"http://127.0.0.1:{self.port}/execution/",
            # A busy 2-core machine can keep the API server from answering a worker within the default 5 s; the
            # worker then fails before its first line runs (httpx ReadTimeout on task-instances/{id}/run).
            AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="60",
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(32),
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="1",
            AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
            AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
        )
        self.env.update(env)
        self.procs: list[subprocess.Popen] = []

    def airflow(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, check=check, timeout=180
        )

    def start(self) -> None:
        self.airflow("db", "migrate")
        commands = {
            "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
        }
        for name, args in commands.items():
            log = open(self.home / f"{name}.out", "w")  # noqa: SIM115 - closed with the process
            self.procs.append(
                subprocess.Popen(
                    [str(BIN / "airflow"), *args], env=self.env, stdout=log, stderr=subprocess.STDOUT,
                    start_new_session=True,  # its own process group, so stop() reaches every child
                )
            )

    def stop(self) -> None:
        for proc in self.procs:
            with _suppress():
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with _suppress():
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(5)

    def query(self, sql: str, *params: object) -> list[tuple]:
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def wait_for(self, what: str, check: Callable[[], object], timeout: float = 240) -> object:
        """Poll an external process's progress (real Airflow components; nothing here simulates time)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                result = check()
            except sqlite3.OperationalError:
                result = None  # tables not there yet, or locked by a writer
            if result:
                return result
            for proc in self.procs:
                if proc.poll() is not None:
                    raise AssertionError(f"an Airflow process exited early; see {self.home}/*.out")
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}; see logs in {self.home}")


class _suppress:
    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> bool:
        return exc[0] is not None and issubclass(exc[0], (ProcessLookupError, PermissionError))  # type: ignore[arg-type]
