"""How the plugin authorises a service: each service's declaration names (``SERVICE.ui_flow``, a dotted path) an
adapter that builds its flow from a stored Connection and turns the tokens it yields into the Connection's new
fields, exactly as ``airflow social auth <service>`` does.

Services authorising by the core authorization-code flow (``SERVICE.auth_flow``) give a :class:`CodeFlowAdapter`
(e.g. ``hooks/twitter/authorize.py``); a device-code service (Yandex) a :class:`DeviceFlowAdapter`. A service
with neither (VK Cloud Vision: a service token) has no "Authorize" button.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.declaration import ServiceDeclaration
    from airflow_provider_social.core.errors import SocialApiError
    from airflow_provider_social.core.tokens import TokenSet


@dataclass(frozen=True)
class StoredConnection:
    """The parts of a stored Connection the plugin reads (secrets stay server-side).

    :param conn_id: the connection id.
    :param conn_type: its type.
    :param extra: its extras (null fields as saved by the UI form included).
    :param password: its password (a service's secret or access token).
    """

    conn_id: str
    conn_type: str
    extra: dict[str, Any]
    password: str | None = None

    def setting(self, name: str) -> Any:
        """An extra; null and empty mean unset (the Add form stores empty fields as null).

        :param name: the extra's name.
        """
        value = self.extra.get(name)
        return None if value in (None, "") else value

    def sdk_connection(self) -> Any:
        """An ``airflow.sdk.Connection`` holding these fields (handed to a hook)."""
        from airflow.sdk import Connection

        return Connection(conn_id=self.conn_id, conn_type=self.conn_type, password=self.password,
                          extra=json.dumps(self.extra))


@dataclass(frozen=True)
class NewCredentials:
    """What is written into the Connection after a successful authorisation."""

    extra: dict[str, Any]
    password: str | None = None
    warning: str = ""


def required(conn: StoredConnection, name: str, where: str) -> str:
    """An extra the flow cannot start without; refused, naming the field and where to find its value.

    :param conn: the stored connection.
    :param name: the extra's name.
    :param where: where the user finds the value.
    """
    value = conn.setting(name)
    if not value:
        raise input_error(name, f"connection {conn.conn_id!r} has no {name}; set it on the connection first "
                          f"({where})", operation="authorize")
    return str(value)


class CodeFlowAdapter:
    """A service authorised by the core authorization-code flow (PKCE S256, random state)."""

    kind = "code"

    def __init__(self, build: Callable[[StoredConnection, str], AuthCodeFlow],
                 fields: Callable[[StoredConnection, AuthCodeFlow, TokenSet], NewCredentials]) -> None:
        self.build = build
        self.fields = fields


class DeviceFlowAdapter:
    """A device-code flow (Yandex ID): the page shows the code and polls.

    :param hook: builds a hook holding the app's client credentials (its ``oauth_client`` runs the flow).
    :param fields: the Connection's new fields from the tokens.
    :param error: a failed poll as the user should read it.
    """

    kind = "device"

    def __init__(self, hook: Callable[[StoredConnection], Any],
                 fields: Callable[[StoredConnection, TokenSet], NewCredentials],
                 error: Callable[[SocialApiError], SocialApiError]) -> None:
        self.hook = hook
        self.fields = fields
        self.error = error


def ui_flow(service: ServiceDeclaration | None) -> CodeFlowAdapter | DeviceFlowAdapter | None:
    """How the UI authorises ``service`` (its declared ``ui_flow``, loaded on first use); None: it cannot.

    :param service: the service's declaration (None for a connection of no service of ours).
    """
    if service is None or service.ui_flow is None:
        return None
    from airflow_provider_social.core.declaration import load

    adapter = load(service.ui_flow)
    if not isinstance(adapter, CodeFlowAdapter | DeviceFlowAdapter):
        raise TypeError(f"{service.ui_flow} is not a CodeFlowAdapter or DeviceFlowAdapter")
    return adapter
