"""The Yandex sandbox as the provider declares it (``hooks/yandex_disk/connection.SERVICE.sandbox``): what it
mounts and the ``yandex_disk_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
from ..control import SandboxControl
from ..oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ..state import SandboxService
from . import DOWNLOADER, ID_SERVICE, OAUTH_NAME, SERVICE, UPLOADER


def settings(base_url: str) -> dict[str, Any]:
    """The endpoints and the sandbox app's credentials.

    :param base_url: the sandbox's base URL.
    """
    return {"extra": {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "api_base_url": f"{base_url}/yandex-disk",
        "oauth_base_url": f"{base_url}/yandex-oauth",
    }}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    """The connection with a freshly minted Yandex ID token pair.

    :param control: the sandbox's control API.
    :param settings: :func:`settings` for the sandbox.
    """
    tokens = control.mint_tokens(OAUTH_NAME)
    return {"password": tokens["access_token"],
            "extra": {"refresh_token": tokens["refresh_token"], **settings["extra"]}}


SANDBOX = SandboxService(specs=(ID_SERVICE, SERVICE, UPLOADER, DOWNLOADER),
                         connection=SandboxConnection("yandex_disk_default", settings, with_tokens))
