"""The server's state and the pieces every endpoint shares: client lookup and authentication, scopes, issuing
and revoking token pairs."""

from __future__ import annotations

import base64
import binascii
import itertools
import secrets
import threading
from typing import Any
from urllib.parse import unquote

from starlette.requests import Request

from ..clock import SandboxClock
from .config import ClientInfo, OAuthServerConfig
from .records import _AuthCode, _DeviceAuth, _PendingConsent, _Token
from .refusals import OAuthError


class ServerBase:
    """State of one in-memory authorization server. All changes happen under one lock; time comes from ``clock``."""

    def __init__(self, config: OAuthServerConfig, clock: SandboxClock) -> None:
        self.config = config
        self.clock = clock
        self.auto_approve = True
        self._lock = threading.RLock()
        self._codes: dict[str, _AuthCode] = {}
        self._tokens: dict[str, _Token] = {}
        self._devices: dict[str, _DeviceAuth] = {}
        self._user_codes: dict[str, str] = {}
        self._consents: dict[str, _PendingConsent] = {}
        self._grant_ids = itertools.count(1)
        self._revoked_grants: set[int] = set()
        self.slow_downs = 0  # device-code polls that came faster than the interval

    @property
    def name(self) -> str:
        return self.config.service

    def _revoke_pair(self, record: _Token) -> None:
        record.revoked = True
        partner = self._tokens.get(record.partner or "")
        if partner is not None:
            partner.revoked = True

    def _expired(self, record: _Token) -> bool:
        return record.expires_at is not None and record.expires_at <= self.clock.now()

    def _scope(self, scope: str | None) -> str:
        sep = self.config.scope_separator
        parts = (scope or self.config.default_scope).split(sep.strip() or None)
        return sep.join(part.strip() for part in parts if part.strip())

    def _lookup_client(self, client_id: str | None) -> tuple[str, ClientInfo]:
        if not client_id:
            raise OAuthError("invalid_request", "Missing client_id")
        client = self.config.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", f"Unknown client_id {client_id!r}", 401)
        return client_id, client

    def _authenticate_client(self, request: Request, form: dict[str, str]) -> str:
        header = request.headers.get("authorization")
        secret: str | None
        if header and header[:6].lower() == "basic ":
            # With a Basic header the body credentials are ignored (Yandex refresh doc, RFC 6749 §2.3.1).
            try:
                raw = base64.b64decode(header[6:].strip(), validate=True).decode()
                user, sep, password = raw.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise OAuthError("invalid_client", "Malformed Basic authorization header", 401) from None
            if not sep:
                raise OAuthError("invalid_client", "Malformed Basic authorization header", 401)
            client_id, secret = unquote(user), unquote(password)
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret")
        if header and header[:6].lower() == "basic " and "basic" not in self.config.client_auth_methods:
            raise OAuthError("invalid_client", "Client credentials must be sent as client_id/client_secret", 401)
        if not client_id:
            raise OAuthError("invalid_client", "Client authentication required", 401)
        client = self.config.clients.get(client_id)
        if client is None:
            raise OAuthError("invalid_client", "Unknown client", 401)
        if client.public:
            if secret:
                raise OAuthError("invalid_client", "Public clients have no secret", 401)
        elif not secret or not secrets.compare_digest(secret, client.secret or ""):
            raise OAuthError("invalid_client", "Client authentication failed", 401)
        return client_id

    def _issue(
        self, client_id: str, scope: str, user_id: str, grant_id: int, keep: _Token | None = None
    ) -> dict[str, Any]:
        cfg = self.config
        now = self.clock.now()
        access_ttl = cfg.access_ttl_for_scope(scope) if cfg.access_ttl_for_scope else cfg.access_ttl
        access = _Token(
            value=cfg.access_prefix + secrets.token_urlsafe(32),
            kind="access",
            client_id=client_id,
            scope=scope,
            user_id=user_id,
            grant_id=grant_id,
            expires_at=None if access_ttl is None else now + access_ttl,
        )
        refresh = keep or _Token(
            value=cfg.refresh_prefix + secrets.token_urlsafe(32),
            kind="refresh",
            client_id=client_id,
            scope=scope,
            user_id=user_id,
            grant_id=grant_id,
            expires_at=None if cfg.refresh_ttl is None else now + cfg.refresh_ttl,
        )
        access.partner, refresh.partner = refresh.value, access.value
        self._tokens[access.value] = access
        self._tokens[refresh.value] = refresh
        body: dict[str, Any] = {"access_token": access.value, "token_type": cfg.token_type}
        if access.expires_at is not None:
            body["expires_in"] = int(access_ttl or 0)
        body["refresh_token"] = refresh.value
        if cfg.include_scope and scope:
            body["scope"] = scope
        return body
