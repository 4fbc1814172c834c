"""What configures an :class:`OAuthServer`: the sandbox's clients, a provider's paths, TTLs and rules."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field

DEVICE_GRANT_RFC = "urn:ietf:params:oauth:grant-type:device_code"
SANDBOX_REDIRECT_URIS = ("http://127.0.0.1:8765/callback", "http://localhost:8765/callback")
SANDBOX_CLIENT_ID = "sandbox-client"
SANDBOX_CLIENT_SECRET = "sandbox-secret"
SANDBOX_PUBLIC_CLIENT_ID = "sandbox-public-client"
SANDBOX_USER_ID = "1000000001"
_VERIFIER_RE = re.compile(r"^[A-Za-z0-9\-._~]{43,128}$")


# ---- config


@dataclass(frozen=True)
class ClientInfo:
    secret: str | None  # None = public client (identifies itself by client_id only)
    redirect_uris: Sequence[str] = ()
    # Accept any http://127.0.0.1:<port>/<path> callback (native apps running a local listener, RFC 8252).
    allow_any_loopback: bool = False

    @property
    def public(self) -> bool:
        return self.secret is None


def sandbox_clients() -> dict[str, ClientInfo]:
    """The clients every sandbox OAuth server is seeded with."""
    return {
        SANDBOX_CLIENT_ID: ClientInfo(SANDBOX_CLIENT_SECRET, SANDBOX_REDIRECT_URIS, allow_any_loopback=True),
        SANDBOX_PUBLIC_CLIENT_ID: ClientInfo(None, SANDBOX_REDIRECT_URIS, allow_any_loopback=True),
    }


@dataclass(frozen=True)
class OAuthPaths:
    authorize: str = "/authorize"
    token: str = "/token"
    device_code: str | None = "/device/code"  # None = no device flow
    revoke: str = "/revoke"
    verification: str = "/device"  # the sandbox's own page where a user enters the device user_code


@dataclass(frozen=True)
class OAuthServerConfig:
    service: str
    clients: dict[str, ClientInfo] = field(default_factory=sandbox_clients)
    paths: OAuthPaths = field(default_factory=OAuthPaths)
    access_prefix: str = "at_"
    refresh_prefix: str = "rt_"
    code_ttl: float = 600
    access_ttl: float | None = 3600
    refresh_ttl: float | None = None  # None = refresh tokens never expire
    rotate_refresh: bool = True  # each refresh issues a new refresh token
    refresh_single_use: bool = True  # a used refresh token dies; reusing it -> invalid_grant
    revoke_family_on_reuse: bool = False  # reuse of a dead code/refresh token kills the whole grant
    require_pkce: bool = False
    pkce_methods: tuple[str, ...] = ("S256", "plain")
    # RFC 6749 §4.1.3 makes redirect_uri mandatory on the exchange when it was sent to /authorize; some
    # providers (Yandex) do not take it on the token endpoint at all; there it is only checked when present.
    token_requires_redirect_uri: bool = True
    include_scope: bool = True  # put "scope" in token responses
    default_scope: str = ""
    mint_scope: str | None = None  # what the control API's mint grants when no scope is asked (default_scope)
    device_code_param: str = "device_code"  # form field carrying the device code on the token endpoint
    device_grant_types: tuple[str, ...] = (DEVICE_GRANT_RFC,)
    device_expires_in: int = 300
    interval: int = 5
    verification_field: str = "verification_uri"  # RFC 8628 name; Yandex says verification_url
    default_user_id: str = SANDBOX_USER_ID
    #: How this provider words each refusal at the token endpoint: situation -> (error, error_description).
    #: Situations not listed answer as RFC 6749 does (:data:`RFC_REFUSALS`). X, for one, answers a spent refresh
    #: token with ``invalid_request`` "Value passed for the token was invalid."
    refusals: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    #: Answer polls faster than ``interval`` with RFC 8628 ``slow_down`` (counted in ``dump()["slow_down"]``).
    enforce_interval: bool = True

    # Per-provider differences (defaults are RFC 6749's):
    scope_separator: str = " "  # OK separates permissions with ";"
    access_ttl_for_scope: Callable[[str], float | None] | None = None  # OK: LONG_ACCESS_TOKEN -> 30 days
    token_type: str = "bearer"  # OK answers "session"
    refresh_returns_refresh_token: bool = True  # OK's refresh answer carries no refresh_token
    client_auth_methods: tuple[str, ...] = ("basic", "body")  # how the token endpoint takes client credentials
    token_params_in_query: bool = False  # the token endpoint also reads its parameters from the query string
    require_scope: bool = False  # /authorize refuses a request without scope
    require_state: bool = False  # /authorize refuses a request without state
