"""The X sandbox as the provider declares it (``hooks/twitter/connection.SERVICE.sandbox``): what it mounts and
the ``twitter_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection, callback_uri
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


def settings(base_url: str) -> dict[str, Any]:
    """The endpoints, the redirect URI and the sandbox app's credentials.

    :param base_url: the sandbox's base URL.
    """
    return {"extra": {
        "client_id": SANDBOX_CLIENT_ID,
        "client_secret": SANDBOX_CLIENT_SECRET,
        "redirect_uri": callback_uri(base_url),
        "api_base_url": f"{base_url}/x-api",
        "upload_base_url": f"{base_url}/x-upload",
        "authorize_url": f"{base_url}/x/i/oauth2/authorize",
    }}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    """The connection with a freshly minted OAuth 2.0 pair and the sandbox's OAuth 1.0a keys.

    :param control: the sandbox's control API.
    :param settings: :func:`settings` for the sandbox.
    """
    tokens = control.mint_tokens(OAUTH_NAME, scope=DEFAULT_SCOPE)
    return {"extra": {
        **settings["extra"],
        "scope": DEFAULT_SCOPE,
        "access_token": tokens["access_token"],
        "refresh_token": tokens["refresh_token"],
        "oauth_consumer_key": SANDBOX_CONSUMER_KEY,
        "oauth_consumer_secret": SANDBOX_CONSUMER_SECRET,
        "oauth_token": SANDBOX_OAUTH_TOKEN,
        "oauth_token_secret": SANDBOX_OAUTH_TOKEN_SECRET,
    }}


SANDBOX = SandboxService(specs=(SERVICE, UPLOAD_SERVICE, WEB_SERVICE),
                         connection=SandboxConnection("twitter_default", settings, with_tokens))
