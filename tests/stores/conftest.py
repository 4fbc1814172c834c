"""Fixtures for the token-store tests: real PostgreSQL and Redis servers (session-scoped), emptied per test."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.stores.servers import start_postgres, start_redis


@pytest.fixture(scope="session")
def postgres_server():
    server = start_postgres()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def redis_server():
    server = start_redis()
    yield server
    server.stop()


def postgres_conn_uri(server) -> str:
    return json.dumps({"conn_type": "postgres", "host": server.host, "port": server.port, "login": "postgres",
                       "schema": "postgres"})


def redis_conn_uri(server) -> str:
    return json.dumps({"conn_type": "redis", "host": server.host, "port": server.port, "extra": {"db": 0}})


@pytest.fixture
def tokens_pg(postgres_server, monkeypatch):
    """The Airflow Connection id ``tokens_pg`` of the PostgreSQL server, its token table emptied."""
    import psycopg

    monkeypatch.setenv("AIRFLOW_CONN_TOKENS_PG", postgres_conn_uri(postgres_server))
    with psycopg.connect(host=postgres_server.host, port=postgres_server.port, user="postgres",
                         dbname="postgres", autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS airflow_social_tokens")
    return "tokens_pg"


@pytest.fixture
def tokens_redis(redis_server, monkeypatch):
    """The Airflow Connection id ``tokens_redis`` of the Redis server, emptied."""
    import redis

    monkeypatch.setenv("AIRFLOW_CONN_TOKENS_REDIS", redis_conn_uri(redis_server))
    redis.Redis(host=redis_server.host, port=redis_server.port).flushall()
    return "tokens_redis"


@pytest.fixture(scope="session")
def migrated_airflow_db(tmp_path_factory):
    """A metadata database made by ``airflow db migrate`` (SQLite), once per session; tests use copies of it."""
    home = tmp_path_factory.mktemp("airflow-home-template")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AIRFLOW__DATABASE__")}
    env.update(AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    subprocess.run([str(Path(sys.executable).parent / "airflow"), "db", "migrate"], env=env, check=True,
                   capture_output=True, timeout=300)
    return home / "airflow.db"


@dataclass
class AirflowHome:
    """A configured Airflow that is not a task: ``env`` (its settings, to add to a process's environment), its
    migrated SQLite database ``db`` and its ``fernet_key``."""

    env: dict[str, str]
    db: Path
    fernet_key: str


@pytest.fixture
def airflow_home(migrated_airflow_db, tmp_path) -> AirflowHome:
    """A process started with ``airflow_home.env`` has a configured Airflow (its own migrated SQLite copy, a Fernet
    key) and no task runner: the Variable store writes through the metadata database there."""
    from cryptography.fernet import Fernet

    home = tmp_path / "airflow-home"
    home.mkdir()
    db = home / "airflow.db"
    shutil.copy(migrated_airflow_db, db)
    key = Fernet.generate_key().decode()
    env = {"AIRFLOW_HOME": str(home), "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": f"sqlite:///{db}",
           "AIRFLOW__CORE__FERNET_KEY": key, "AIRFLOW__CORE__LOAD_EXAMPLES": "False"}
    return AirflowHome(env, db, key)


def read_variable(home: AirflowHome, name: str) -> tuple[str, bool, dict | None]:
    """The Variable's raw column, its ``is_encrypted`` flag and its value decrypted with the home's Fernet key."""
    import sqlite3

    from cryptography.fernet import Fernet

    with sqlite3.connect(str(home.db)) as conn:
        row = conn.execute("SELECT val, is_encrypted FROM variable WHERE key = ?", (name,)).fetchone()
    if row is None:
        return "", False, None
    raw, encrypted = row
    value = Fernet(home.fernet_key.encode()).decrypt(raw.encode()).decode() if encrypted else raw
    return raw, bool(encrypted), json.loads(value)


def run_worker(sandbox, service: str, conn_id: str, store: str, step: str = "none", *,
               env: dict[str, str] | None = None, **popen) -> subprocess.Popen:
    """Start ``tests.stores.worker`` (see its docstring) with this process's environment (its AIRFLOW_CONN_*
    connections) plus ``env``; stdout is a text pipe."""
    full = dict(os.environ, SANDBOX_URL=sandbox.base_url, PYTHONPATH=os.getcwd(), **(env or {}))
    return subprocess.Popen([sys.executable, "-m", "tests.stores.worker", service, conn_id, store, step], env=full,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)


def worker_result(proc: subprocess.Popen, timeout: float = 240) -> str:
    """The worker's ``RESULT`` (``"killed"`` when it was SIGKILLed); fails with its output otherwise."""
    out, err = proc.communicate(timeout=timeout)
    if proc.returncode == -9:
        return "killed"
    lines = [line for line in out.splitlines() if line.startswith("RESULT ")]
    assert proc.returncode == 0 and len(lines) == 1, out[-2000:] + err[-3000:]
    return lines[0][len("RESULT "):]


def refresh_tokens(sandbox, service: str = "twitter") -> list[tuple[str, bool]]:
    """Every refresh token the sandbox's OAuth server issued for ``service``, oldest first, with whether it still
    works (not spent, not revoked, grant alive)."""
    server = sandbox.state.oauth[service]
    with server._lock:
        return [(value, not (t.used or t.revoked or t.grant_id in server._revoked_grants))
                for value, t in server._tokens.items() if t.kind == "refresh"]
