"""The VK sandbox as the provider declares it (``hooks/vk/connection.SERVICE.sandbox``): what it mounts and the
``vk_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection, callback_uri
from ..control import SandboxControl
from ..state import SandboxService
from . import APP_ID, GROUP_ID, LEGACY_OAUTH_SERVICE, OAUTH_NAME, SERVICE, UPLOAD_SERVICE, VK_ID_SERVICE, vk_id


def settings(base_url: str) -> dict[str, Any]:
    """The endpoints, the community, the redirect URI and the sandbox app's credentials.

    :param base_url: the sandbox's base URL.
    """
    return {"extra": {
        "api_base_url": f"{base_url}/vk-api",
        "vk_id_base_url": f"{base_url}/vk-id",
        "oauth_base_url": f"{base_url}/vk-oauth",
        "group_id": GROUP_ID,
        "app_id": str(APP_ID),
        "redirect_uri": callback_uri(base_url, "localhost"),
        "client_secret": vk_id.CLIENT_SECRET,
    }}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    """The connection with an offline user key, a community key and a VK ID refresh token.

    :param control: the sandbox's control API.
    :param settings: :func:`settings` for the sandbox.
    """
    vk_id_tokens = control.mint_tokens(OAUTH_NAME)
    return {"extra": {
        **settings["extra"],
        # user 1 (the community's admin), every right, an offline key (never expires)
        "access_token": control.vk_token("user", expires_in=0),
        "community_token": control.vk_token("community"),
        "refresh_token": vk_id_tokens["refresh_token"],
        "device_id": vk_id_tokens["device_id"],
        "api_version": "5.199",
    }}


SANDBOX = SandboxService(specs=(SERVICE, VK_ID_SERVICE, LEGACY_OAUTH_SERVICE, UPLOAD_SERVICE),
                         connection=SandboxConnection("vk_default", settings, with_tokens))
