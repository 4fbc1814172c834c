"""A strict, reusable OAuth 2.0 authorization server for the sandbox.

Each emulated service (Yandex ID, X, VK ID, OK, ...) builds one :class:`OAuthServer` from an
:class:`OAuthServerConfig` and mounts :meth:`OAuthServer.routes` under its own prefix. The routes are relative
(``/authorize``, ``/token``, ...) and their names come from the config, so each service keeps its real paths.

What is verified: client authentication (HTTP Basic *or* body credentials, public clients by id only),
exact redirect URIs (any port for loopback, RFC 8252), PKCE S256/plain, single-use codes bound to client,
redirect URI and challenge, code/token/device-code expiry on the sandbox clock, refresh rotation, single use
and family revocation, device-flow states, revocation. Errors are RFC 6749 JSON bodies.

Modules: :mod:`.config` (clients, paths, a provider's rules), :mod:`.refusals` (error wording), :mod:`.records`,
:mod:`.forms` (form reading, redirects, pages), :mod:`.base` (state, client authentication, issuing tokens), one
module per endpoint group (:mod:`.authorize`, :mod:`.token`, :mod:`.device`) and :mod:`.server`, which assembles
them into :class:`OAuthServer`.
"""

from __future__ import annotations

from .config import (
    DEVICE_GRANT_RFC,
    SANDBOX_CLIENT_ID,
    SANDBOX_CLIENT_SECRET,
    SANDBOX_PUBLIC_CLIENT_ID,
    SANDBOX_REDIRECT_URIS,
    SANDBOX_USER_ID,
    ClientInfo,
    OAuthPaths,
    OAuthServerConfig,
    sandbox_clients,
)
from .forms import _redirect
from .records import TokenCheck, TokenInfo, _AuthCode, _PendingConsent
from .refusals import RFC_REFUSALS, OAuthError
from .server import OAuthServer

__all__ = [
    "DEVICE_GRANT_RFC", "RFC_REFUSALS", "SANDBOX_CLIENT_ID", "SANDBOX_CLIENT_SECRET", "SANDBOX_PUBLIC_CLIENT_ID",
    "SANDBOX_REDIRECT_URIS", "SANDBOX_USER_ID", "ClientInfo", "OAuthError", "OAuthPaths", "OAuthServer",
    "OAuthServerConfig", "TokenCheck", "TokenInfo", "_AuthCode", "_PendingConsent", "_redirect", "sandbox_clients",
]
