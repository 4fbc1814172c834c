"""VK Cloud credentials for Vision: service tokens and the OAuth token endpoint (``mcs.mail.ru/auth/oauth/v1/token``).

Facts (reference section 2; vkcs-docs ``ml/vision/quick-start/auth-vision``): ``POST`` with a **JSON** body;
``{"client_id", "client_secret", "grant_type": "client_credentials"}`` issues an access token (1 hour) and a
refresh token; ``{"client_id", "refresh_token", "grant_type": "refresh_token"}`` issues a new access token. At
most 25 active access tokens and 25 active refresh tokens per project. Service tokens (console, "Add service
token") never expire.

UNCONFIRMED, so the sandbox takes the strict side: the error bodies (RFC 6749 ``{"error", "error_description"}``),
that a refresh keeps the same refresh token (nothing in the docs says it rotates; each refresh token "may generate
any number of access tokens"), refresh tokens never expiring, and what happens past 25 active tokens: here the
26th is refused (a client that fetches a new grant per task instead of reusing its refresh token hits it).
"""

from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from ..oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET

if TYPE_CHECKING:
    from ..clock import SandboxClock

ACCESS_TTL = 3600
MAX_ACTIVE_ACCESS = 25
MAX_ACTIVE_REFRESH = 25
#: The service token the sandbox knows (what the console's "Add service token" would give).
SANDBOX_SERVICE_TOKEN = "sandbox-vision-service-token-0001"


@dataclass
class _Access:
    client_id: str
    expires_at: float
    revoked: bool = False


class TokenError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(description)
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        return JSONResponse({"error": self.error, "error_description": self.description}, status_code=self.status)


class VisionCredentials:
    """Every credential the sandbox's Vision accepts, and the token endpoint that issues them."""

    def __init__(self, clock: SandboxClock) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self.clients = {SANDBOX_CLIENT_ID: SANDBOX_CLIENT_SECRET}
        self.service_tokens = {SANDBOX_SERVICE_TOKEN}
        self._access: dict[str, _Access] = {}
        self._refresh: dict[str, str] = {}  # refresh token -> client_id
        self.grants = 0  # client_credentials grants served (tests check clients reuse their refresh token)
        self.refreshes = 0

    # ------------------------------------------------------------------ checking
    def check(self, token: str | None) -> str | None:
        """None when ``token`` may call Vision, else why not ("unknown", "expired", "revoked")."""
        if not token:
            return "missing"
        if token in self.service_tokens:
            return None
        with self._lock:
            record = self._access.get(token)
            if record is None:
                return "unknown"
            if record.revoked:
                return "revoked"
            if record.expires_at <= self.clock.now():
                return "expired"
        return None

    def revoke(self, token: str) -> None:
        with self._lock:
            if token in self.service_tokens:
                self.service_tokens.discard(token)
                return
            self._access[token].revoked = True

    def active_access(self) -> int:
        now = self.clock.now()
        return sum(1 for a in self._access.values() if not a.revoked and a.expires_at > now)

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {"active_access_tokens": self.active_access(), "refresh_tokens": len(self._refresh),
                    "client_credentials_grants": self.grants, "refresh_grants": self.refreshes}

    # ------------------------------------------------------------------ token endpoint
    async def token_endpoint(self, request: Request) -> Response:
        try:
            body = await self._json(request)
            grant = body.get("grant_type")
            client_id = body.get("client_id")
            if not isinstance(client_id, str) or not client_id:
                raise TokenError("invalid_request", "client_id is required")
            if client_id not in self.clients:
                raise TokenError("invalid_client", "unknown client_id", 401)
            if grant == "client_credentials":
                secret = body.get("client_secret")
                if not isinstance(secret, str) or not secrets.compare_digest(secret, self.clients[client_id]):
                    raise TokenError("invalid_client", "client authentication failed", 401)
                return JSONResponse(self._issue(client_id, new_refresh=True), headers={"Cache-Control": "no-store"})
            if grant == "refresh_token":
                value = body.get("refresh_token")
                if not isinstance(value, str) or not value:
                    raise TokenError("invalid_request", "refresh_token is required")
                with self._lock:
                    owner = self._refresh.get(value)
                if owner is None:
                    raise TokenError("invalid_grant", "invalid refresh token")
                if owner != client_id:
                    raise TokenError("invalid_grant", "refresh token was issued to another client")
                return JSONResponse(self._issue(client_id, refresh=value), headers={"Cache-Control": "no-store"})
            if not grant:
                raise TokenError("invalid_request", "grant_type is required")
            raise TokenError("unsupported_grant_type", f"unsupported grant_type {grant!r}")
        except TokenError as exc:
            return exc.response()

    @staticmethod
    async def _json(request: Request) -> dict[str, Any]:
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype != "application/json":
            # The documented request is JSON (curl --header 'Content-Type: application/json').
            raise TokenError("invalid_request", "Content-Type must be application/json")
        try:
            body = json.loads(await request.body())
        except (ValueError, UnicodeDecodeError):
            raise TokenError("invalid_request", "body is not valid JSON") from None
        if not isinstance(body, dict):
            raise TokenError("invalid_request", "body must be a JSON object")
        return body

    def _issue(self, client_id: str, *, new_refresh: bool = False, refresh: str | None = None) -> dict[str, Any]:
        with self._lock:
            if self.active_access() >= MAX_ACTIVE_ACCESS:
                raise TokenError("invalid_request", f"too many active access tokens (at most {MAX_ACTIVE_ACCESS} "
                                 "per project)")
            if new_refresh:
                if len(self._refresh) >= MAX_ACTIVE_REFRESH:
                    raise TokenError("invalid_request", f"too many active refresh tokens (at most "
                                     f"{MAX_ACTIVE_REFRESH} per project)")
                refresh = "mcs_rt_" + secrets.token_urlsafe(24)
                self._refresh[refresh] = client_id
                self.grants += 1
            else:
                self.refreshes += 1
            access = "mcs_at_" + secrets.token_urlsafe(24)
            self._access[access] = _Access(client_id, self.clock.now() + ACCESS_TTL)
        return {"access_token": access, "refresh_token": refresh, "expires_in": ACCESS_TTL, "token_type": "Bearer"}
