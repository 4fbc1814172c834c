""""Authorize" on the plugin's credentials page for an ``odnoklassniki`` connection: OK's server OAuth flow
(``;``-separated permissions, ``layout=w``), built from the stored Connection; the tokens become the Connection's
new fields exactly as ``airflow social auth ok`` writes them. Named by ``connection.SERVICE.ui_flow``."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.setup.ui import CodeFlowAdapter, NewCredentials, StoredConnection, required

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.tokens import TokenSet


def build_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    """The flow for ``conn``, returning to ``redirect_uri``.

    :param conn: the stored connection.
    :param redirect_uri: the plugin's callback.
    """
    from airflow.sdk import Connection

    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.hooks.ok.connection import AUTH_FLOW, AUTHORIZE_PATH, CONN_TYPE
    from airflow_provider_social.hooks.ok.hook import OkHook

    required(conn, "application_id", "Application ID from OK's e-mail")
    required(conn, "application_key", "the public key from OK's e-mail")
    if not conn.password:
        raise input_error("password", f"connection {conn.conn_id!r} has no application secret key (its Password "
                          "field; from OK's e-mail)", operation="authorize")
    hook = OkHook(conn.conn_id, connection=Connection(conn_id=conn.conn_id, conn_type=CONN_TYPE,
                                                      password=conn.password, extra=json.dumps(conn.extra)))
    oauth_base = conn.setting("oauth_base_url")
    return AuthCodeFlow(AUTH_FLOW, hook.oauth_client, redirect_uri=redirect_uri, scopes=conn.setting("permissions"),
                        authorize_url=f"{str(oauth_base).rstrip('/')}{AUTHORIZE_PATH}" if oauth_base else None)


def new_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    """The Connection's new fields.

    :param conn: the stored connection.
    :param flow: the finished flow.
    :param tokens: the tokens it yielded.
    """
    extra = {**conn.extra, "redirect_uri": flow.redirect_uri, "permissions": flow.scope,
             "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
             "expires_at": tokens.expires_at}
    return NewCredentials(extra, password=conn.password)


UI_FLOW = CodeFlowAdapter(build_flow, new_fields)
