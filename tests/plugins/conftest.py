"""The plugin's app under FastAPI's TestClient, with a real metadata database (a temporary SQLite file, swapped in
for these tests only) and Airflow's default auth manager, SimpleAuthManager, with three users."""

from __future__ import annotations

import secrets

import pytest

USERS = "alice:op,bob:op,vera:viewer"


class Clock:
    def __init__(self) -> None:
        import time

        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def airflow_db(tmp_path_factory):
    """Point Airflow's ORM at a fresh SQLite file with every table; put the previous engine back afterwards."""
    from airflow import settings
    from airflow.models import import_all_models
    from airflow.models.base import Base

    import_all_models()  # every table, so that foreign keys resolve whatever was imported before

    previous = settings.SQL_ALCHEMY_CONN
    path = tmp_path_factory.mktemp("db") / "airflow.db"
    settings.SQL_ALCHEMY_CONN = f"sqlite:///{path}"
    settings.configure_orm()
    Base.metadata.create_all(settings.engine)
    yield
    settings.dispose_orm()
    settings.SQL_ALCHEMY_CONN = previous
    settings.configure_orm()


@pytest.fixture(scope="module")
def auth_manager(airflow_db):
    from airflow.api_fastapi.app import init_auth_manager
    from airflow.configuration import conf

    conf.set("core", "simple_auth_manager_users", USERS)
    conf.set("core", "simple_auth_manager_all_admins", "False")
    # A 64-byte signing key, as production needs (Airflow's generated default warns on every token it signs).
    conf.set("api_auth", "jwt_secret", secrets.token_urlsafe(64))
    return init_auth_manager()


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def plugin(auth_manager, tmp_path, clock):
    """A function returning a TestClient of the API server's plugin mount, logged in as the given user (or
    anonymous), on a loopback base URL (the sandbox's apps accept loopback redirect URIs)."""
    from airflow.api_fastapi.auth.managers.simple.user import SimpleAuthManagerUser
    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from airflow_provider_social.plugins.app import URL_PREFIX, create_app

    server = FastAPI()
    server.mount(URL_PREFIX, create_app(tmp_path / "state", clock=clock, lifetime=600))
    roles = dict(item.split(":") for item in USERS.split(","))

    def client(username: str | None = "alice") -> TestClient:
        test_client = TestClient(server, base_url="http://127.0.0.1:8080", follow_redirects=False)
        if username:
            user = SimpleAuthManagerUser(username=username, role=roles[username])
            test_client.cookies.set("_token", auth_manager.generate_jwt(user))
        return test_client

    return client


@pytest.fixture
def db_connection(airflow_db):
    """Create (or replace) a connection in the metadata database; removed after the test."""
    import json

    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    made: list[str] = []

    def make(conn_id: str, conn_type: str, *, password: str | None = None, **extra):
        with create_session() as session:
            session.query(Connection).filter(Connection.conn_id == conn_id).delete()
            session.add(Connection(conn_id=conn_id, conn_type=conn_type, password=password, extra=json.dumps(extra)))
        made.append(conn_id)
        return conn_id

    yield make
    with create_session() as session:
        session.query(Connection).filter(Connection.conn_id.in_(made)).delete()


def stored(conn_id: str):
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session

    with create_session() as session:
        conn = session.query(Connection).filter(Connection.conn_id == conn_id).one()
        return conn.password, dict(conn.extra_dejson)
