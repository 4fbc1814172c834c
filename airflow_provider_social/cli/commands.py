"""Implementations of ``airflow social sandbox`` and ``sandbox-connections`` (argument parsing lives in
definition.py; each ``auth <service>`` command lives in its service's package, e.g. ``hooks/vk/cli.py``)."""

from __future__ import annotations

import argparse
import sys

from airflow_provider_social.core.setup.connections import existing_connection

__all__ = ["existing_connection", "sandbox", "sandbox_connections"]


def sandbox(args: argparse.Namespace) -> None:
    """Run the sandbox in the foreground until interrupted."""
    from airflow_provider_social.core.loopback import is_loopback
    from airflow_provider_social.sandbox.connections import emit_connections, sandbox_connections
    from airflow_provider_social.sandbox.server import run_in_thread

    if not is_loopback(args.host):
        raise SystemExit(f"--host {args.host}: the sandbox has no authentication; listen on loopback only")
    running = run_in_thread(args.host, args.port)
    print(f"SANDBOX_URL={running.base_url}", flush=True)
    if args.print_connections or args.write_connections:
        conns = sandbox_connections(running.base_url, running.control)
        emit_connections(conns, write=args.write_connections, print_lines=args.print_connections)
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
    from airflow_provider_social.sandbox.connections import emit_connections
    from airflow_provider_social.sandbox.connections import sandbox_connections as build
    from airflow_provider_social.sandbox.control import SandboxControl

    url = args.url.rstrip("/")
    conns = build(url, SandboxControl(url))
    emit_connections(conns, write=args.write_connections, print_lines=True)
