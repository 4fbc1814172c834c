"""``airflow social auth yandex``: Yandex ID's device-code flow for a ``yandex_disk`` connection (declared in
``connection.AUTH_COMMAND``; the shared parts are ``core/setup/connections.py`` and ``cli/options.py``)."""

from __future__ import annotations

import argparse
import time
from typing import Any

from airflow_provider_social.core.setup import NO_OVERRIDES, Overrides
from airflow_provider_social.core.setup.connections import existing_extra, save_authorised


def auth_yandex(args: argparse.Namespace, *, overrides: Overrides = NO_OVERRIDES, sleep=time.sleep,
                clock=time.time) -> None:
    """Yandex ID device-code flow: show the code, wait for approval, save the tokens into the connection.

    :param args: the parsed command line (``conn_id``, ``client_id``, ``client_secret``, ``timeout``,
        ``print_only`` and the endpoint overrides of ``cli/options.py``).
    :param sleep: the wait between polls (tests advance the sandbox's clock instead).
    :param clock: seconds since the epoch (the ``--timeout`` deadline; tests read the sandbox's clock).
    :param overrides: the command line's endpoint overrides (computed by the CLI layer, ``cli/options.py``).
    """
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    conn_type, extra = existing_extra(args.conn_id)
    extra = overrides.apply(extra)
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
    save_authorised(args, conn_type or YandexDiskHook.conn_type, new_extra, password=tokens.access_token)
