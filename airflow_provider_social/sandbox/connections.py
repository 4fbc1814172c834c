"""Airflow connections pointing at a running sandbox, as ``AIRFLOW_CONN_<ID>`` JSON."""

from __future__ import annotations

import json
import shlex
from typing import Any

from .control import SandboxControl
from .oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from .yandex_id import OAUTH_NAME as YANDEX_OAUTH


def sandbox_connections(base_url: str, control: SandboxControl) -> dict[str, dict[str, Any]]:
    """One connection per sandbox service, each with freshly minted tokens."""
    base_url = base_url.rstrip("/")
    yandex = control.mint_tokens(YANDEX_OAUTH)
    return {
        "yandex_disk_default": {
            "conn_type": "yandex_disk",
            "password": yandex["access_token"],
            "extra": {
                "refresh_token": yandex["refresh_token"],
                "client_id": SANDBOX_CLIENT_ID,
                "client_secret": SANDBOX_CLIENT_SECRET,
                "api_base_url": f"{base_url}/yandex-disk",
                "oauth_base_url": f"{base_url}/yandex-oauth",
            },
        },
    }


def format_env_lines(conns: dict[str, dict[str, Any]]) -> str:
    """``AIRFLOW_CONN_<ID>='<json>'`` lines, shell-quoted, for ``eval``/``.env`` use."""
    lines = [
        f"AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(conn, separators=(',', ':')))}"
        for conn_id, conn in conns.items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")
