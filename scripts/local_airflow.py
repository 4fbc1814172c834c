"""A throwaway local Airflow (api-server, scheduler, dag-processor, triggerer...) on loopback, plus the sandbox.

One launcher for everything that needs real Airflow processes: `make ui`, the real-scheduler and triggerer tests,
the browser tests and the distributed-executor test. Each component is its own process group so `stop()` reaches
every child. Nothing here simulates time: `wait_for` polls what real processes did.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

BIN = Path(sys.executable).parent

# The components a scheduler-driven DAG run needs; add "triggerer" for deferrable tasks.
CORE_COMPONENTS = ("api-server", "scheduler", "dag-processor")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop_process(process: subprocess.Popen, grace: float = 10) -> None:
    """SIGTERM one process (a server the tests or the demo started), SIGKILL it if it is still there after ``grace``
    seconds; returns once it has exited."""
    process.terminate()
    try:
        process.wait(grace)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_answering(process: subprocess.Popen, url: str, what: str, *, any_status: bool = False,
                         timeout: float = 60) -> None:
    """Return once ``url`` answers (a 2xx; with ``any_status`` any HTTP status, for a server that refuses unsigned
    requests); stop ``process`` and raise if it exits or ``timeout`` seconds pass first.

    :param process: the server's process.
    :param url: what to ask.
    :param what: the server, named in the error.
    """
    deadline = time.monotonic() + timeout
    while True:
        try:
            urllib.request.urlopen(url, timeout=1).close()  # noqa: S310 - loopback
            return
        except urllib.error.HTTPError:
            if any_status:
                return
        except OSError:
            pass
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process(process)
            raise RuntimeError(f"{what} did not start") from None
        time.sleep(0.1)  # waiting for a real process to listen, not for a clock


def start_sandbox(env: Mapping[str, str] | None = None, port: int = 0,
                  new_session: bool = False) -> tuple[subprocess.Popen[str], str]:
    """Start the sandbox as its own process; returns it and its base URL once it listens.

    :param env: its environment (default: this process's).
    :param port: its port; a free one by default.
    :param new_session: put it in its own session and process group, so a terminal's Ctrl-C reaches only the
        caller, which then stops it (``make ui``).
    """
    proc = subprocess.Popen(
        [str(BIN / "python"), "-m", "airflow_provider_social.sandbox", "--port", str(port)],
        stdout=subprocess.PIPE, text=True, env=dict(env if env is not None else os.environ),
        start_new_session=new_session,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline().strip()  # blocks until the server listens
    if not line.startswith("SANDBOX_URL="):
        proc.kill()
        raise RuntimeError(f"sandbox did not start: {line!r}")
    return proc, line.split("=", 1)[1]


class MotoServer:
    """``moto_server`` (moto[server] from PyPI) on a free loopback port, in a process of its own: objects it holds
    do not count against the memory of the process under test."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        moto = os.path.join(os.path.dirname(sys.executable), "moto_server")
        self.process = subprocess.Popen([moto, "-H", "127.0.0.1", "-p", str(self.port)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until_answering(self.process, self.url + "/moto-api/", "moto_server")

    def close(self) -> None:
        stop_process(self.process, grace=10)


class LocalAirflow:
    """A local Airflow: SQLite metadata DB (unless ``env`` names another), every component on loopback.

    :param home: AIRFLOW_HOME; logs of each component go to ``home/<component>.out``.
    :param dags_folder: the DAGs folder the dag-processor parses.
    :param env: extra environment (connections as AIRFLOW_CONN_*, settings as AIRFLOW__SECTION__KEY).
    :param port: the API server's port; a free one by default.
    """

    def __init__(self, home: Path, dags_folder: Path, env: Mapping[str, str] | None = None, port: int | None = None):
        self.home = home
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
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
            AIRFLOW__CORE__EXECUTION_API_SERVER_URL=f"{self.url}/execution/",
            # A busy 2-core machine can keep the API server from answering a worker within the default 5 s; the
            # worker then fails before its first line runs (httpx ReadTimeout on task-instances/{id}/run).
            AIRFLOW__WORKERS__EXECUTION_API_TIMEOUT="60",
            AIRFLOW__API__HOST="127.0.0.1",
            AIRFLOW__API__PORT=str(self.port),
            AIRFLOW__API_AUTH__JWT_SECRET=secrets.token_urlsafe(64),  # >= 64 bytes: no InsecureKeyLengthWarning
            AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="True",
            AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="1",
            AIRFLOW__SCHEDULER__SCHEDULER_HEARTBEAT_SEC="1",
            AIRFLOW__LOGGING__LOGGING_LEVEL="INFO",
            SOCIAL_TOKEN_LOCK_DIR=str(home / "locks"),
        )
        self.env.update(env or {})
        self.procs: dict[str, subprocess.Popen] = {}

    def airflow(self, *args: str, check: bool = True, timeout: float = 180) -> subprocess.CompletedProcess:
        """Run one ``airflow`` CLI command in this Airflow's environment."""
        return subprocess.run(
            [str(BIN / "airflow"), *args], env=self.env, capture_output=True, text=True, check=check, timeout=timeout
        )

    def migrate(self) -> None:
        self.airflow("db", "migrate", timeout=300)

    def add_connections(self, connections: Mapping[str, Mapping[str, Any]]) -> None:
        """Store connections in the metadata DB (so the UI lists them), in the JSON form Airflow imports."""
        path = self.home / "connections.json"
        path.write_text(json.dumps(connections))
        try:
            self.airflow("connections", "import", "--overwrite", str(path))
        finally:
            path.unlink()

    def start_component(self, name: str, *args: str, env: Mapping[str, str] | None = None) -> subprocess.Popen:
        """Start one long-running ``airflow <args>`` process named ``name`` (its log: ``home/<name>.out``).

        :param name: the component's name (its log file, its key in ``procs``).
        :param args: the ``airflow`` command line, e.g. ``"celery", "worker"``.
        :param env: settings for this process only, over this Airflow's ``env`` (e.g. one worker's host identity).
        """
        log = open(self.home / f"{name}.out", "w")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(
            [str(BIN / "airflow"), *args], env={**self.env, **(env or {})}, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so stop() reaches every child
        )
        self.procs[name] = proc
        return proc

    def start(self, components: Iterable[str] = CORE_COMPONENTS, migrate: bool = True) -> None:
        """Migrate the DB (unless told not to) and start the named standard components."""
        if migrate:
            self.migrate()
        commands = {
            "api-server": ["api-server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1"],
            "scheduler": ["scheduler", "--skip-serve-logs"],
            "dag-processor": ["dag-processor"],
            "triggerer": ["triggerer", "--skip-serve-logs"],
        }
        for name in components:
            self.start_component(name, *commands[name])

    def wait_until_serving(self, timeout: float = 120) -> None:
        """Wait until the API server answers its health endpoint."""
        import requests

        def healthy() -> bool:
            try:
                return requests.get(f"{self.url}/api/v2/monitor/health", timeout=5).status_code == 200
            except requests.RequestException:
                return False

        self.wait_for("the API server to answer", healthy, timeout)

    def stop(self) -> None:
        stop_process_groups(list(self.procs.values()))

    def query(self, sql: str, *params: object) -> list[tuple]:
        """Read the SQLite metadata DB directly (tests assert on what the components wrote)."""
        with sqlite3.connect(self.home / "airflow.db", timeout=30) as db:
            return db.execute(sql, params).fetchall()

    def wait_for(self, what: str, check: Callable[[], object], timeout: float = 240) -> object:
        """Poll an external process's progress until ``check`` returns something truthy."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                result = check()
            except sqlite3.OperationalError:
                result = None  # tables not there yet, or locked by a writer
            if result:
                return result
            for name, proc in self.procs.items():
                if proc.poll() is not None:
                    raise AssertionError(f"airflow {name} exited early; see {self.home}/{name}.out")
            time.sleep(0.5)
        raise AssertionError(f"timed out waiting for {what}; see logs in {self.home}")

    def finished_run_state(self, dag_id: str, run_id: str | None = None, timeout: float = 240) -> str:
        """Wait until the DAG's run (the one named ``run_id``, or its only one) ends; its state, success or failed.

        :param dag_id: the DAG.
        :param run_id: the run; None when the DAG has one run.
        :param timeout: seconds to wait.
        """
        where, params = ("run_id=?", (run_id,)) if run_id else ("dag_id=?", (dag_id,))
        (state,) = self.wait_for(f"the run of {dag_id} to finish", lambda: [
            s for (s,) in self.query(f"select state from dag_run where {where}", *params)  # noqa: S608 - fixed text
            if s in ("success", "failed")], timeout)
        return str(state)

    def task_logs(self, tail_per_file: int | None = None) -> str:
        """Every task log under ``home/logs``, joined (the last ``tail_per_file`` characters of each, if given)."""
        texts = (p.read_text(errors="replace") for p in (self.home / "logs").rglob("*.log"))
        return "\n".join(t[-tail_per_file:] if tail_per_file else t for t in texts)

    def decrypt(self, value: str) -> str:
        """A value Airflow stored encrypted (a Variable, a connection's password or extra), with this home's key."""
        from cryptography.fernet import Fernet

        return Fernet(self.fernet_key.encode()).decrypt(value.encode()).decode()


def stop_process_groups(procs: Iterable[subprocess.Popen], grace: float = 15) -> None:
    """SIGTERM each process's group (each was started as its own session), SIGKILL what is left after ``grace``."""
    procs = list(procs)
    for proc in procs:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + grace
    for proc in procs:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)
