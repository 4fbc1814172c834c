"""Implementations of ``airflow social ...`` (argument parsing lives in definition.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from airflow_provider_social.cli.connections import env_line, upsert_connection


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
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.server import is_loopback, run_in_thread

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


def _existing_extra(conn_id: str) -> tuple[str | None, dict[str, Any]]:
    from airflow.sdk import BaseHook

    try:
        conn = BaseHook.get_connection(conn_id)
    except Exception:
        return None, {}
    return conn.conn_type, dict(conn.extra_dejson or {})


def auth_yandex(args: argparse.Namespace, *, sleep=time.sleep) -> None:
    """Yandex ID device-code flow: show the code, wait for approval, save the tokens into the connection."""
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    conn_type, extra = _existing_extra(args.conn_id)
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
    )

    def show(device: Any) -> None:
        print(
            f"Open {device.verification_url} and enter the code {device.user_code} "
            f"(valid for {int(device.expires_in)} s). Waiting for approval...",
            flush=True,
        )

    tokens = hook.authorize_device(on_code=show)
    new_extra = {**extra, "client_id": client_id, "client_secret": client_secret,
                 "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at}
    conn_type = conn_type or YandexDiskHook.conn_type
    if args.print_only:
        print(env_line(args.conn_id, {"conn_type": conn_type, "password": tokens.access_token, "extra": new_extra}))
        return
    created = upsert_connection(args.conn_id, conn_type, password=tokens.access_token, extra=new_extra)
    print(f"Authorised. {'Created' if created else 'Updated'} connection {args.conn_id!r} with new tokens.")
