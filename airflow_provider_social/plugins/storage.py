"""The plugin's reads and writes of Connections (the API server has metadata-database access).

Only connections of the provider's types (``services.all_services()``) are read. New tokens are written through
the CLI's own save step (``core.setup.connections.save_authorised``): the Connection's refresh token changes, so any
token-store entry descending from the old one is superseded (``core/tokens/``), exactly as after
``airflow social auth``.
"""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from airflow_provider_social.core.setup.ui import StoredConnection
from airflow_provider_social.services import all_services, service_for

if TYPE_CHECKING:
    from airflow_provider_social.core.setup.ui import NewCredentials

__all__ = ["get_connection", "list_connections", "save_credentials", "service_for"]


def _stored(model: object) -> StoredConnection:
    return StoredConnection(conn_id=model.conn_id, conn_type=model.conn_type,  # type: ignore[attr-defined]
                            extra=dict(model.extra_dejson or {}),  # type: ignore[attr-defined]
                            password=model.password or None)  # type: ignore[attr-defined]


def list_connections() -> list[StoredConnection]:
    """The provider's connections in the metadata database, by connection id."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    types = [service.connection.conn_type for service in all_services()]
    with create_session() as session:
        rows = session.scalars(select(Connection).where(Connection.conn_type.in_(types))
                               .order_by(Connection.conn_id)).all()
        return [_stored(row) for row in rows]


def get_connection(conn_id: str) -> StoredConnection | None:
    """One of the provider's connections, or None (absent, or of another type).

    :param conn_id: the connection id.
    """
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        row = session.scalar(select(Connection).where(Connection.conn_id == conn_id))
        if row is None or service_for(row.conn_type) is None:
            return None
        return _stored(row)


def save_credentials(conn: StoredConnection, new: NewCredentials) -> None:
    """Write the new tokens into the Connection with the CLI's save step (nothing is printed or logged).

    :param conn: the connection as it was read.
    :param new: its new extras and password.
    """
    from airflow_provider_social.core.setup.connections import save_authorised

    save_authorised(argparse.Namespace(conn_id=conn.conn_id, print_only=False), conn.conn_type, dict(new.extra),
                     password=new.password, announce=lambda _message: None)
