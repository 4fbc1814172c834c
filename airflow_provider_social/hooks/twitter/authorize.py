""""Authorize" on the plugin's credentials page for a ``twitter`` connection: X's OAuth 2.0 authorization code
flow with PKCE, built from the stored Connection; the tokens become the Connection's new fields exactly as
``airflow social auth twitter`` writes them. Named by ``connection.SERVICE.ui_flow``."""

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
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.hooks.twitter.connection import AUTH_FLOW

    client_id = required(conn, "client_id", "developer portal -> your app -> Keys and tokens -> OAuth 2.0 Client ID")
    hook = TwitterHook.for_authorization(conn_id=conn.conn_id, client_id=client_id,
                                         client_secret=conn.setting("client_secret"),
                                         api_base_url=conn.setting("api_base_url"))
    return AuthCodeFlow(AUTH_FLOW, hook.oauth_client, redirect_uri=redirect_uri, scopes=conn.setting("scope"),
                        authorize_url=conn.setting("authorize_url"))


def new_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    """The Connection's new fields.

    :param conn: the stored connection.
    :param flow: the finished flow.
    :param tokens: the tokens it yielded.
    """
    extra = {**conn.extra, "redirect_uri": flow.redirect_uri, "scope": tokens.scope or flow.scope,
             "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "expires_at": tokens.expires_at}
    warning = "" if tokens.refresh_token else ("No refresh token was issued (is offline.access among the scopes?): "
                                               "the access token expires in 2 hours and cannot be renewed.")
    return NewCredentials(extra, warning=warning)


UI_FLOW = CodeFlowAdapter(build_flow, new_fields)
