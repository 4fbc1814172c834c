"""Refusals: RFC 6749 / RFC 8628 wording by default, a provider's own where its config says so."""

from __future__ import annotations

from starlette.responses import JSONResponse

from .config import OAuthServerConfig

#: RFC 6749 section 5.2 / RFC 8628 answers, the default wording of every refusal.
RFC_REFUSALS: dict[str, tuple[str, str]] = {
    "code_invalid": ("invalid_grant", "Invalid authorization code"),
    "code_used": ("invalid_grant", "Authorization code has already been used"),
    "code_other_client": ("invalid_grant", "Authorization code was issued to another client"),
    "code_expired": ("invalid_grant", "Code has expired"),
    "verifier_missing": ("invalid_grant", "Missing code_verifier"),
    "verifier_mismatch": ("invalid_grant", "Invalid code_verifier"),
    "refresh_invalid": ("invalid_grant", "Invalid refresh token"),
    "refresh_other_client": ("invalid_grant", "Refresh token was issued to another client"),
    "refresh_used": ("invalid_grant", "Refresh token has already been used"),
    "refresh_revoked": ("invalid_grant", "Refresh token has been revoked"),
    "refresh_expired": ("invalid_grant", "Refresh token has expired"),
    "device_invalid": ("invalid_grant", "Invalid device code"),
    "device_used": ("invalid_grant", "Device code has already been used"),
    "device_expired": ("expired_token", "Device code has expired"),
    "device_too_fast": ("slow_down", "Polling too frequently; wait the interval"),
    "grant_type_missing": ("invalid_request", "Missing grant_type"),
    "grant_type_unsupported": ("unsupported_grant_type", "Unsupported grant_type {grant_type!r}"),
}



class OAuthError(Exception):
    @classmethod
    def refusal(cls, config: OAuthServerConfig, situation: str, **details: str) -> OAuthError:
        """The provider's own wording for a refused grant (RFC 6749 unless the config says otherwise);
        ``details`` fill the wording's ``{placeholders}``."""
        error, description = config.refusals.get(situation) or RFC_REFUSALS[situation]
        return cls(error, description.format(**details) if details else description)

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
