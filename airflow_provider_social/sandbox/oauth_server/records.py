"""What the server remembers: codes, tokens, device authorizations, pending consents; token checks."""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple


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
    interval: float = 5.0  # grows by 5 s after each slow_down (RFC 8628 section 3.5)
    last_poll: float | None = None


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
