"""Vision credentials: the token goes in the query string (``oauth_token`` + ``oauth_provider=mcs``).

Two ways to get one (reference section 2, vkcs-docs quick-start/auth-vision):

* a **service token** from the console: never expires, nothing to renew;
* an **OAuth client** (client ID + secret): ``POST <oauth_endpoint>`` (JSON body), ``grant_type=client_credentials``
  gives a 1-hour access token and a refresh token; ``grant_type=refresh_token`` gives new access tokens. A project
  may hold at most 25 active tokens of each kind, so the refresh token is kept in the token store and reused, and
  a new client-credentials grant is only asked for when there is none (or it was refused).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import AuthenticationError
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.policy import ResponsePolicy
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenManager, TokenSet

from .policy import token_error_parser

if TYPE_CHECKING:
    import requests

    from airflow_provider_social.core.http import Transport

PROVIDER = "mcs"


class VkCloudTokenClient:
    """The VK Cloud token endpoint (JSON bodies), through the hook's transport.

    :param transport: the hook's transport (retries, timeouts, redacted logging).
    :param token_url: the connection's ``oauth_endpoint``.
    :param client_id: the OAuth client ID.
    :param client_secret: the OAuth secret key (registered with the masker).
    """

    def __init__(self, transport: Transport, token_url: str, client_id: str, client_secret: str) -> None:
        self.transport = transport
        self.token_url = token_url
        self.client_id = client_id
        self.client_secret = client_secret
        self.policy = ResponsePolicy(token_error_parser)
        register_secret(client_secret, "client_secret")

    def _post(self, body: dict[str, Any], operation: str) -> TokenSet:
        # Never repeated blindly: each grant counts against the project's 25 active tokens.
        response = self.transport.request("POST", self.token_url, operation=operation, json=body,
                                          idempotent=False, policy=self.policy)
        payload = response.json()
        for key in ("access_token", "refresh_token"):
            register_secret(payload.get(key), key)
        if not payload.get("access_token"):
            raise AuthenticationError("the token endpoint answered without an access_token",
                                      service=self.transport.service, operation=operation)
        return TokenSet.from_token_response(payload, now=self.transport.clock())

    def client_credentials(self) -> TokenSet:
        """A new grant: an access token (1 hour) and a refresh token. Counts against the project's 25."""
        return self._post({"client_id": self.client_id, "client_secret": self.client_secret,
                           "grant_type": "client_credentials"}, "get access token (client credentials)")

    def refresh(self, tokens: TokenSet) -> TokenSet:
        """A new access token from ``tokens.refresh_token`` (kept when the answer carries none).

        :param tokens: the set to renew.
        """
        new = self._post({"client_id": self.client_id, "refresh_token": tokens.refresh_token,
                          "grant_type": "refresh_token"}, "refresh access token")
        # The docs say a refresh token "may generate any number of access tokens": keep it when none comes back.
        if not new.refresh_token:
            from dataclasses import replace

            new = replace(new, refresh_token=tokens.refresh_token)
        return new


class VisionAuth(Auth):
    """Adds ``oauth_token`` and ``oauth_provider`` to the query of every attempt; renews OAuth tokens on 403.

    :param service_token: a console service token (never expires), or
    :param manager: the token manager of an OAuth client (exactly one of the two).
    :param credential_id: the rate-limit key's credential (the connection id).
    """

    def __init__(self, *, service_token: str | None = None, manager: TokenManager | None = None,
                 credential_id: str = "") -> None:
        if (service_token is None) == (manager is None):
            raise ValueError("VisionAuth takes a service token or a token manager")
        self.service_token = service_token
        self.manager = manager
        self.rate_key = ("vision", credential_id or fingerprint(service_token or ""))
        self._sent: TokenSet | None = None
        register_secret(service_token, "oauth_token")

    def token(self) -> str:
        """The token to send now (an OAuth token is refreshed first when it is about to expire)."""
        if self.manager is None:
            assert self.service_token is not None
            return self.service_token
        self._sent = self.manager.current()
        assert self._sent.access_token is not None
        return self._sent.access_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.prepare_url(request.url, {"oauth_token": self.token(), "oauth_provider": PROVIDER})
        return request

    def renew(self, response: requests.Response) -> bool:
        """After a 403: refresh an OAuth token once (True); a service token cannot be renewed (False).

        :param response: the refused answer.
        """
        if self.manager is None:
            return False  # a service token cannot be renewed: the 403 stands
        self.manager.refresh(stale=self._sent, force=True)
        return True


__all__ = ["PROVIDER", "VisionAuth", "VkCloudTokenClient", "token_error_parser"]
