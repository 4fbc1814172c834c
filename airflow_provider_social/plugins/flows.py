"""What the plugin does per service: build the service's flow from a stored Connection, and turn the tokens it
yields into the Connection's new fields, exactly as ``airflow social auth <service>`` does (``cli/``).

Services authorising by the core authorization-code flow (``SERVICE.auth_flow``) get a :class:`CodeFlowAdapter`;
Yandex (device code) gets :class:`DeviceFlowAdapter`. A service with neither (VK Cloud Vision: a service token)
has no "Authorize" button. Adding a service means one entry in :data:`ADAPTERS`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeFlow
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


def _required(conn: StoredConnection, name: str, where: str) -> str:
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
    """Yandex ID's device-code flow: the page shows the code and polls."""

    kind = "device"

    def hook(self, conn: StoredConnection) -> Any:
        """A hook holding only the app's client credentials, for the device flow.

        :param conn: the stored connection.
        """
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        return YandexDiskHook.for_authorization(
            conn_id=conn.conn_id,
            client_id=_required(conn, "client_id", "ClientID from your app page at https://oauth.yandex.ru/"),
            client_secret=_required(conn, "client_secret", "Client secret from your app page"),
            oauth_base_url=conn.setting("oauth_base_url"))

    def fields(self, conn: StoredConnection, tokens: TokenSet) -> NewCredentials:
        """The Connection's new fields (as ``airflow social auth yandex`` writes them).

        :param conn: the stored connection.
        :param tokens: the tokens the device flow yielded.
        """
        return NewCredentials({**conn.extra, "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at},
                              password=tokens.access_token)


# ------------------------------------------------------------------------------------------------ X
def _twitter_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.hooks.twitter.connection import AUTH_FLOW

    client_id = _required(conn, "client_id", "developer portal -> your app -> Keys and tokens -> OAuth 2.0 Client ID")
    hook = TwitterHook.for_authorization(conn_id=conn.conn_id, client_id=client_id,
                                         client_secret=conn.setting("client_secret"),
                                         api_base_url=conn.setting("api_base_url"))
    return AuthCodeFlow(AUTH_FLOW, hook.oauth_client, redirect_uri=redirect_uri, scopes=conn.setting("scope"),
                        authorize_url=conn.setting("authorize_url"))


def _twitter_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    extra = {**conn.extra, "redirect_uri": flow.redirect_uri, "scope": tokens.scope or flow.scope,
             "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "expires_at": tokens.expires_at}
    warning = "" if tokens.refresh_token else ("No refresh token was issued (is offline.access among the scopes?): "
                                               "the access token expires in 2 hours and cannot be renewed.")
    return NewCredentials(extra, warning=warning)


# ------------------------------------------------------------------------------------------------ VK ID
def _vk_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.hooks.vk.connection import AUTH_FLOW, DEFAULT_ENDPOINTS
    from airflow_provider_social.hooks.vk.hook import VkHook

    app_id = _required(conn, "app_id", "the App ID on your app's page at https://id.vk.com/business/go")
    vk_id = str(conn.setting("vk_id_base_url") or DEFAULT_ENDPOINTS["vk_id_base_url"]).rstrip("/")
    hook = VkHook.for_authorization(conn_id=conn.conn_id, extra=conn.extra)
    client = AUTH_FLOW.token_client(hook.transport, token_url=f"{vk_id}/oauth2/auth", client_id=app_id,
                                    client_secret=conn.setting("client_secret"))
    return AuthCodeFlow(AUTH_FLOW, client, redirect_uri=redirect_uri, authorize_url=f"{vk_id}/authorize")


def _vk_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    extra = {**conn.extra, "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "device_id": tokens.extra.get("device_id"), "expires_at": tokens.expires_at,
             "redirect_uri": flow.redirect_uri}
    if tokens.extra.get("user_id"):
        extra["user_id"] = tokens.extra["user_id"]
    warning = "" if tokens.refresh_token else ("VK ID issued no refresh token; the access token lives 1 hour and "
                                               "cannot be renewed.")
    return NewCredentials(extra, warning=warning)


# ------------------------------------------------------------------------------------------------ OK
def _ok_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    from airflow.sdk import Connection

    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.hooks.ok.connection import AUTH_FLOW, AUTHORIZE_PATH, CONN_TYPE
    from airflow_provider_social.hooks.ok.hook import OkHook

    _required(conn, "application_id", "Application ID from OK's e-mail")
    _required(conn, "application_key", "the public key from OK's e-mail")
    if not conn.password:
        raise input_error("password", f"connection {conn.conn_id!r} has no application secret key (its Password "
                          "field; from OK's e-mail)", operation="authorize")
    hook = OkHook(conn.conn_id, connection=Connection(conn_id=conn.conn_id, conn_type=CONN_TYPE,
                                                      password=conn.password, extra=json.dumps(conn.extra)))
    oauth_base = conn.setting("oauth_base_url")
    return AuthCodeFlow(AUTH_FLOW, hook.oauth_client, redirect_uri=redirect_uri, scopes=conn.setting("permissions"),
                        authorize_url=f"{str(oauth_base).rstrip('/')}{AUTHORIZE_PATH}" if oauth_base else None)


def _ok_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    extra = {**conn.extra, "redirect_uri": flow.redirect_uri, "permissions": flow.scope,
             "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "expires_at": tokens.expires_at}
    return NewCredentials(extra, password=conn.password)


ADAPTERS: dict[str, CodeFlowAdapter | DeviceFlowAdapter] = {
    "yandex_disk": DeviceFlowAdapter(),
    "twitter": CodeFlowAdapter(_twitter_flow, _twitter_fields),
    "vk": CodeFlowAdapter(_vk_flow, _vk_fields),
    "ok": CodeFlowAdapter(_ok_flow, _ok_fields),
}
"""Service name (``ServiceDeclaration.name``) -> how the UI authorises it."""
