"""Thin OAuth helpers over oauthlib / requests-oauthlib, sent through the shared :class:`Transport`.

* :class:`TokenAuth` puts the current access token on every request and refreshes once on 401.
* :class:`OAuth2Client` speaks to a token endpoint: code exchange (with PKCE), refresh, device code, revoke.
* :func:`pkce_pair` and :func:`oauth1_auth` wrap oauthlib so no service hand-rolls the crypto.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    SocialApiError,
    ValidationError,
    default_error_parser,
)
from airflow_provider_social.core.http import Auth, Transport
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.policy import ResponsePolicy
from airflow_provider_social.core.tokens import InvalidGrantError, TokenManager, TokenSet

if TYPE_CHECKING:
    import requests


class TokenAuth(Auth):
    """``Authorization: <scheme> <access token>`` from a :class:`TokenManager`; renews once on 401."""

    def __init__(self, manager: TokenManager, scheme: str = "Bearer") -> None:
        self.manager = manager
        self.scheme = scheme
        self._sent: TokenSet | None = None

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        tokens = self.manager.current()
        self._sent = tokens
        request.headers["Authorization"] = f"{self.scheme} {tokens.access_token}"
        return request

    def renew(self, response: requests.Response) -> bool:
        if self.manager.refresher is None:
            return False
        # The token may have been revoked or expired early; refresh unless another worker already did.
        self.manager.refresh(stale=self._sent, force=True)
        return True


def token_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """RFC 6749 section 5.2 errors; a refused grant becomes :class:`InvalidGrantError`.

    A grant is refused as ``invalid_grant`` by the RFC, but not by every provider: X answers a spent, revoked or
    unknown refresh token (and a used or expired code) with ``invalid_request`` "Value passed for the token was
    invalid." (or "... the authorization code ..."). Any ``invalid_request`` whose description names the token,
    the code or the code verifier as invalid is therefore a refused grant too, so the token protocol's re-read
    and re-authorise steps run on every provider.
    """
    info = default_error_parser(response) or ApiErrorInfo()
    if info.code == "invalid_grant" or (info.code == "invalid_request" and _names_a_refused_grant(info.message)):
        info.error_class = InvalidGrantError
    elif info.code in ("invalid_client", "unauthorized_client"):
        info.error_class = AuthenticationError
        info.hint = "check the client ID and client secret in the connection"
    return info


_REFUSED_GRANT = re.compile(
    r"\b(token|refresh[ _]token|authorization code|code verifier|code_verifier)\b.*\b(invalid|expired|revoked|"
    r"did not match|already (been )?used)",
    re.IGNORECASE,
)


def _names_a_refused_grant(description: str) -> bool:
    return bool(_REFUSED_GRANT.search(description or ""))


@dataclass
class DeviceCode:
    """The answer of a device authorization endpoint (RFC 8628 / Yandex ``/device/code``)."""

    device_code: str
    user_code: str
    verification_url: str
    interval: float
    expires_in: float


class AuthorizationPending(SocialApiError):
    """The user has not approved the device code yet; poll again after ``interval``."""


class OAuth2Client:
    """Calls one authorization server's token endpoints through the shared transport."""

    def __init__(
        self,
        transport: Transport,
        *,
        token_url: str,
        client_id: str | None,
        client_secret: str | None = None,
        client_auth: str = "basic",
        device_code_url: str | None = None,
        revoke_url: str | None = None,
        clock: Any = None,
        policy: ResponsePolicy | None = None,
    ) -> None:
        if client_auth not in ("basic", "body"):
            raise ValidationError(f"client_auth: must be 'basic' or 'body', got {client_auth!r}")
        self.transport = transport
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.client_auth = client_auth
        self.device_code_url = device_code_url
        self.revoke_url = revoke_url
        self.clock = clock or transport.clock
        # Reads the token endpoint's answers; by default RFC 6749 errors by HTTP status (token_error_parser).
        self.policy = policy or ResponsePolicy(token_error_parser)
        register_secret(client_secret, "client_secret")

    def _post(self, url: str, form: dict[str, Any], operation: str) -> dict[str, Any]:
        form = {k: v for k, v in form.items() if v is not None}
        auth = None
        if self.client_secret and self.client_auth == "basic":
            from requests.auth import HTTPBasicAuth

            auth = HTTPBasicAuth(self.client_id or "", self.client_secret)
        else:
            form["client_id"] = self.client_id
            if self.client_secret:
                form["client_secret"] = self.client_secret
        # Never re-sent blindly: a refresh token is single-use and a code is too.
        response = self.transport.request(
            "POST", url, operation=operation, data=form, auth=auth, idempotent=False,  # type: ignore[arg-type]
            policy=self.policy,
        )
        payload = response.json()
        for key in ("access_token", "refresh_token", "id_token"):
            register_secret(payload.get(key), key)
        return payload

    def _token_set(self, payload: Mapping[str, Any], previous: TokenSet | None = None) -> TokenSet:
        if not payload.get("access_token"):
            raise SocialApiError(
                "the token endpoint answered without an access_token",
                service=self.transport.service,
                operation="token",
            )
        return TokenSet.from_token_response(dict(payload), now=self.clock(), previous=previous)

    def refresh(self, tokens: TokenSet, **extra: Any) -> TokenSet:
        """``grant_type=refresh_token``; raises :class:`InvalidGrantError` when the token is spent."""
        payload = self._post(
            self.token_url,
            {"grant_type": "refresh_token", "refresh_token": tokens.refresh_token, **extra},
            "refresh token",
        )
        return self._token_set(payload, previous=tokens)

    def exchange_code(
        self, code: str, *, redirect_uri: str | None = None, code_verifier: str | None = None, **extra: Any
    ) -> TokenSet:
        payload = self._post(
            self.token_url,
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
                **extra,
            },
            "exchange authorization code",
        )
        return self._token_set(payload)

    def start_device_flow(self, **extra: Any) -> DeviceCode:
        if not self.device_code_url:
            raise ValidationError("device_code_url: this service has no device flow configured")
        form: dict[str, Any] = {"client_id": self.client_id, **extra}
        response = self.transport.request(
            "POST", self.device_code_url, operation="request device code", data=form, idempotent=False
        )
        body = response.json()
        register_secret(body.get("device_code"), "device_code")
        return DeviceCode(
            device_code=body["device_code"],
            user_code=body["user_code"],
            verification_url=body.get("verification_url") or body.get("verification_uri", ""),
            interval=float(body.get("interval", 5)),
            expires_in=float(body.get("expires_in", 300)),
        )

    def poll_device_token(
        self, device: DeviceCode, *, grant_type: str = "device_code", code_param: str = "code", **extra: Any
    ) -> TokenSet:
        """One poll. Raises :class:`AuthorizationPending` while the user has not approved yet."""
        try:
            payload = self._post(
                self.token_url,
                {"grant_type": grant_type, code_param: device.device_code, **extra},
                "poll device code",
            )
        except SocialApiError as exc:
            if exc.api_code in ("authorization_pending", "slow_down"):
                raise AuthorizationPending(
                    exc.api_message, service=exc.service, operation=exc.operation, api_code=exc.api_code
                ) from None
            raise
        return self._token_set(payload)

    def revoke(self, token: str, *, param: str = "token") -> None:
        if not self.revoke_url:
            raise ValidationError("revoke_url: this service has no revocation endpoint configured")
        self._post(self.revoke_url, {param: token}, "revoke token")


