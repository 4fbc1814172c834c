"""Who may use the plugin: an authenticated Airflow user whom the auth manager lets edit connections.

The user comes from Airflow's own ``get_user`` dependency (the ``_token`` JWT cookie the UI sets, or an
``Authorization: Bearer`` header); the decision is the configured auth manager's ``is_authorized_connection``
with method ``PUT`` (editing), for the connection named in the path when there is one. Nothing home-made.
"""

from __future__ import annotations

from typing import Any

from airflow.api_fastapi.core_api.security import GetUserDep
from fastapi import HTTPException, Request, status


def user_key(user: Any) -> str:
    """The id pending authorisations are bound to.

    :param user: the Airflow user.
    """
    return str(user.get_id())


def _team(conn_id: str | None) -> str | None:
    from airflow.configuration import conf

    if not conn_id or not conf.getboolean("core", "multi_team", fallback=False):
        return None
    from airflow.models.connection import Connection

    return Connection.get_team_name(conn_id)


async def connection_editor(request: Request, user: GetUserDep) -> Any:
    """FastAPI dependency: the user, if the auth manager lets them edit connections (else 403; 401 if anonymous).

    :param request: the request (its ``connection_id`` path parameter, when present, is the resource checked).
    :param user: the authenticated user (Airflow's ``get_user``).
    """
    from airflow.api_fastapi.app import get_auth_manager
    from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails

    conn_id = request.path_params.get("connection_id")
    details = ConnectionDetails(conn_id=conn_id, team_name=_team(conn_id))
    if not get_auth_manager().is_authorized_connection(method="PUT", details=details, user=user):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "Forbidden: managing social credentials requires permission "
                            "to edit connections")
    return user
