"""The VK Cloud Vision sandbox as the provider declares it (``hooks/vk_vision/connection.SERVICE.sandbox``): what
it mounts and the ``vk_vision_default`` connection that reaches it."""

from __future__ import annotations

from ..connections import SandboxConnection
from ..state import SandboxService
from . import AUTH_PREFIX, AUTH_SERVICE, PREFIX, SANDBOX_SERVICE_TOKEN, SERVICE, TOKEN_PATH

SANDBOX = SandboxService(
    specs=(SERVICE, AUTH_SERVICE),
    connection=SandboxConnection(
        "vk_vision_default",
        endpoints={"api_base_url": PREFIX, "oauth_endpoint": f"{AUTH_PREFIX}{TOKEN_PATH}"},
        mint=lambda control: {"password": SANDBOX_SERVICE_TOKEN},  # a service token: fixed, it does not expire
    ),
)
