"""The authorize endpoint: client and redirect URI checks, PKCE challenge, consent, single-use codes."""

from __future__ import annotations

import html
import secrets
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from airflow_provider_social.core.loopback import is_loopback_http

from .base import ServerBase
from .config import _VERIFIER_RE, ClientInfo
from .forms import _page, _read_form, _redirect
from .records import _AuthCode, _PendingConsent
from .refusals import OAuthError


class AuthorizeEndpoints(ServerBase):
    """``GET``/``POST`` of the authorize path (the consent form when auto-approve is off)."""

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
        code = self._store_code(consent, secrets.token_urlsafe(24))
        return _redirect(consent.redirect_uri, {"code": code, "state": consent.state})

    def _store_code(self, consent: _PendingConsent, code: str) -> str:
        """Remember ``code`` as the single-use authorization code of an approved consent; returns it."""
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
        return code

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
