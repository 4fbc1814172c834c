"""Airflow connections pointing at a running sandbox, as ``AIRFLOW_CONN_<ID>`` JSON: each service's package
declares its own (``sandbox/<package>/declaration.py``, named by the service's ``ServiceDeclaration.sandbox``);
this module only loops over the registry."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from .control import SandboxControl

#: Where `airflow social auth twitter|vk|ok` listens for the browser against the sandbox: not the sandbox's own
#: default port (8765, which the real services' default redirect URIs use), or the command could not listen.
SANDBOX_CALLBACK_PORT = 8766


def callback_uri(base_url: str, host: str = "127.0.0.1") -> str:
    """The loopback redirect URI for authorising against the sandbox at ``base_url``, on a port it does not use.

    :param base_url: the sandbox's base URL.
    :param host: the loopback host the redirect URI names.
    """
    sandbox_port = urlsplit(base_url).port
    port = SANDBOX_CALLBACK_PORT if sandbox_port != SANDBOX_CALLBACK_PORT else SANDBOX_CALLBACK_PORT + 1
    return f"http://{host}:{port}/callback"


@dataclass(frozen=True)
class SandboxConnection:
    """The Airflow connection reaching one sandbox service, declared by its package (``<package>/declaration.py``)
    as data: where its endpoints are mounted, the sandbox app's fixed values, and how its tokens are minted.

    :param conn_id: the connection id printed for it.
    :param endpoints: connection extra -> the path under the sandbox's base URL (``{"api_base_url": "/ok-api"}``).
    :param app: extras that do not depend on the sandbox's URL (the sandbox app's id and key, a community).
    :param password: a fixed password (the sandbox app's secret, a service token); None: none, or minted.
    :param redirect_host: the loopback host of the ``redirect_uri`` extra (:func:`callback_uri`); None: no redirect.
    :param mint: ``mint(control)``: freshly minted credentials, ``{"extra": {...}, "password"?: ...}``, laid over
        the settings; None: nothing to mint.
    """

    conn_id: str
    endpoints: Mapping[str, str]
    app: Mapping[str, Any] = field(default_factory=dict)
    password: str | None = None
    redirect_host: str | None = None
    mint: Callable[[SandboxControl], dict[str, Any]] | None = None

    def settings(self, base_url: str) -> dict[str, Any]:
        """What a connection needs before any token: the app's values, the endpoints, the redirect URI.

        :param base_url: the sandbox's base URL.
        """
        extra = {**self.app, **{name: f"{base_url}{path}" for name, path in self.endpoints.items()}}
        if self.redirect_host is not None:
            extra["redirect_uri"] = callback_uri(base_url, self.redirect_host)
        return {"extra": extra} if self.password is None else {"password": self.password, "extra": extra}

    def with_tokens(self, control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
        """The whole connection but its type: ``settings`` with freshly minted credentials laid over.

        :param control: the sandbox's control API (mints the tokens).
        :param settings: :meth:`settings` for the sandbox.
        """
        minted = self.mint(control) if self.mint is not None else {}
        connection = {**settings, "extra": {**settings["extra"], **minted.get("extra", {})}}
        if "password" in minted:
            connection["password"] = minted["password"]
        return connection


def _declared() -> list[tuple[str, SandboxConnection]]:
    """(connection type, its sandbox connection) for every registered service with a sandbox."""
    from airflow_provider_social.core.declaration import load
    from airflow_provider_social.services import all_services

    found = []
    for service in all_services():
        connection = load(service.sandbox).connection if service.sandbox else None
        if connection is not None:
            found.append((service.connection.conn_type, connection))
    return found


def sandbox_settings(base_url: str) -> dict[str, dict[str, Any]]:
    """Per connection type, what a connection needs to reach the sandbox at ``base_url`` before any token: its
    endpoints, the redirect URI and the sandbox's own app credentials (sandbox-only values, printed freely).
    ``airflow social auth <service> --sandbox URL`` starts from these; :func:`sandbox_connections` adds tokens.

    :param base_url: the sandbox's base URL.
    """
    base_url = base_url.rstrip("/")
    return {conn_type: connection.settings(base_url) for conn_type, connection in _declared()}


def sandbox_connections(base_url: str, control: SandboxControl) -> dict[str, dict[str, Any]]:
    """One connection per sandbox service, each with freshly minted tokens.

    :param base_url: the sandbox's base URL.
    :param control: the sandbox's control API (mints the tokens).
    """
    settings = sandbox_settings(base_url)
    return {connection.conn_id: {"conn_type": conn_type, **connection.with_tokens(control, settings[conn_type])}
            for conn_type, connection in _declared()}


def format_env_lines(conns: dict[str, dict[str, Any]]) -> str:
    """``AIRFLOW_CONN_<ID>='<json>'`` lines, shell-quoted, for ``eval``/``.env`` use."""
    lines = [
        f"AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(conn, separators=(',', ':')))}"
        for conn_id, conn in conns.items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")


def emit_connections(conns: dict[str, dict[str, Any]], *, write: bool, print_lines: bool) -> None:
    """Print each connection's ``AIRFLOW_CONN_*`` line and/or write it into the metadata database (what
    ``--print-connections`` and ``--write-connections`` do, in ``airflow social sandbox`` and the module form).

    :param conns: connections by id.
    :param write: create or update them in the metadata database.
    :param print_lines: print their lines on stdout.
    """
    import sys

    from airflow_provider_social.core.setup.connections import env_line, upsert_connection

    for conn_id, conn in conns.items():
        if write:
            created = upsert_connection(
                conn_id, conn["conn_type"], password=conn.get("password"), extra=conn.get("extra")
            )
            print(f"{'created' if created else 'updated'} connection {conn_id}", file=sys.stderr)
        if print_lines:
            print(env_line(conn_id, conn), flush=True)
