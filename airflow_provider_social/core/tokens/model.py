"""The token set and the refresh endpoint's ``invalid_grant`` error."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from airflow_provider_social.core.errors import AuthenticationError
from airflow_provider_social.core.masking import register_secret

DEFAULT_REFRESH_SKEW = 300.0  # seconds before expiry at which we refresh


@dataclass(frozen=True)
class TokenSet:
    """An OAuth token set. ``expires_at`` is epoch seconds; ``extra`` holds service specifics (VK ID device_id)."""

    access_token: str | None
    refresh_token: str | None = None
    expires_at: float | None = None
    token_type: str = "bearer"
    scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Fingerprint of the Connection refresh token this set descends from (see module docstring).
    seed: str | None = None
    # Epoch seconds of the refresh (or grant) that produced this set; None for a set from the Connection.
    refreshed_at: float | None = None

    @classmethod
    def from_token_response(
        cls, payload: dict[str, Any], *, now: float, previous: TokenSet | None = None
    ) -> TokenSet:
        """Build a set from an OAuth token endpoint response, keeping what the response leaves out."""
        expires_in = payload.get("expires_in")
        extra = dict(previous.extra) if previous else {}
        for key in ("user_id", "device_id", "id_token", "state"):
            if payload.get(key) is not None:
                extra[key] = payload[key]
        return cls(
            access_token=payload["access_token"],
            # Some servers omit the refresh token when it did not rotate; keep the one we have.
            refresh_token=payload.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=now + float(expires_in) if expires_in not in (None, "", 0, "0") else None,
            token_type=str(payload.get("token_type") or "bearer"),
            scope=payload.get("scope") or (previous.scope if previous else None),
            extra=extra,
            seed=previous.seed if previous else None,
        )

    def expires_within(self, seconds: float, now: float) -> bool:
        """True when there is no access token or it expires within ``seconds``."""
        if not self.access_token:
            return True
        return self.expires_at is not None and self.expires_at - now <= seconds

    def register_secrets(self) -> None:
        register_secret(self.access_token, "access_token")
        register_secret(self.refresh_token, "refresh_token")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def __repr__(self) -> str:  # never print tokens, even in a debugger or a traceback's locals
        return f"TokenSet(expires_at={self.expires_at}, scope={self.scope!r}, seed={self.seed!r})"


class InvalidGrantError(AuthenticationError):
    """The token endpoint answered ``invalid_grant``: the refresh token is spent, expired or revoked."""


