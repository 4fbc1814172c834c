"""The token endpoint (code, refresh and device grants) and the revoke endpoint."""

from __future__ import annotations

import base64
import hashlib
import secrets
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from .base import ServerBase
from .config import _VERIFIER_RE, OAuthServerConfig
from .forms import _read_form, _required
from .records import _AuthCode
from .refusals import OAuthError


class TokenEndpoints(ServerBase):
    """The token endpoint's grants with their checks, and revocation."""

    async def _token_endpoint(self, request: Request) -> Response:
        try:
            if self.config.token_params_in_query and not await request.body():
                form = dict(request.query_params)  # parameters in the URL of a POST with an empty body
            else:
                form = await _read_form(request)
                if self.config.token_params_in_query:
                    form = {**dict(request.query_params), **form}
            client_id = self._authenticate_client(request, form)
            body = self._grant(client_id, form)
        except OAuthError as exc:
            return exc.response()
        return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})

    def _grant(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        """The token answer for the form's ``grant_type``."""
        grant_type = form.get("grant_type")
        if grant_type == "authorization_code":
            return self._grant_code(client_id, form)
        if grant_type == "refresh_token":
            return self._grant_refresh(client_id, form)
        if grant_type in self.config.device_grant_types and self.config.paths.device_code:
            return self._grant_device(client_id, form)
        if not grant_type:
            raise OAuthError.refusal(self.config, "grant_type_missing")
        raise OAuthError.refusal(self.config, "grant_type_unsupported", grant_type=grant_type)

    def _grant_code(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        code_value = _required(form, "code")
        with self._lock:
            code = self._codes.get(code_value)
            if code is None:
                raise OAuthError.refusal(self.config, "code_invalid")
            if code.used:
                # A replayed code means it leaked: kill what it produced (RFC 6749 §4.1.2).
                self._revoked_grants.add(code.grant_id)
                raise OAuthError.refusal(self.config, "code_used")
            if code.client_id != client_id:
                raise OAuthError.refusal(self.config, "code_other_client")
            if code.expires_at <= self.clock.now():
                raise OAuthError.refusal(self.config, "code_expired")
            self._check_token_redirect_uri(code, form.get("redirect_uri"))
            self._check_verifier(self.config, code, form.get("code_verifier"))
            code.used = True
            return self._issue(client_id, code.scope, code.user_id, code.grant_id)

    def _grant_refresh(self, client_id: str, form: dict[str, str]) -> dict[str, Any]:
        value = _required(form, "refresh_token")
        with self._lock:
            record = self._tokens.get(value)
            if record is None or record.kind != "refresh":
                raise OAuthError.refusal(self.config, "refresh_invalid")
            if record.client_id != client_id:
                raise OAuthError.refusal(self.config, "refresh_other_client")
            if record.used:
                if self.config.revoke_family_on_reuse:
                    self._revoked_grants.add(record.grant_id)
                raise OAuthError.refusal(self.config, "refresh_used")
            if record.revoked or record.grant_id in self._revoked_grants:
                raise OAuthError.refusal(self.config, "refresh_revoked")
            if self._expired(record):
                raise OAuthError.refusal(self.config, "refresh_expired")
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
            if device is None or device.client_id != client_id:
                raise OAuthError.refusal(self.config, "device_invalid")
            if device.status == "spent":
                raise OAuthError.refusal(self.config, "device_used")
            if device.expires_at <= self.clock.now():
                raise OAuthError.refusal(self.config, "device_expired")
            now = self.clock.now()
            too_fast = device.last_poll is not None and now - device.last_poll < device.interval
            device.last_poll = now
            if too_fast and self.config.enforce_interval:
                # RFC 8628 section 3.5: the client must add 5 s to its interval from now on; so does the server.
                device.interval += 5
                self.slow_downs += 1
                raise OAuthError.refusal(self.config, "device_too_fast")
            if device.status == "denied":
                raise OAuthError("access_denied", "The user denied access")
            if device.status == "pending":
                raise OAuthError("authorization_pending", "User has not yet authorized your application")
            device.status = "spent"
            grant = next(self._grant_ids)
            return self._issue(client_id, device.scope, device.user_id or self.config.default_user_id, grant)

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

    def _check_token_redirect_uri(self, code: _AuthCode, uri: str | None) -> None:
        if uri is None:
            if code.redirect_uri_sent and self.config.token_requires_redirect_uri:
                raise OAuthError("invalid_grant", "redirect_uri is required")
            return
        if uri != code.redirect_uri:
            raise OAuthError("invalid_grant", "redirect_uri does not match the authorization request")

    @staticmethod
    def _check_verifier(config: OAuthServerConfig, code: _AuthCode, verifier: str | None) -> None:
        if code.challenge is None:
            if verifier:
                raise OAuthError("invalid_grant", "code_verifier sent but no code_challenge was given")
            return
        if not verifier:
            raise OAuthError.refusal(config, "verifier_missing")
        if not _VERIFIER_RE.match(verifier):
            raise OAuthError("invalid_grant", "Malformed code_verifier")
        if code.challenge_method == "S256":
            computed = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        else:
            computed = verifier
        if not secrets.compare_digest(computed, code.challenge):
            raise OAuthError.refusal(config, "verifier_mismatch")
