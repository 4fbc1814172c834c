"""The X sandbox as the provider declares it (``hooks/twitter/connection.SERVICE.sandbox``): what it mounts and
the ``twitter_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
from ..control import SandboxControl
from ..oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from ..state import SandboxService
from . import (
    DEFAULT_SCOPE,
    OAUTH_NAME,
    SANDBOX_CONSUMER_KEY,
    SANDBOX_CONSUMER_SECRET,
    SANDBOX_OAUTH_TOKEN,
    SANDBOX_OAUTH_TOKEN_SECRET,
    SERVICE,
    UPLOAD_SERVICE,
    WEB_SERVICE,
)


def _user_tokens(control: SandboxControl) -> dict[str, Any]:
    """A freshly minted OAuth 2.0 pair with the default scope, and the sandbox user's OAuth 1.0a keys (what a
    connection holds once authorised; `auth twitter --sandbox` starts without them)."""
    tokens = control.mint_tokens(OAUTH_NAME, scope=DEFAULT_SCOPE)
    return {"extra": {"scope": DEFAULT_SCOPE, "access_token": tokens["access_token"],
                      "refresh_token": tokens["refresh_token"],
                      "oauth_consumer_key": SANDBOX_CONSUMER_KEY, "oauth_consumer_secret": SANDBOX_CONSUMER_SECRET,
                      "oauth_token": SANDBOX_OAUTH_TOKEN, "oauth_token_secret": SANDBOX_OAUTH_TOKEN_SECRET}}


SANDBOX = SandboxService(
    specs=(SERVICE, UPLOAD_SERVICE, WEB_SERVICE),
    connection=SandboxConnection(
        "twitter_default",
        endpoints={"api_base_url": "/x-api", "upload_base_url": "/x-upload",
                   "authorize_url": "/x/i/oauth2/authorize"},
        app={"client_id": SANDBOX_CLIENT_ID, "client_secret": SANDBOX_CLIENT_SECRET},  # the sandbox's OAuth 2.0 app
        redirect_host="127.0.0.1",
        mint=_user_tokens,
    ),
)
