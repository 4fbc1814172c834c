"""The OK sandbox as the provider declares it (``hooks/ok/connection.SERVICE.sandbox``): what it mounts and the
``odnoklassniki_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection, callback_uri
from ..control import SandboxControl
from ..state import SandboxService
from . import (
    ALL_PERMISSIONS,
    CONNECT_SERVICE,
    OAUTH_NAME,
    SANDBOX_APP_ID,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_GROUP_ID,
    SERVICE,
    UPLOAD_SERVICE,
)


def settings(base_url: str) -> dict[str, Any]:
    """The endpoints, the redirect URI, the group and the sandbox app's three values.

    :param base_url: the sandbox's base URL.
    """
    return {"password": SANDBOX_APP_SECRET, "extra": {
        "application_id": SANDBOX_APP_ID,
        "application_key": SANDBOX_APP_KEY,
        "redirect_uri": callback_uri(base_url),
        "group_id": SANDBOX_GROUP_ID,
        "api_base_url": f"{base_url}/ok-api",
        "oauth_base_url": f"{base_url}/ok-connect",
    }}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    """The connection with a freshly minted token pair.

    :param control: the sandbox's control API.
    :param settings: :func:`settings` for the sandbox.
    """
    tokens = control.mint_tokens(OAUTH_NAME, client_id=SANDBOX_APP_ID)
    return {"password": settings["password"], "extra": {
        **settings["extra"],
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "expires_at": control.now() + tokens["expires_in"],
        "permissions": tokens.get("scope") or ALL_PERMISSIONS,
    }}


SANDBOX = SandboxService(specs=(SERVICE, CONNECT_SERVICE, UPLOAD_SERVICE),
                         connection=SandboxConnection("odnoklassniki_default", settings, with_tokens))
