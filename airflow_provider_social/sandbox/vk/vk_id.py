"""VK ID (``https://id.vk.com``) on the shared OAuth server, mounted at ``/vk-id``.

OAuth 2.1 as VK ID documents it (id.vk.com .../vk-id/connection/api-integration/api-description, vkid-web-sdk):
``GET /authorize`` with PKCE S256 (required; ``s256`` accepted as the SDK spells it, ``plain`` refused) and a
``state``; the redirect carries ``code``, ``state``, ``device_id``, ``expires_in`` and ``type``; the code is
single-use and bound to the PKCE challenge, the redirect URI and the ``device_id``. ``POST /oauth2/auth``
(form; query parameters are read too, as the SDK puts all but ``code`` there) exchanges it
(``grant_type=authorization_code``, ``code``, ``code_verifier``, ``client_id``, ``device_id``,
``redirect_uri``, ``state``) and refreshes (``grant_type=refresh_token``, ``refresh_token``, ``client_id``,
``device_id``, ``state``): 1-hour access tokens, a new refresh token each time, the old one refused.
``POST /oauth2/user_info`` and ``POST /oauth2/logout`` take ``client_id`` and ``access_token``.

UNCONFIRMED, stricter side taken: ``state`` is required on both grants and ``device_id`` must be the one the
code (or the first token) was issued with; ``client_secret`` is optional (PKCE is the proof) but refused when
wrong; refresh tokens live 180 days and are single-use.
"""

from __future__ import annotations

import secrets
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from ..clock import SandboxClock
from ..oauth_server import (
    SANDBOX_REDIRECT_URIS,
    ClientInfo,
    OAuthError,
    OAuthPaths,
    OAuthServer,
    OAuthServerConfig,
    _PendingConsent,
    _redirect,
)
from ..oauth_server.mount import mounted_oauth
from ..state import ServiceSpec
from .state import ADMIN_USER_ID, APP_ID, USER_SCOPES

if TYPE_CHECKING:
    pass

NAME = "vk_id_web"
PREFIX = "/vk-id"
OAUTH_NAME = "vk_id"
CLIENT_ID = str(APP_ID)
CLIENT_SECRET = "vk-sandbox-app-secret"
DEFAULT_SCOPE = "vkid.personal_info"
MINT_SCOPE = " ".join((DEFAULT_SCOPE, *USER_SCOPES))
CODE_TTL = 600


def vk_id_config() -> OAuthServerConfig:
    client = ClientInfo(CLIENT_SECRET, SANDBOX_REDIRECT_URIS, allow_any_loopback=True)
    return OAuthServerConfig(
        service=OAUTH_NAME,
        clients={CLIENT_ID: client},
        paths=OAuthPaths(authorize="/authorize", token="/oauth2/auth", device_code=None, revoke="/oauth2/revoke"),
        access_prefix="vk2.a.",
        refresh_prefix="vk2.r.",
        code_ttl=CODE_TTL,
        access_ttl=3600,
        refresh_ttl=180 * 86400,
        rotate_refresh=True,
        refresh_single_use=True,
        require_pkce=True,
        pkce_methods=("S256",),
        token_requires_redirect_uri=True,
        default_scope=DEFAULT_SCOPE,
        default_user_id=str(ADMIN_USER_ID),
        mint_scope=MINT_SCOPE,
        refusals={"grant_type_missing": ("invalid_request", "grant_type is missing"),
                  "grant_type_unsupported": ("unsupported_grant_type", "grant_type {grant_type!r} is not supported")},
    )


