""""Authorize" on the plugin's credentials page for a ``vk`` connection: VK ID OAuth 2.1 (PKCE S256, the
redirect's ``device_id`` kept with the tokens), built from the stored Connection; the tokens become the
Connection's new fields exactly as ``airflow social auth vk`` writes them. Named by ``connection.SERVICE.ui_flow``."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.setup.ui import CodeFlowAdapter, NewCredentials, StoredConnection, required

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.tokens import TokenSet


def build_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    """The flow for ``conn``, returning to ``redirect_uri``.

    :param conn: the stored connection.
    :param redirect_uri: the plugin's callback.
    """
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.hooks.vk.connection import AUTH_FLOW, DEFAULT_ENDPOINTS
    from airflow_provider_social.hooks.vk.hook import VkHook

    app_id = required(conn, "app_id", "the App ID on your app's page at https://id.vk.com/business/go")
    vk_id = str(conn.setting("vk_id_base_url") or DEFAULT_ENDPOINTS["vk_id_base_url"]).rstrip("/")
    hook = VkHook.for_authorization(conn_id=conn.conn_id, extra=conn.extra)
    client = AUTH_FLOW.token_client(hook.transport, token_url=f"{vk_id}/oauth2/auth", client_id=app_id,
                                    client_secret=conn.setting("client_secret"))
    return AuthCodeFlow(AUTH_FLOW, client, redirect_uri=redirect_uri, authorize_url=f"{vk_id}/authorize")


def new_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    """The Connection's new fields.

    :param conn: the stored connection.
    :param flow: the finished flow.
    :param tokens: the tokens it yielded.
    """
    extra = {**conn.extra, "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "device_id": tokens.extra.get("device_id"), "expires_at": tokens.expires_at,
             "redirect_uri": flow.redirect_uri}
    if tokens.extra.get("user_id"):
        extra["user_id"] = tokens.extra["user_id"]
    warning = "" if tokens.refresh_token else ("VK ID issued no refresh token; the access token lives 1 hour and "
                                               "cannot be renewed.")
    return NewCredentials(extra, warning=warning)


UI_FLOW = CodeFlowAdapter(build_flow, new_fields)
