""""Authorize" on the credentials page for an ``example_social`` connection: the core authorization-code flow."""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.setup.ui import CodeFlowAdapter, NewCredentials, StoredConnection, required

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.tokens import TokenSet


def build_flow(conn: StoredConnection, redirect_uri: str) -> AuthCodeFlow:
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from tests.extra_service.connection import AUTH_FLOW
    from tests.extra_service.hook import ExampleHook

    hook = ExampleHook(conn.conn_id, connection=conn.sdk_connection())
    client = AUTH_FLOW.token_client(hook.transport, token_url=hook.url("oauth_base_url", "/token"),
                                    client_id=required(conn, "client_id", "the app's page"))
    return AuthCodeFlow(AUTH_FLOW, client, redirect_uri=redirect_uri,
                        authorize_url=hook.url("oauth_base_url", "/authorize"))


def new_fields(conn: StoredConnection, flow: AuthCodeFlow, tokens: TokenSet) -> NewCredentials:
    return NewCredentials({**conn.extra, "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                           "expires_at": tokens.expires_at})


UI_FLOW = CodeFlowAdapter(build_flow, new_fields)