def pkce_pair(method: str = "S256") -> tuple[str, str]:
    """A fresh (code_verifier, code_challenge) pair, RFC 7636, via oauthlib."""
    from oauthlib.oauth2.rfc6749.clients.base import Client

    client = Client("pkce")
    verifier = client.create_code_verifier(length=64)
    return verifier, client.create_code_challenge(verifier, method)


def new_state() -> str:
    """An unguessable ``state`` value for authorization requests (CSRF protection)."""
    return secrets.token_urlsafe(24)


class OAuth1Auth(Auth):
    """OAuth 1.0a HMAC-SHA1 signing as a transport :class:`Auth`: every attempt is signed afresh (new nonce and
    timestamp); credentials never expire, so there is nothing to renew on 401."""

    def __init__(self, signer: Any) -> None:
        self.signer = signer

    @property
    def client(self) -> Any:
        """The oauthlib client (tests pin its nonce and timestamp to reproduce published signatures)."""
        return self.signer.client

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        return self.signer(request)


def oauth1_auth(
    consumer_key: str, consumer_secret: str, access_token: str | None, access_token_secret: str | None
) -> OAuth1Auth:
    """HMAC-SHA1 OAuth 1.0a signing for every request (requests-oauthlib)."""
    from requests_oauthlib import OAuth1

    for name, value in (("consumer_secret", consumer_secret), ("access_token_secret", access_token_secret)):
        register_secret(value, name)
    return OAuth1Auth(OAuth1(
        consumer_key,
        client_secret=consumer_secret,
        resource_owner_key=access_token,
        resource_owner_secret=access_token_secret,
        signature_method="HMAC-SHA1",
        signature_type="AUTH_HEADER",
    ))
