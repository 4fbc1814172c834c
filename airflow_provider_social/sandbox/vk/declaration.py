"""The VK sandbox as the provider declares it (``hooks/vk/connection.SERVICE.sandbox``): what it mounts and the
``vk_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
from ..control import SandboxControl
from ..state import SandboxService
from . import (
    APP_ID,
    GROUP_ID,
    LEGACY_OAUTH_SERVICE,
    LONGPOLL_SERVICE,
    OAUTH_NAME,
    SERVICE,
    UPLOAD_SERVICE,
    VK_ID_SERVICE,
    vk_id,
)


def _keys(control: SandboxControl) -> dict[str, Any]:
    """An offline user key (user 1, the community's admin, every right), a community key and a VK ID refresh
    token with its device."""
    vk_id_tokens = control.mint_tokens(OAUTH_NAME)
    return {"extra": {"access_token": control.vk_token("user", expires_in=0),
                      "community_token": control.vk_token("community"),
                      "refresh_token": vk_id_tokens["refresh_token"], "device_id": vk_id_tokens["device_id"],
                      "api_version": "5.199"}}


SANDBOX = SandboxService(
    specs=(SERVICE, VK_ID_SERVICE, LEGACY_OAUTH_SERVICE, UPLOAD_SERVICE, LONGPOLL_SERVICE),
    connection=SandboxConnection(
        "vk_default",
        endpoints={"api_base_url": "/vk-api", "vk_id_base_url": "/vk-id", "oauth_base_url": "/vk-oauth"},
        app={"group_id": GROUP_ID, "app_id": str(APP_ID), "client_secret": vk_id.CLIENT_SECRET},
        redirect_host="localhost",  # VK ID accepts a loopback redirect under localhost
        mint=_keys,
    ),
)
