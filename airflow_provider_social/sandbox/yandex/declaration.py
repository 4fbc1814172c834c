"""The Yandex sandbox as the provider declares it (``hooks/yandex_disk/connection.SERVICE.sandbox``): what it
mounts and the ``yandex_disk_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
from ..control import SandboxControl
from ..oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ..state import SandboxService
from . import DOWNLOADER, ID_SERVICE, OAUTH_NAME, SERVICE, UPLOADER


def _yandex_id_pair(control: SandboxControl) -> dict[str, Any]:
    """A freshly minted Yandex ID pair: the access token is the connection's password."""
    tokens = control.mint_tokens(OAUTH_NAME)
    return {"password": tokens["access_token"], "extra": {"refresh_token": tokens["refresh_token"]}}


SANDBOX = SandboxService(
    specs=(ID_SERVICE, SERVICE, UPLOADER, DOWNLOADER),
    connection=SandboxConnection(
        "yandex_disk_default",
        endpoints={"api_base_url": "/yandex-disk", "oauth_base_url": "/yandex-oauth"},
        app={"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET},
        mint=_yandex_id_pair,
    ),
)
