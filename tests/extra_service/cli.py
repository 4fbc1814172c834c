"""``airflow social auth example``: reads an access token and writes it into the connection (or prints it)."""

from __future__ import annotations

import argparse

from airflow_provider_social.core.setup import NO_OVERRIDES, Overrides
from airflow_provider_social.core.setup.connections import existing_extra, save_authorised
from tests.extra_service.connection import CONN_TYPE


def auth_example(args: argparse.Namespace, *, overrides: Overrides = NO_OVERRIDES, read_line=input) -> None:
    """Store a pasted access token (with the command line's endpoint overrides).

    :param args: the parsed command line.
    :param read_line: reads the token.
    :param overrides: the command line's endpoint overrides.
    """

    conn_type, extra = existing_extra(args.conn_id)
    extra = overrides.apply(extra)
    token = read_line("Access token: ").strip()
    if not token:
        raise SystemExit("no token entered; nothing was saved")
    save_authorised(args, conn_type or CONN_TYPE, {**extra, "access_token": token})