class VkIdServer(OAuthServer):
    def __init__(self, config: OAuthServerConfig, clock: SandboxClock) -> None:
        super().__init__(config, clock)
        self._code_devices: dict[str, str] = {}
        self._grant_devices: dict[int, str] = {}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/authorize", self._authorize_get, methods=["GET"]),
            Route("/authorize", self._authorize_post, methods=["POST"]),
            Route("/oauth2/auth", self._vk_token, methods=["POST"]),
            Route("/oauth2/user_info", self._user_info, methods=["POST"]),
            Route("/oauth2/logout", self._logout, methods=["POST"]),
        ]

    def _minted(self, grant: int, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """A minted grant is bound to a ``device_id`` (refreshes must send it), which the control API returns."""
        device_id = "sandbox-device-" + secrets.token_hex(8)
        self._grant_devices[grant] = device_id
        return {**body, "user_id": int(user_id), "device_id": device_id}

    # ---- authorize: VK ID's redirect payload

    def _check_challenge(self, challenge: str | None, method: str | None) -> tuple[str | None, str | None]:
        return super()._check_challenge(challenge, method.upper() if method else method)

    def _approve_consent(self, consent: _PendingConsent) -> Response:
        code = secrets.token_urlsafe(32)
        device_id = secrets.token_urlsafe(24)
        with self._lock:
            self._store_code(consent, code)
            self._code_devices[code] = device_id
        params = {"code": code, "state": consent.state, "device_id": device_id,
                  "expires_in": str(int(self.config.code_ttl)), "type": "code_v2"}
        return _redirect(consent.redirect_uri, params)

    # ---- token endpoint

    def _authenticate_client(self, request: Request, form: dict[str, str]) -> str:
        client_id = form.get("client_id", "")
        if not client_id:
            raise OAuthError("invalid_request", "client_id is missing")
        client = self.config.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "client_id is invalid", 401)
        secret = form.get("client_secret")
        if secret is not None and not secrets.compare_digest(secret, client.secret or ""):
            raise OAuthError("invalid_client", "client_secret is invalid", 401)
        return client_id

    async def _vk_token(self, request: Request) -> Response:
        form = dict(request.query_params)
        state = form.get("state")
        try:
            ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
            if ctype != "application/x-www-form-urlencoded":
                raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
            async with request.form() as body:
                form.update({k: v for k, v in body.items() if isinstance(v, str)})
            state = form.get("state")
            client_id = self._authenticate_client(request, form)
            for name in ("device_id", "state"):
                if not form.get(name):
                    raise OAuthError("invalid_request", f"{name} is missing")
            body_out = self._grant(client_id, form)
        except OAuthError as exc:
            body_err: dict[str, Any] = {"error": exc.error, "error_description": exc.description}
            if state:
                body_err["state"] = state
            return JSONResponse(body_err, status_code=exc.status, headers={"Cache-Control": "no-store"})
        access = body_out["access_token"]
        info = self.validate_access_token(access).info
        assert info is not None
        body_out.update(
            token_type="Bearer",
            user_id=int(info.user_id),
            state=state,
            id_token="sandbox-id-token." + secrets.token_urlsafe(24),
            scope=info.scope,
        )
        return JSONResponse(body_out, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _grant_code(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        code = form.get("code", "")
        with self._lock:
            if code in self._code_devices and self._code_devices[code] != form["device_id"]:
                raise OAuthError("invalid_grant", "device_id does not match the code")
            body = super()._grant_code(client_id, form)
            self._grant_devices[self._codes[code].grant_id] = form["device_id"]
            return body

    def _grant_refresh(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        with self._lock:
            record = self._tokens.get(form.get("refresh_token", ""))
            if record is not None and self._grant_devices.get(record.grant_id) != form["device_id"]:
                raise OAuthError("invalid_grant", "device_id does not match the refresh token")
            return super()._grant_refresh(client_id, form)

    # ---- user_info and logout

    async def _token_form(self, request: Request) -> tuple[dict[str, str], Any]:
        form = dict(request.query_params)
        async with request.form() as body:
            form.update({k: v for k, v in body.items() if isinstance(v, str)})
        if form.get("client_id") not in self.config.clients:
            return form, JSONResponse({"error": "invalid_client", "error_description": "client_id is invalid"},
                                      status_code=401)
        info, reason = self.validate_access_token(form.get("access_token"))
        if info is None:
            return form, JSONResponse({"error": "invalid_token", "error_description": f"access_token is {reason}"},
                                      status_code=401)
        return form, info

    async def _user_info(self, request: Request) -> Response:
        _, info = await self._token_form(request)
        if isinstance(info, Response):
            return info
        return JSONResponse({"user": {"user_id": info.user_id, "first_name": "Sandbox", "last_name": "Admin",
                                      "avatar": "https://vk.ru/images/camera_200.png", "sex": 0,
                                      "verified": False, "birthday": ""}})

    async def _logout(self, request: Request) -> Response:
        form, info = await self._token_form(request)
        if isinstance(info, Response):
            return info
        self.revoke_token(form["access_token"])
        return JSONResponse({"response": 1})


def make_server(clock: SandboxClock) -> OAuthServer:
    return VkIdServer(vk_id_config(), clock)


SERVICE = ServiceSpec(name=NAME, prefix=PREFIX, routes=mounted_oauth(PREFIX, OAUTH_NAME), oauth_factory=make_server,
                      description="VK ID OAuth 2.1 (id.vk.com)")
