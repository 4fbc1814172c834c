"""A strict, reusable OAuth 2.0 authorization server for the sandbox.

Each emulated service (Yandex ID now; X and VK ID later) builds one :class:`OAuthServer` from an
:class:`OAuthServerConfig` and mounts :meth:`OAuthServer.routes` under its own prefix. The routes are relative
(``/authorize``, ``/token``, ...) and their names come from the config, so each service keeps its real paths.

What is verified: client authentication (HTTP Basic *or* body credentials, public clients by id only),
exact redirect URIs (any port for loopback, RFC 8252), PKCE S256/plain, single-use codes bound to client,
redirect URI and challenge, code/token/device-code expiry on the sandbox clock, refresh rotation, single use
and family revocation, device-flow states, revocation. Errors are RFC 6749 JSON bodies.
"""

from __future__ import annotations

import base64
import binascii
import functools
import hashlib
import html
import itertools
import re
import secrets
import string
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route, Router

from airflow_provider_social.core.loopback import is_loopback_http

from .clock import SandboxClock

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
    device_code_param: str = "device_code"  # form field carrying the device code on the token endpoint
    device_grant_types: tuple[str, ...] = (DEVICE_GRANT_RFC,)
    device_expires_in: int = 300
    interval: int = 5
    verification_field: str = "verification_uri"  # RFC 8628 name; Yandex says verification_url
    default_user_id: str = SANDBOX_USER_ID
    # Per-provider differences (defaults are RFC 6749's):
    scope_separator: str = " "  # OK separates permissions with ";"
    access_ttl_for_scope: Callable[[str], float | None] | None = None  # OK: LONG_ACCESS_TOKEN -> 30 days
    token_type: str = "bearer"  # OK answers "session"
    refresh_returns_refresh_token: bool = True  # OK's refresh answer carries no refresh_token
    client_auth_methods: tuple[str, ...] = ("basic", "body")  # how the token endpoint takes client credentials
    token_params_in_query: bool = False  # the token endpoint also reads its parameters from the query string
    require_scope: bool = False  # /authorize refuses a request without scope
    require_state: bool = False  # /authorize refuses a request without state


# ---- records


@dataclass
class _AuthCode:
    client_id: str
    redirect_uri: str
    redirect_uri_sent: bool
    challenge: str | None
    challenge_method: str | None
    scope: str
    user_id: str
    expires_at: float
    grant_id: int
    used: bool = False


@dataclass
class _Token:
    value: str
    kind: str  # "access" | "refresh"
    client_id: str
    scope: str
    user_id: str
    grant_id: int
    expires_at: float | None
    partner: str | None = None  # the refresh token issued with an access token, and vice versa
    revoked: bool = False
    used: bool = False  # refresh tokens only


@dataclass
class _DeviceAuth:
    device_code: str
    user_code: str
    client_id: str
    scope: str
    expires_at: float
    device_id: str | None
    device_name: str | None
    status: str = "pending"  # pending | approved | denied | spent
    user_id: str | None = None


@dataclass
class _PendingConsent:
    client_id: str
    redirect_uri: str
    redirect_uri_sent: bool
    state: str | None
    scope: str
    challenge: str | None
    challenge_method: str | None


@dataclass(frozen=True)
class TokenInfo:
    client_id: str
    scope: str
    user_id: str
    expires_at: float | None


class TokenCheck(NamedTuple):
    """Result of :meth:`OAuthServer.validate_access_token`; unpacks as ``(info, reason)``."""

    info: TokenInfo | None
    reason: str | None  # None when valid, else "expired" | "revoked" | "unknown"


class OAuthError(Exception):
    def __init__(self, error: str, description: str, status: int = 400) -> None:
        super().__init__(f"{error}: {description}")
        self.error = error
        self.description = description
        self.status = status

    def response(self) -> JSONResponse:
        headers = {"Cache-Control": "no-store"}
        if self.status == 401:
            headers["WWW-Authenticate"] = 'Basic realm="sandbox"'
        body = {"error": self.error, "error_description": self.description}
        return JSONResponse(body, status_code=self.status, headers=headers)


