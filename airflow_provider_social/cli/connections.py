"""Writing Connections from the CLI (which, unlike tasks, has metadata-database access)."""

from __future__ import annotations

import json
import shlex
from typing import Any


def upsert_connection(
    conn_id: str, conn_type: str, *, password: str | None = None, extra: dict[str, Any] | None = None
) -> bool:
    """Create the connection or update its password and merge ``extra`` into it. Returns True if created."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        conn = session.scalar(select(Connection).where(Connection.conn_id == conn_id))
        created = conn is None
        if conn is None:
            conn = Connection(conn_id=conn_id, conn_type=conn_type)
            session.add(conn)
        merged = dict(conn.extra_dejson) if not created else {}
        merged.update({k: v for k, v in (extra or {}).items() if v is not None})
        conn.extra = json.dumps(merged)
        if password is not None:
            conn.password = password
    return created


def env_line(conn_id: str, conn: dict[str, Any]) -> str:
    """``AIRFLOW_CONN_<ID>='<json>'`` for users of environment variables or a secrets backend."""
    return f"AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(conn, separators=(',', ':')))}"
