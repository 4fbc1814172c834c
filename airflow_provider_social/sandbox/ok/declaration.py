"""The OK sandbox as the provider declares it (``hooks/ok/connection.SERVICE.sandbox``): what it mounts and the
``odnoklassniki_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
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


def _session(control: SandboxControl) -> dict[str, Any]:
    """A freshly minted token pair, its expiry and the permissions it carries."""
    tokens = control.mint_tokens(OAUTH_NAME, client_id=SANDBOX_APP_ID)
    return {"extra": {"access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                      "expires_at": control.now() + tokens["expires_in"],
                      "permissions": tokens.get("scope") or ALL_PERMISSIONS}}


SANDBOX = SandboxService(
    specs=(SERVICE, CONNECT_SERVICE, UPLOAD_SERVICE),
    connection=SandboxConnection(
        "odnoklassniki_default",
        endpoints={"api_base_url": "/ok-api", "oauth_base_url": "/ok-connect"},
        app={"application_id": SANDBOX_APP_ID, "application_key": SANDBOX_APP_KEY, "group_id": SANDBOX_GROUP_ID},
        password=SANDBOX_APP_SECRET,  # the application secret key
        redirect_host="127.0.0.1",
        mint=_session,
    ),
)