# ---- server


class OAuthServer:
    """In-memory authorization server. All state changes happen under one lock; time comes from ``clock``."""

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

    @property
    def name(self) -> str:
        return self.config.service

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
        """A token set for ``client_id`` as if the user had just authorised it."""
        client_id = client_id or SANDBOX_CLIENT_ID
        if client_id not in self.config.clients:
            raise KeyError(f"unknown client {client_id!r}")
        with self._lock:
            grant = next(self._grant_ids)
            return self._issue(client_id, self._scope(scope), user_id or self.config.default_user_id, grant)

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

    def approve_device(self, user_code: str, deny: bool = False, user_id: str | None = None) -> None:
        with self._lock:
            device = self._devices.get(self._user_codes.get(user_code.strip().lower(), ""))
            if device is None:
                raise KeyError(f"unknown user_code {user_code!r}")
            if device.expires_at <= self.clock.now():
                raise ValueError("device code has expired")
            if device.status != "pending":
                raise ValueError(f"device authorization is already {device.status}")
            device.status = "denied" if deny else "approved"
            device.user_id = user_id or self.config.default_user_id

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
                "device_authorizations": [
                    {"user_code": d.user_code, "client_id": d.client_id, "status": d.status}
                    for d in self._devices.values()
                ],
            }

    # ------------------------------------------------------------------ authorize

    async def _authorize_get(self, request: Request) -> Response:
        params = dict(request.query_params)
        try:
            client_id, client = self._lookup_client(params.get("client_id"))
            redirect_uri, sent = self._check_redirect_uri(client, params.get("redirect_uri"))
        except OAuthError as exc:
            # RFC 6749 §4.1.2.1: never redirect to an unverified URI; tell the user instead.
            return HTMLResponse(_page("Authorization error", html.escape(exc.description)), status_code=400)
        state = params.get("state")
        try:
            if params.get("response_type") != "code":
                raise OAuthError("unsupported_response_type", "response_type must be 'code'")
            if self.config.require_scope and not (params.get("scope") or "").strip():
                raise OAuthError("invalid_request", "Missing scope")
            if self.config.require_state and not state:
                raise OAuthError("invalid_request", "Missing state")
            challenge, method = self._check_challenge(params.get("code_challenge"), params.get("code_challenge_method"))
        except OAuthError as exc:
            return _redirect(redirect_uri, {"error": exc.error, "error_description": exc.description, "state": state})
        consent = _PendingConsent(
            client_id, redirect_uri, sent, state, self._scope(params.get("scope")), challenge, method
        )
        if self.auto_approve or params.get("sandbox_auto_approve") == "1":
            return self._approve_consent(consent)
        consent_id = secrets.token_urlsafe(16)
        with self._lock:
            self._consents[consent_id] = consent
        body = (
            f"<p>Application <b>{html.escape(client_id)}</b> asks for access"
            f" ({html.escape(consent.scope) or 'default scope'}).</p>"
            f'<form method="post"><input type="hidden" name="consent_id" value="{consent_id}">'
            '<button name="decision" value="approve">Allow</button> '
            '<button name="decision" value="deny">Deny</button></form>'
        )
        return HTMLResponse(_page(f"{self.name}: grant access?", body))

    async def _authorize_post(self, request: Request) -> Response:
        form = await _read_form(request, strict=False)
        with self._lock:
            consent = self._consents.pop(form.get("consent_id", ""), None)
        if consent is None:
            return HTMLResponse(_page("Authorization error", "Unknown or used consent request."), status_code=400)
        if form.get("decision") != "approve":
            return _redirect(
                consent.redirect_uri,
                {
                    "error": "access_denied",
                    "error_description": "The user denied access",
                    "state": consent.state,
                },
            )
        return self._approve_consent(consent)

    def _approve_consent(self, consent: _PendingConsent) -> Response:
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._codes[code] = _AuthCode(
                client_id=consent.client_id,
                redirect_uri=consent.redirect_uri,
                redirect_uri_sent=consent.redirect_uri_sent,
                challenge=consent.challenge,
                challenge_method=consent.challenge_method,
                scope=consent.scope,
                user_id=self.config.default_user_id,
                expires_at=self.clock.now() + self.config.code_ttl,
                grant_id=next(self._grant_ids),
            )
        return _redirect(consent.redirect_uri, {"code": code, "state": consent.state})

    # ------------------------------------------------------------------ token

    async def _token_endpoint(self, request: Request) -> Response:
        try:
            if self.config.token_params_in_query and not await request.body():
                form = dict(request.query_params)  # parameters in the URL of a POST with an empty body
            else:
                form = await _read_form(request)
                if self.config.token_params_in_query:
                    form = {**dict(request.query_params), **form}
            client_id = self._authenticate_client(request, form)
            grant_type = form.get("grant_type")
            if grant_type == "authorization_code":
                body = self._grant_code(client_id, form)
            elif grant_type == "refresh_token":
                body = self._grant_refresh(client_id, form)
            elif grant_type in self.config.device_grant_types and self.config.paths.device_code:
                body = self._grant_device(client_id, form)
            elif not grant_type:
                raise OAuthError("invalid_request", "Missing grant_type")
            else:
                raise OAuthError("unsupported_grant_type", f"Unsupported grant_type {grant_type!r}")
        except OAuthError as exc:
            return exc.response()
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _grant_code(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        code_value = _required(form, "code")
        with self._lock:
            code = self._codes.get(code_value)
            if code is None:
                raise OAuthError("invalid_grant", "Invalid authorization code")
            if code.used:
                # A replayed code means it leaked: kill what it produced (RFC 6749 §4.1.2).
                self._revoked_grants.add(code.grant_id)
                raise OAuthError("invalid_grant", "Authorization code has already been used")
            if code.client_id != client_id:
                raise OAuthError("invalid_grant", "Authorization code was issued to another client")
            if code.expires_at <= self.clock.now():
                raise OAuthError("invalid_grant", "Code has expired")
            self._check_token_redirect_uri(code, form.get("redirect_uri"))
            self._check_verifier(code, form.get("code_verifier"))
            code.used = True
            return self._issue(client_id, code.scope, code.user_id, code.grant_id)

    def _grant_refresh(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        value = _required(form, "refresh_token")
        with self._lock:
            record = self._tokens.get(value)
            if record is None or record.kind != "refresh":
                raise OAuthError("invalid_grant", "Invalid refresh token")
            if record.client_id != client_id:
                raise OAuthError("invalid_grant", "Refresh token was issued to another client")
            if record.used:
                if self.config.revoke_family_on_reuse:
                    self._revoked_grants.add(record.grant_id)
                raise OAuthError("invalid_grant", "Refresh token has already been used")
            if record.revoked or record.grant_id in self._revoked_grants:
                raise OAuthError("invalid_grant", "Refresh token has been revoked")
            if self._expired(record):
                raise OAuthError("invalid_grant", "Refresh token has expired")
            scope = record.scope
            requested = form.get("scope")
            sep = self.config.scope_separator.strip() or None
            if requested and not set(requested.split(sep)) <= set(scope.split(sep)):
                raise OAuthError("invalid_scope", "Requested scope exceeds the original grant")
            if not self.config.rotate_refresh:
                body = self._issue(client_id, requested or scope, record.user_id, record.grant_id, keep=record)
                if not self.config.refresh_returns_refresh_token:
                    body.pop("refresh_token", None)
                return body
            if self.config.refresh_single_use:
                record.used = True
            return self._issue(client_id, requested or scope, record.user_id, record.grant_id)

    def _grant_device(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        value = _required(form, self.config.device_code_param)
        with self._lock:
            device = self._devices.get(value)
            # UNCONFIRMED for Yandex (may answer bad_verification_code); invalid_grant is the RFC 6749 answer.
            if device is None or device.client_id != client_id:
                raise OAuthError("invalid_grant", "Invalid device code")
            if device.status == "spent":
                raise OAuthError("invalid_grant", "Device code has already been used")
            # UNCONFIRMED for Yandex: RFC 8628 expired_token is the stricter, explicit choice.
            if device.expires_at <= self.clock.now():
                raise OAuthError("expired_token", "Device code has expired")
            if device.status == "denied":
                raise OAuthError("access_denied", "The user denied access")
            if device.status == "pending":
                raise OAuthError("authorization_pending", "User has not yet authorized your application")
            device.status = "spent"
            grant = next(self._grant_ids)
            return self._issue(client_id, device.scope, device.user_id or self.config.default_user_id, grant)

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

    # ------------------------------------------------------------------ device flow

    async def _device_code_endpoint(self, request: Request) -> Response:
        try:
            form = await _read_form(request)
            client_id = form.get("client_id")
            if not client_id:
                raise OAuthError("invalid_request", "Missing client_id")
            if client_id not in self.config.clients:
                raise OAuthError("invalid_client", "Unknown client_id", 401)
            device_id, device_name = form.get("device_id"), form.get("device_name")
            if device_id is not None and not (6 <= len(device_id) <= 50 and _printable_ascii(device_id)):
                raise OAuthError("invalid_request", "device_id must be 6-50 printable ASCII characters")
            if device_name is not None and len(device_name) > 100:
                raise OAuthError("invalid_request", "device_name must be at most 100 characters")
        except OAuthError as exc:
            return exc.response()
        with self._lock:
            user_code = _user_code(self._user_codes)
            device = _DeviceAuth(
                device_code=secrets.token_hex(16),
                user_code=user_code,
                client_id=client_id,
                scope=self._scope(form.get("scope")),
                expires_at=self.clock.now() + self.config.device_expires_in,
                device_id=device_id,
                device_name=device_name,
            )
            self._devices[device.device_code] = device
            self._user_codes[user_code] = device.device_code
        return JSONResponse(
            {
                "device_code": device.device_code,
                "expires_in": self.config.device_expires_in,
                "interval": self.config.interval,
                "user_code": user_code,
                self.config.verification_field: self._verification_url(request),
            }
        )

    def _verification_url(self, request: Request) -> str:
        # The page lives under this server's mount prefix, on whatever host/port the client reached us at.
        base = str(request.base_url).rstrip("/")
        app_root = request.scope.get("app_root_path", "")
        mount = request.scope.get("root_path", "")[len(app_root) :]
        return f"{base}{mount}{self.config.paths.verification}"

    async def _verification_get(self, request: Request) -> Response:
        code = html.escape(request.query_params.get("user_code", ""))
        body = (
            '<form method="post"><label>Code: <input name="user_code" value="' + code + '" autofocus></label> '
            '<button name="decision" value="approve">Allow</button> '
            '<button name="decision" value="deny">Deny</button></form>'
        )
        return HTMLResponse(_page(f"{self.name}: connect a device", body))

    async def _verification_post(self, request: Request) -> Response:
        form = await _read_form(request, strict=False)
        deny = form.get("decision") != "approve"
        try:
            self.approve_device(form.get("user_code", ""), deny=deny)
        except (KeyError, ValueError) as exc:
            return HTMLResponse(_page("Device authorization", html.escape(str(exc))), status_code=400)
        return HTMLResponse(_page("Device authorization", "Access denied." if deny else "Done, return to the device."))

    # ------------------------------------------------------------------ revoke

    async def _revoke_endpoint(self, request: Request) -> Response:
        try:
            form = await _read_form(request)
            client_id = self._authenticate_client(request, form)
            value = form.get("access_token") or form.get("token")
            if not value:
                raise OAuthError("invalid_request", "Missing access_token")
            with self._lock:
                record = self._tokens.get(value)
                if record is not None:
                    if record.client_id != client_id:
                        raise OAuthError("invalid_grant", "Token was issued to another client")
                    self._revoke_pair(record)
        except OAuthError as exc:
            return exc.response()
        # RFC 7009 §2.2: an unknown token is not an error.
        return JSONResponse({"status": "ok"})

    # ------------------------------------------------------------------ helpers

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

    def _check_redirect_uri(self, client: ClientInfo, uri: str | None) -> tuple[str, bool]:
        if not uri:
            if not client.redirect_uris:
                raise OAuthError("invalid_request", "Missing redirect_uri")
            return client.redirect_uris[0], False
        # Loopback: the literals only (127.0.0.1, [::1], localhost), the stricter reading of RFC 8252 section 7.3;
        # whether a real server takes other 127/8 addresses is unconfirmed.
        if uri in client.redirect_uris or (client.allow_any_loopback and is_loopback_http(uri, literals_only=True)):
            return uri, True
        # RFC 8252 §7.3: for loopback URIs only the port may differ from the registered one.
        parts = urlsplit(uri)
        for registered in client.redirect_uris:
            reg = urlsplit(registered)
            same_but_port = (parts.scheme, parts.hostname, parts.path, parts.query) == (
                reg.scheme,
                reg.hostname,
                reg.path,
                reg.query,
            )
            if same_but_port and is_loopback_http(registered, literals_only=True):
                return uri, True
        raise OAuthError("invalid_request", "redirect_uri does not match a registered URI")

    def _check_token_redirect_uri(self, code: _AuthCode, uri: str | None) -> None:
        if uri is None:
            if code.redirect_uri_sent and self.config.token_requires_redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri is required")
            return
        if uri != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")

    def _check_challenge(self, challenge: str | None, method: str | None) -> tuple[str | None, str | None]:
        if not challenge:
            if method:
                raise OAuthError("invalid_request", "code_challenge_method without code_challenge")
            if self.config.require_pkce:
                raise OAuthError("invalid_request", "code_challenge is required")
            return None, None
        method = method or "plain"  # RFC 7636 §4.3 default
        if method not in self.config.pkce_methods:
            raise OAuthError("invalid_request", f"Unsupported code_challenge_method {method!r}")
        if not _VERIFIER_RE.match(challenge):
            raise OAuthError("invalid_request", "Malformed code_challenge")
        return challenge, method

    @staticmethod
    def _check_verifier(code: _AuthCode, verifier: str | None) -> None:
        if code.challenge is None:
            if verifier:
                raise OAuthError("invalid_grant", "code_verifier sent but no code_challenge was given")
            return
        if not verifier:
            raise OAuthError("invalid_grant", "Missing code_verifier")
        if not _VERIFIER_RE.match(verifier):
            raise OAuthError("invalid_grant", "Malformed code_verifier")
        if code.challenge_method == "S256":
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        else:
            computed = verifier
        if not secrets.compare_digest(computed, code.challenge):
            raise OAuthError("invalid_grant", "Invalid code_verifier")


# ---- utilities


async def _read_form(request: Request, strict: bool = True) -> dict[str, str]:
    """Parse an urlencoded body; strict mode enforces the content type and single-valued parameters."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if strict and ctype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "Body is not UTF-8") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form and strict:
            raise OAuthError("invalid_request", f"Parameter {key!r} repeated")  # RFC 6749 §3.2
        form[key] = value
    return form


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"Missing {name}")
    return value


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302)


def _printable_ascii(value: str) -> bool:
    return all(32 <= ord(ch) <= 126 for ch in value)


def _user_code(taken: dict[str, str]) -> str:
    while True:
        code = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
        if code not in taken:
            return code


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
