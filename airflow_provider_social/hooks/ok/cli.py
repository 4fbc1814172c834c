"""``airflow social auth ok``: OK's server OAuth flow for an ``odnoklassniki`` connection.

The flow is the core authorization-code flow (``core/authflow.py``) configured by
``hooks/ok/connection.AUTH_FLOW`` (``;``-separated permissions, a random ``state``, ``layout=w``, no PKCE);
the terminal part (loopback listener or pasted URL) is ``core/setup/terminal.py``. The code is exchanged at once at
``oauth/token.do`` (OK codes live 2 minutes); the tokens are written into the connection (or printed).
"""

from __future__ import annotations

import argparse
import json
from typing import Any

from airflow_provider_social.core.setup import NO_OVERRIDES, Overrides
from airflow_provider_social.core.setup.connections import existing_connection, save_authorised
from airflow_provider_social.hooks.ok.connection import AUTH_FLOW, AUTHORIZE_PATH, CONN_TYPE


def _existing(conn_id: str) -> tuple[str | None, dict[str, Any], str | None]:
    """The connection's type, extras and password (the application secret key), wherever it is stored."""
    conn = existing_connection(conn_id)
    if conn is None:
        return None, {}, None
    return conn.conn_type, dict(conn.extra_dejson or {}), conn.password


def auth_ok(args: argparse.Namespace, *, overrides: Overrides = NO_OVERRIDES, announce=print, read_line=input,
            read_secret=None) -> None:
    """Authorise ``args.conn_id``: print the consent URL, take the answer, exchange the code, save the tokens.

    :param args: the parsed command line (``conn_id``, ``application_id``, ``application_key``, ``redirect_uri``,
        ``permissions``, ``paste``, ``timeout``, ``print_only``).
    :param announce: where messages go (tests capture them).
    :param read_line: reads the pasted redirect URL.
    :param read_secret: reads the application secret key when the connection has none (default: getpass).
    :param overrides: the command line's endpoint overrides (computed by the CLI layer, ``cli/options.py``).
    """
    from airflow.sdk import Connection

    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.errors import ValidationError
    from airflow_provider_social.core.setup.terminal import authorize_in_terminal
    from airflow_provider_social.hooks.ok.hook import OkHook

    conn_type, extra, secret_key = _existing(args.conn_id)
    extra = overrides.apply(extra)
    secret_key = overrides.password or secret_key
    app_id = args.application_id or extra.get("application_id")
    app_key = args.application_key or extra.get("application_key")
    if not app_id or not app_key:
        raise SystemExit(f"--application-id/--application-key: connection {args.conn_id!r} lacks application_id or "
                         "application_key; pass them (Application ID and public key from OK's e-mail)")
    if not secret_key:
        if read_secret is None:
            import getpass

            read_secret = getpass.getpass
        secret_key = read_secret("Application secret key (from OK's e-mail; not echoed): ").strip()
        if not secret_key:
            raise SystemExit("the application secret key is required (the connection's password)")
    settings = {**extra, "application_id": app_id, "application_key": app_key}
    hook = OkHook(args.conn_id, connection=Connection(conn_id=args.conn_id, conn_type=CONN_TYPE,
                                                      password=secret_key, extra=json.dumps(settings)))
    oauth_base = extra.get("oauth_base_url")
    try:
        flow = AuthCodeFlow(AUTH_FLOW, hook.oauth_client,
                            redirect_uri=args.redirect_uri or extra.get("redirect_uri"),
                            scopes=args.permissions or extra.get("permissions"),
                            authorize_url=f"{str(oauth_base).rstrip('/')}{AUTHORIZE_PATH}" if oauth_base else None)
    except ValidationError as exc:
        raise SystemExit(exc.api_message) from None
    tokens = authorize_in_terminal(flow, paste=args.paste, timeout=args.timeout, announce=announce,
                                   read_line=read_line)
    new_extra = {**settings, "redirect_uri": flow.redirect_uri, "permissions": flow.scope,
                 "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                 "expires_at": tokens.expires_at}
    save_authorised(args, conn_type or CONN_TYPE, new_extra, password=secret_key, announce=announce)
