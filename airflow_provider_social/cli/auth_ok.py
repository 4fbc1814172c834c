"""``airflow social auth ok``: OK's server OAuth flow (apiok.ru/ext/oauth/server) for an ``odnoklassniki``
connection.

The authorize URL (``;``-separated permissions, a random ``state``, ``layout=w``) is printed; the browser comes back
to the redirect URI, served by this command when it is a loopback ``http://`` URI (else, or with ``--paste``, the
user pastes the URL the browser landed on). The ``state`` is checked and the code exchanged at once at
``oauth/token.do`` (OK codes live 2 minutes); the tokens are written into the connection (or printed).

Interim: this reuses the loopback/paste helpers of :mod:`.commands`; it moves onto the shared authorization-code
flow (branch ``authflow``) once that lands.
"""

from __future__ import annotations

import argparse
import secrets
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from airflow_provider_social.cli.authcode import serve_callback as _serve_callback
from airflow_provider_social.cli.commands import _save_authorised


def _existing(conn_id: str) -> tuple[str | None, dict[str, Any], str | None]:
    """The connection's type, extras and password (the application secret key), wherever it is stored."""
    conn: Any
    try:
        from airflow.models.connection import Connection

        conn = Connection.get_connection_from_secrets(conn_id)
    except Exception:
        try:
            from airflow.sdk import BaseHook

            conn = BaseHook.get_connection(conn_id)
        except Exception:
            return None, {}, None
    return conn.conn_type, dict(conn.extra_dejson or {}), conn.password


def _is_loopback(host: str) -> bool:
    import ipaddress

    try:
        return host == "localhost" or ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_ok(args: argparse.Namespace, *, announce=print, read_line=input, read_secret=None) -> None:
    import json

    from airflow.sdk import Connection

    from airflow_provider_social.core.errors import SocialApiError
    from airflow_provider_social.core.oauth import new_state
    from airflow_provider_social.hooks.ok.connection import (
        CONN_TYPE,
        DEFAULT_OAUTH_BASE_URL,
        DEFAULT_PERMISSIONS,
    )
    from airflow_provider_social.hooks.ok.hook import OkHook

    conn_type, extra, secret_key = _existing(args.conn_id)
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
    redirect_uri = args.redirect_uri or extra.get("redirect_uri") or "http://127.0.0.1:8765/callback"
    permissions = ";".join(p.strip() for p in (args.permissions or extra.get("permissions") or DEFAULT_PERMISSIONS)
                           .replace(",", ";").split(";") if p.strip())
    oauth_base = str(extra.get("oauth_base_url") or DEFAULT_OAUTH_BASE_URL).rstrip("/")
    settings = {**extra, "application_id": app_id, "application_key": app_key}
    hook = OkHook(args.conn_id, connection=Connection(conn_id=args.conn_id, conn_type=CONN_TYPE,
                                                      password=secret_key, extra=json.dumps(settings)))
    state = new_state()
    query = urlencode({"client_id": app_id, "scope": permissions, "response_type": "code",
                       "redirect_uri": redirect_uri, "layout": "w", "state": state})
    url = f"{oauth_base}/oauth/authorize?{query}"
    target = urlsplit(redirect_uri)
    listen = not args.paste and target.scheme == "http" and _is_loopback(target.hostname or "")
    server = replies = None
    if listen:
        try:
            server, received, replies = _serve_callback(redirect_uri, args.timeout)
        except OSError as exc:
            raise SystemExit(f"--redirect-uri: cannot listen on {target.netloc} ({exc}); free the port or use "
                             "--paste") from None
    announce(f"Open this URL in a browser, sign in to OK and allow access:\n{url}")
    try:
        if listen:
            import queue

            announce(f"Waiting up to {args.timeout} s for the browser to return to {redirect_uri} ...")
            try:
                params = received.get(timeout=args.timeout)
            except queue.Empty:
                raise SystemExit(
                    f"no answer at {redirect_uri} within {args.timeout} s; run the command again"
                ) from None
        else:
            pasted = read_line("Paste the full URL the browser was sent to: ").strip()
            params = {k: v[0] for k, v in parse_qs(urlsplit(pasted).query).items()}

        def fail(message: str) -> SystemExit:
            if replies is not None:
                replies.put((400, message))
            return SystemExit(message)

        if params.get("error"):
            raise fail(f"OK refused the authorisation: {params.get('error')} {params.get('error_description', '')}")
        if not secrets.compare_digest(params.get("state", ""), state):
            raise fail("the state in the answer does not match this request (a stale or forged callback); run the "
                       "command again")
        if not params.get("code"):
            raise fail("the answer carries no code; paste the whole URL, including ?code=...&state=...")
        try:
            tokens = hook.oauth_client.exchange_code(params["code"], redirect_uri=redirect_uri)
        except SocialApiError as exc:
            raise fail(f"the code exchange failed: {exc.api_message}. OK codes live 2 minutes; run the command "
                       "again and return to the terminal promptly") from None
        if replies is not None:
            replies.put((200, "Authorised. You can close this tab and return to the terminal."))
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    new_extra = {**settings, "redirect_uri": redirect_uri, "permissions": permissions,
                 "access_token": tokens.access_token, "refresh_token": tokens.refresh_token,
                 "expires_at": tokens.expires_at}
    _save_authorised(args, conn_type or CONN_TYPE, new_extra, password=secret_key, announce=announce)
