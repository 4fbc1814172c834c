"""Implementations of ``airflow social ...`` (argument parsing lives in definition.py)."""

from __future__ import annotations

import argparse
import logging
import sys
import time
from typing import Any

from airflow_provider_social.cli.connections import env_line, upsert_connection

log = logging.getLogger(__name__)


def _emit_connections(conns: dict[str, dict[str, Any]], *, write: bool, print_lines: bool) -> None:
    for conn_id, conn in conns.items():
        if write:
            created = upsert_connection(
                conn_id, conn["conn_type"], password=conn.get("password"), extra=conn.get("extra")
            )
            print(f"{'created' if created else 'updated'} connection {conn_id}", file=sys.stderr)
        if print_lines:
            print(env_line(conn_id, conn))


def sandbox(args: argparse.Namespace) -> None:
    """Run the sandbox in the foreground until interrupted."""
    from airflow_provider_social.core.loopback import is_loopback
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.server import run_in_thread

    if not is_loopback(args.host):
        raise SystemExit(f"--host {args.host}: the sandbox has no authentication; listen on loopback only")
    running = run_in_thread(args.host, args.port)
    print(f"SANDBOX_URL={running.base_url}", flush=True)
    if args.print_connections or args.write_connections:
        conns = sandbox_connections(running.base_url, running.control)
        _emit_connections(conns, write=args.write_connections, print_lines=args.print_connections)
    sys.stdout.flush()
    try:
        while running._thread.is_alive():
            running._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def sandbox_connections(args: argparse.Namespace) -> None:
    """Print (and optionally write) connections for a sandbox that is already running."""
    from airflow_provider_social.sandbox.connections import sandbox_connections as build
    from airflow_provider_social.sandbox.control import SandboxControl

    url = args.url.rstrip("/")
    conns = build(url, SandboxControl(url))
    _emit_connections(conns, write=args.write_connections, print_lines=True)


def existing_connection(conn_id: str) -> Any | None:
    """The connection as stored, from the secrets backends *and the metadata database*; None when there is none.

    Outside a task the Task SDK's ``BaseHook.get_connection`` does not read the database, so a connection created
    in the UI would look missing (its client credentials and base URLs silently ignored). The CLI has database
    access: the configured backends are asked in Airflow's order (env vars, secrets backend, metastore), as
    ``Connection.get_connection_from_secrets`` does, but without its cache, which renders the connection as a URI
    and so warns "Connection schemes ... shall not contain '_'" for every type with one (``yandex_disk``).

    :param conn_id: the connection id.
    """
    try:
        from airflow.configuration import ensure_secrets_loaded

        backends = list(ensure_secrets_loaded())
    except Exception:
        backends = []
    for backend in backends:
        try:
            conn = backend.get_connection(conn_id=conn_id)
        except Exception as exc:  # as Airflow does: an unreachable backend is skipped, the next one asked
            log.debug("secrets backend %s: %s", type(backend).__name__, type(exc).__name__)
            continue
        if conn is not None:
            return conn
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    except Exception:
        return None


def _existing_extra(conn_id: str) -> tuple[str | None, dict[str, Any]]:
    """The connection's type and extras (see :func:`existing_connection`)."""
    conn = existing_connection(conn_id)
    if conn is None:
        return None, {}
    return conn.conn_type, dict(conn.extra_dejson or {})


def auth_yandex(args: argparse.Namespace, *, sleep=time.sleep, clock=time.time) -> None:
    """Yandex ID device-code flow: show the code, wait for approval, save the tokens into the connection.

    :param args: the parsed command line (``conn_id``, ``client_id``, ``client_secret``, ``timeout``,
        ``print_only`` and the endpoint overrides of ``cli/options.py``).
    :param sleep: the wait between polls (tests advance the sandbox's clock instead).
    :param clock: seconds since the epoch (the ``--timeout`` deadline; tests read the sandbox's clock).
    """
    from airflow_provider_social.cli.options import with_overrides
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    conn_type, extra = _existing_extra(args.conn_id)
    extra = with_overrides(args, "yandex_disk", extra)
    client_id = args.client_id or extra.get("client_id")
    client_secret = args.client_secret or extra.get("client_secret")
    if not client_id or not client_secret:
        raise SystemExit(
            f"--client-id/--client-secret: connection {args.conn_id!r} has no client_id/client_secret; pass them "
            "(ClientID and Client secret from your app page at https://oauth.yandex.ru/)"
        )
    hook = YandexDiskHook.for_authorization(
        conn_id=args.conn_id,
        client_id=client_id,
        client_secret=client_secret,
        oauth_base_url=extra.get("oauth_base_url"),
        sleep=sleep,
        clock=clock,
    )

    def show(device: Any) -> None:
        print(
            f"Open {device.verification_url} and enter the code {device.user_code} "
            f"(valid for {int(device.expires_in)} s). Waiting for approval"
            f"{f' (up to {timeout} s)' if timeout is not None else ''}...",
            flush=True,
        )

    timeout = getattr(args, "timeout", None)
    tokens = hook.authorize_device(on_code=show, timeout=float(timeout) if timeout is not None else None)
    new_extra = {**extra, "client_id": client_id, "client_secret": client_secret,
                 "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at}
    _save_authorised(args, conn_type or YandexDiskHook.conn_type, new_extra, password=tokens.access_token)


def _save_authorised(
    args: argparse.Namespace, conn_type: str, extra: dict[str, Any], *, password: str | None = None, announce=print
) -> None:
    """Write the new tokens into the connection, or with ``--print-only`` print its AIRFLOW_CONN_* line."""
    extra = {k: v for k, v in extra.items() if v is not None}
    if args.print_only:
        conn: dict[str, Any] = {"conn_type": conn_type, "extra": extra}
        if password is not None:
            conn["password"] = password
        announce(env_line(args.conn_id, conn))
        return
    created = upsert_connection(args.conn_id, conn_type, password=password, extra=extra)
    announce(f"Authorised. {'Created' if created else 'Updated'} connection {args.conn_id!r} with new tokens.")


def auth_twitter(args: argparse.Namespace, *, announce=print, read_line=input) -> None:
    """X OAuth 2.0 authorization code flow with PKCE (S256) and a random state; writes the tokens.

    The authorize URL is printed; the browser comes back to the redirect URI, which this command serves when it is
    a loopback ``http://`` URI (else, or with ``--paste``, the user pastes the URL the browser landed on). The
    ``state`` is checked, then the code is exchanged at once: X codes live 30 seconds. The flow itself is
    ``core/authflow.py`` configured by ``hooks/twitter/connection.AUTH_FLOW``; the terminal part ``cli/authcode.py``.
    """
    from airflow_provider_social.cli.authcode import authorize_in_terminal
    from airflow_provider_social.cli.options import with_overrides
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.errors import ValidationError
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.hooks.twitter.connection import AUTH_FLOW

    conn_type, extra = _existing_extra(args.conn_id)
    extra = with_overrides(args, "twitter", extra)
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
    _save_authorised(args, conn_type or "twitter", new_extra, announce=announce)
