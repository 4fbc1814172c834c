"""Fixtures for the token-store tests: real PostgreSQL and Redis servers (session-scoped), emptied per test."""

from __future__ import annotations

import json

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
