"""The VK Cloud Vision sandbox as the provider declares it (``hooks/vk_vision/connection.SERVICE.sandbox``): what
it mounts and the ``vk_vision_default`` connection that reaches it."""

from __future__ import annotations

from typing import Any

from ..connections import SandboxConnection
from ..control import SandboxControl
from ..state import SandboxService
from . import AUTH_PREFIX, AUTH_SERVICE, PREFIX, SANDBOX_SERVICE_TOKEN, SERVICE, TOKEN_PATH


def settings(base_url: str) -> dict[str, Any]:
    """The Vision API and token endpoints.

    :param base_url: the sandbox's base URL.
    """
    return {"extra": {
        "api_base_url": f"{base_url}{PREFIX}",
        "oauth_endpoint": f"{base_url}{AUTH_PREFIX}{TOKEN_PATH}",
    }}


def with_tokens(control: SandboxControl, settings: dict[str, Any]) -> dict[str, Any]:
    """The connection with the sandbox's service token (nothing to mint).

    :param control: the sandbox's control API (unused: service tokens do not expire).
    :param settings: :func:`settings` for the sandbox.
    """
    return {"password": SANDBOX_SERVICE_TOKEN, "extra": dict(settings["extra"])}


SANDBOX = SandboxService(specs=(SERVICE, AUTH_SERVICE),
                         connection=SandboxConnection("vk_vision_default", settings, with_tokens))
