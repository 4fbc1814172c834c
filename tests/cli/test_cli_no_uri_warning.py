"""The CLI reads and writes connections without rendering them as URIs: Airflow warns "Connection schemes (type:
yandex_disk) shall not contain '_'" whenever a connection whose type has a '_' becomes a URI."""

from __future__ import annotations

import json
import logging

import pytest
from airflow.models.connection import Connection

from airflow_provider_social.cli.commands import existing_connection


class _Backend:
    def __init__(self, conn):
        self.conn = conn

    def get_connection(self, conn_id, team_name=None):
        return self.conn if conn_id == self.conn.conn_id else None


@pytest.fixture
def warnings_seen(monkeypatch):
    seen: list[str] = []
    original = Connection.get_uri

    def get_uri(self):
        seen.append(self.conn_type)  # every URI rendering of a '_' type logs the warning
        return original(self)

    monkeypatch.setattr(Connection, "get_uri", get_uri)
    return seen


def test_reading_a_stored_yandex_connection_renders_no_uri(monkeypatch, warnings_seen, caplog):
    stored = Connection(conn_id="yd_db", conn_type="yandex_disk", password="y0_x",
                        extra=json.dumps({"client_id": "c"}))
    import airflow.configuration

    monkeypatch.setattr(airflow.configuration, "ensure_secrets_loaded", lambda *a, **k: [_Backend(stored)])
    with caplog.at_level(logging.WARNING):
        conn = existing_connection("yd_db")
    assert conn.conn_type == "yandex_disk" and conn.extra_dejson == {"client_id": "c"}
    assert warnings_seen == []
    assert "shall not contain" not in caplog.text


def test_a_missing_connection_is_none(monkeypatch):
    import airflow.configuration

    monkeypatch.setattr(airflow.configuration, "ensure_secrets_loaded", lambda *a, **k: [])
    assert existing_connection("nothing_like_it") is None
