"""Yandex ID (``https://oauth.yandex.ru``) on the shared OAuth server, mounted at ``/yandex-oauth``.

Real paths: ``/authorize``, ``/token``, ``/device/code``, ``/revoke_token``; ``/device`` is the sandbox's own
page for entering a device user_code (the real one is ``https://ya.ru/device``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..clock import SandboxClock
from ..oauth_server import DEVICE_GRANT_RFC, OAuthPaths, OAuthServer, OAuthServerConfig

if TYPE_CHECKING:
    pass

NAME = "yandex_oauth"
PREFIX = "/yandex-oauth"
OAUTH_NAME = "yandex"  # key in SandboxState.oauth and in /_control/oauth/{service}
ONE_YEAR = 31_536_000  # observed expires_in of Yandex tokens

# Scopes an app needs for the Disk REST API; minted tokens carry them.
DISK_SCOPE = "cloud_api:disk.read cloud_api:disk.write cloud_api:disk.app_folder cloud_api:disk.info"


def yandex_oauth_config() -> OAuthServerConfig:
    return OAuthServerConfig(
        service=OAUTH_NAME,
        paths=OAuthPaths(
            authorize="/authorize",
            token="/token",
            device_code="/device/code",
            revoke="/revoke_token",
            verification="/device",
        ),
        access_prefix="y0_",
        refresh_prefix="1:",
        code_ttl=600,
        access_ttl=ONE_YEAR,
        refresh_ttl=ONE_YEAR,  # "refresh and access tokens share a lifetime"
        rotate_refresh=True,  # every refresh returns a new refresh token
        # UNCONFIRMED whether Yandex kills the old refresh token on use; the sandbox picks the stricter
        # answer (single use): only clients that persist the rotated token immediately pass.
        refresh_single_use=True,
        revoke_family_on_reuse=False,
        require_pkce=False,  # PKCE is optional at Yandex but verified whenever a challenge was sent
        token_requires_redirect_uri=False,  # Yandex's /token takes no redirect_uri
        include_scope=False,  # observed token JSON has no "scope"
        default_scope=DISK_SCOPE,
        device_code_param="code",  # Yandex polls with code=<device_code>, not device_code=
        device_grant_types=("device_code", DEVICE_GRANT_RFC),
        device_expires_in=300,
        interval=5,
        verification_field="verification_url",
        refusals=YANDEX_REFUSALS,
    )


# Yandex ID's documented device-flow errors (yandex.ru/dev/id/doc: "simple-input-client"): a device code it does
# not know or that is malformed -> bad_verification_code; an expired one -> invalid_grant ("Invalid or expired
# confirmation code"). Yandex documents no slow_down ("if requests come more often, Yandex.OAuth may respond with
# an error"): the sandbox answers RFC 8628's slow_down, the strictest likely reading; the client tolerates both.
YANDEX_REFUSALS: dict[str, tuple[str, str]] = {
    "device_invalid": ("bad_verification_code", "Invalid code"),
    "device_expired": ("invalid_grant", "Code has expired"),
    "device_used": ("invalid_grant", "Invalid code"),
}


def make_server(clock: SandboxClock) -> OAuthServer:
    return OAuthServer(yandex_oauth_config(), clock)

