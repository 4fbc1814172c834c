"""``airflow social auth twitter``: X's OAuth 2.0 authorization code flow with PKCE (declared in
``connection.AUTH_COMMAND``; the shared parts are ``core/setup/connections.py``, ``cli/options.py`` and
``core/setup/terminal.py``)."""

from __future__ import annotations

import argparse

from airflow_provider_social.core.setup import NO_OVERRIDES, Overrides
from airflow_provider_social.core.setup.connections import existing_extra, save_authorised
from airflow_provider_social.hooks.twitter.connection import AUTH_FLOW, CONNECTION_FORM


def auth_twitter(args: argparse.Namespace, *, overrides: Overrides = NO_OVERRIDES, announce=print,
                 read_line=input) -> None:
    """X OAuth 2.0 authorization code flow with PKCE (S256) and a random state; writes the tokens.

    The authorize URL is printed; the browser comes back to the redirect URI, which this command serves when it is
    a loopback ``http://`` URI (else, or with ``--paste``, the user pastes the URL the browser landed on). The
    ``state`` is checked, then the code is exchanged at once: X codes live 30 seconds. The flow itself is
    ``core/authflow.py`` configured by ``hooks/twitter/connection.AUTH_FLOW``; the terminal part
    ``core/setup/terminal.py``.
    """
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.errors import ValidationError
    from airflow_provider_social.core.setup.terminal import authorize_in_terminal
    from airflow_provider_social.hooks.twitter import TwitterHook

    conn_type, extra = existing_extra(args.conn_id)
    extra = overrides.apply(extra)
    client_id = args.client_id or extra.get("client_id")
    if not client_id:
        raise SystemExit(
            f"--client-id: connection {args.conn_id!r} has no client_id; pass it (developer portal -> your app -> "
            "Keys and tokens -> OAuth 2.0 Client ID and Client Secret)"
        )
    client_secret = args.client_secret or extra.get("client_secret") or None
    hook = TwitterHook.for_authorization(conn_id=args.conn_id, client_id=client_id, client_secret=client_secret,
                                         api_base_url=extra.get("api_base_url"))
    try:
        flow = AuthCodeFlow(AUTH_FLOW, hook.oauth_client, redirect_uri=args.redirect_uri or extra.get("redirect_uri"),
                            scopes=args.scope or extra.get("scope"), authorize_url=extra.get("authorize_url"))
    except ValidationError as exc:
        raise SystemExit(exc.api_message) from None
    tokens = authorize_in_terminal(flow, paste=args.paste, timeout=args.timeout, announce=announce,
                                   read_line=read_line)
    new_extra = {**extra, "client_id": client_id, "client_secret": client_secret, "redirect_uri": flow.redirect_uri,
                 "scope": tokens.scope or flow.scope, "access_token": tokens.access_token,
                 "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at}
    if not tokens.refresh_token:
        announce("Warning: no refresh token was issued (is offline.access among the scopes?); the access token "
                 "expires in 2 hours and cannot be renewed.")
    save_authorised(args, conn_type or CONNECTION_FORM.conn_type, new_extra, announce=announce)
