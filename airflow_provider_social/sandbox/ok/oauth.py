"""OK's OAuth 2.0 server: the generic sandbox server configured as reference section 3.1 describes.

* ``connect.ok.ru/oauth/authorize``: ``scope`` (``;``-separated) and ``state`` are required; the code lives 2 minutes
  and is single use; ``redirect_uri`` must be a registered one.
* ``api.ok.ru/oauth/token.do``: client credentials as ``client_id``/``client_secret`` parameters (form body or
  query string, as recorded clients send them; HTTP Basic is refused: no client uses it and the docs do not
  offer it); answers ``token_type: "session"``.
* Access tokens live 30 minutes, or 30 days with LONG_ACCESS_TOKEN; refresh tokens live 30 days, are not
  rotated and the refresh answer carries none (UNCONFIRMED by docs: the sandbox answers like aiookru's reading).
* Error bodies follow RFC 6749 (``error``/``error_description``): OK's own wording was not retrieved (UNCONFIRMED).
"""

from __future__ import annotations

from ..clock import SandboxClock
from ..oauth_server import ClientInfo, OAuthPaths, OAuthServer, OAuthServerConfig
from .constants import (
    ACCESS_TTL,
    ALL_PERMISSIONS,
    CODE_TTL,
    LONG_ACCESS_TTL,
    OAUTH_NAME,
    REFRESH_TTL,
    SANDBOX_APP_ID,
    SANDBOX_APP_SECRET,
    SANDBOX_REDIRECT_URIS,
    SANDBOX_UID,
)

AUTHORIZE_PATH = "/oauth/authorize"
TOKEN_PATH = "/oauth/token.do"


def permissions(scope: str) -> set[str]:
    return {part.strip() for part in (scope or "").split(";") if part.strip()}


def access_ttl(scope: str) -> float:
    return LONG_ACCESS_TTL if "LONG_ACCESS_TOKEN" in permissions(scope) else ACCESS_TTL


def ok_oauth_config() -> OAuthServerConfig:
    return OAuthServerConfig(
        service=OAUTH_NAME,
        clients={SANDBOX_APP_ID: ClientInfo(SANDBOX_APP_SECRET, SANDBOX_REDIRECT_URIS, allow_any_loopback=True)},
        paths=OAuthPaths(authorize=AUTHORIZE_PATH, token=TOKEN_PATH, device_code=None, revoke="/oauth/revoke"),
        access_prefix="-s-",
        refresh_prefix="rt-",
        code_ttl=CODE_TTL,
        access_ttl=ACCESS_TTL,
        access_ttl_for_scope=access_ttl,
        refresh_ttl=REFRESH_TTL,
        rotate_refresh=False,
        refresh_single_use=False,
        refresh_returns_refresh_token=False,
        require_pkce=False,
        token_requires_redirect_uri=True,
        include_scope=False,
        default_scope=ALL_PERMISSIONS,
        scope_separator=";",
        token_type="session",
        client_auth_methods=("body",),
        token_params_in_query=True,
        require_scope=True,
        require_state=True,
        default_user_id=SANDBOX_UID,
    )


def make_oauth_server(clock: SandboxClock) -> OAuthServer:
    return OAuthServer(ok_oauth_config(), clock)
