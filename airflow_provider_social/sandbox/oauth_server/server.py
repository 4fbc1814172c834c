"""The assembled :class:`OAuthServer`: its routes, control-API operations and inspection."""

from __future__ import annotations

import functools
from typing import Any

from starlette.routing import BaseRoute, Route, Router

from .authorize import AuthorizeEndpoints
from .config import SANDBOX_CLIENT_ID
from .device import DeviceEndpoints
from .records import TokenCheck, TokenInfo
from .token import TokenEndpoints


class OAuthServer(AuthorizeEndpoints, TokenEndpoints, DeviceEndpoints):
    """In-memory authorization server. All state changes happen under one lock; time comes from ``clock``."""

    # ------------------------------------------------------------------ routes

    @functools.cached_property
    def app(self) -> Router:
        """The routes as one ASGI app, for mounting under a service prefix."""
        return Router(routes=self.routes())

    def routes(self) -> list[BaseRoute]:
        p = self.config.paths
        routes: list[BaseRoute] = [
            Route(p.authorize, self._authorize_get, methods=["GET"]),
            Route(p.authorize, self._authorize_post, methods=["POST"]),
            Route(p.token, self._token_endpoint, methods=["POST"]),
            Route(p.revoke, self._revoke_endpoint, methods=["POST"]),
        ]
        if p.device_code:
            routes += [
                Route(p.device_code, self._device_code_endpoint, methods=["POST"]),
                Route(p.verification, self._verification_get, methods=["GET"]),
                Route(p.verification, self._verification_post, methods=["POST"]),
            ]
        return routes

    # ------------------------------------------------------------------ control-API operations

    def set_auto_approve(self, enabled: bool) -> None:
        self.auto_approve = bool(enabled)

    def mint_tokens(
        self, client_id: str | None = None, scope: str | None = None, user_id: str | None = None
    ) -> dict[str, Any]:
        """A token set for ``client_id`` (the sandbox's client by default, else the provider's first) as if the
        user had just authorised it."""
        client_id = client_id or (SANDBOX_CLIENT_ID if SANDBOX_CLIENT_ID in self.config.clients
                                  else next(iter(self.config.clients)))
        if client_id not in self.config.clients:
            raise KeyError(f"unknown client {client_id!r}")
        with self._lock:
            grant = next(self._grant_ids)
            user = user_id or self.config.default_user_id
            body = self._issue(client_id, self._scope(scope or self.config.mint_scope), user, grant)
            return self._minted(grant, user, body)

    def _minted(self, grant: int, user_id: str, body: dict[str, Any]) -> dict[str, Any]:
        """What the control API answers for a minted grant (a provider adds what refreshes must send back)."""
        return body

    def extend_access_token(self, token: str, until: float) -> bool:
        """Move a valid access token's expiry to ``until`` (OK's LONG_ACCESS_TOKEN); False if it is not valid."""
        with self._lock:
            record = self._tokens.get(token)
            if record is None or record.kind != "access" or record.revoked or self._expired(record):
                return False
            record.expires_at = until
            return True

    def expire_token(self, token: str) -> None:
        with self._lock:
            record = self._tokens[token]
            record.expires_at = self.clock.now() - 1

    def revoke_token(self, token: str) -> None:
        with self._lock:
            self._revoke_pair(self._tokens[token])

    def validate_access_token(self, token: str | None) -> TokenCheck:
        with self._lock:
            record = self._tokens.get(token or "")
            if record is None or record.kind != "access":
                return TokenCheck(None, "unknown")
            if record.revoked or record.grant_id in self._revoked_grants:
                return TokenCheck(None, "revoked")
            if self._expired(record):
                return TokenCheck(None, "expired")
            return TokenCheck(TokenInfo(record.client_id, record.scope, record.user_id, record.expires_at), None)

    def dump(self) -> dict[str, Any]:
        with self._lock:
            now = self.clock.now()
            return {
                "service": self.name,
                "auto_approve": self.auto_approve,
                "clients": sorted(self.config.clients),
                "tokens": [
                    {
                        "kind": t.kind,
                        "client_id": t.client_id,
                        "user_id": t.user_id,
                        "scope": t.scope,
                        "grant_id": t.grant_id,
                        "expires_at": t.expires_at,
                        "active": not (t.revoked or t.used or t.grant_id in self._revoked_grants)
                        and (t.expires_at is None or t.expires_at > now),
                    }
                    for t in self._tokens.values()
                ],
                "slow_down": self.slow_downs,
                "device_authorizations": [
                    {"user_code": d.user_code, "client_id": d.client_id, "status": d.status}
                    for d in self._devices.values()
                ],
            }
