"""X's credentials: OAuth 2.0 user tokens (rotating refresh) or OAuth 1.0a keys, and the first authorisation."""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    AuthenticationError,
    input_error,
)
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.oauth import OAuth1Auth, OAuth2Client, TokenAuth, oauth1_auth
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.twitter.policy import SERVICE

if TYPE_CHECKING:
    from typing_extensions import Self


#: Token kinds of the call table: the connection's credentials (OAuth 2.0 user token or OAuth 1.0a by ``auth_mode``)
#: and OAuth 1.0a whatever the mode (the v1.1 upload host takes nothing else).
USER = "user"
OAUTH1 = "oauth1"


class TwitterAuth(SocialHook):
    """Which credentials a connection holds and how they are kept fresh."""

    # ---------------------------------------------------------------------------------------------- settings
    @property
    def auth_mode(self) -> str:
        mode = self.extra("auth_mode")
        if mode is None:
            has_oauth2 = bool(self.extra("access_token") or self.extra("refresh_token") or self.connection.password)
            mode = "oauth2" if has_oauth2 or not self.extra("oauth_consumer_key") else "oauth1"
        if mode not in ("oauth2", "oauth1"):
            raise input_error("auth_mode", f"must be 'oauth2' or 'oauth1', got {mode!r}", service=SERVICE)
        return str(mode)

    # ---------------------------------------------------------------------------------------------- auth
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """X's token endpoints; Basic auth for confidential clients, ``client_id`` in the body for public ones."""
        api = self.endpoint("api_base_url")
        return OAuth2Client(
            self.transport,
            token_url=f"{api}/2/oauth2/token",
            revoke_url=f"{api}/2/oauth2/revoke",
            client_id=self.extra("client_id"),
            client_secret=self.secret_extra("client_secret"),
            client_auth="basic",
        )

    @cached_property
    def token_manager(self) -> TokenManager:
        seed = TokenSet(
            access_token=self.secret_extra("access_token") or self.connection.password or None,
            refresh_token=self.secret_extra("refresh_token"),
            expires_at=float(self.extra("expires_at")) if self.extra("expires_at") else None,
            scope=self.extra("scope"),
        )
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self._refresh if can_refresh else None)

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        """Refresh, saying what is missing when X refuses the client itself rather than the token."""
        try:
            return self.oauth_client.refresh(tokens)
        except AuthenticationError as exc:
            if exc.api_code in ("invalid_client", "unauthorized_client") and not self.extra("client_secret"):
                raise AuthenticationError(
                    f"X refused the client {self.extra('client_id')!r} without a client secret ({exc.api_message})",
                    service=SERVICE, operation="refresh token", status_code=exc.status_code, api_code=exc.api_code,
                    hint="a confidential client (type Web App, Automated App or Bot) needs client_secret in the "
                    "connection: Keys and tokens -> OAuth 2.0 Client ID and Client Secret",
                ) from None
            raise

    @cached_property
    def oauth1(self) -> OAuth1Auth:
        names = ("oauth_consumer_key", "oauth_consumer_secret", "oauth_token", "oauth_token_secret")
        values = {name: self.secret_extra(name) for name in names}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise input_error(
                ", ".join(missing),
                "OAuth 1.0a needs the consumer key/secret (Consumer Keys -> API Key and Secret) and the access "
                "token/secret (Authentication Tokens -> Access Token and Secret) in the connection",
                service=SERVICE,
            )
        return oauth1_auth(values["oauth_consumer_key"] or "", values["oauth_consumer_secret"] or "",
                           values["oauth_token"], values["oauth_token_secret"])

    @cached_property
    def auth(self) -> Auth:
        if self.auth_mode == "oauth1":
            return self.oauth1
        return TokenAuth(self.token_manager, scheme="Bearer")

    def auth_for(self, kind: str | None) -> Auth | None:
        """The credentials of a token kind: ``user`` (the connection's, by ``auth_mode``) or ``oauth1``.

        :param kind: the kind a declared call needs; None for none.
        """
        if kind == OAUTH1:
            return self.oauth1
        return self.auth if kind is not None else None

    @classmethod
    def for_authorization(cls, *, conn_id: str, client_id: str, client_secret: str | None = None,
                          api_base_url: str | None = None, **kwargs: Any) -> Self:
        """A hook for the first authorisation, before the Connection holds any token (used by the CLI).

        :param conn_id: the connection being authorised.
        :param client_id: the app's OAuth 2.0 client id.
        :param client_secret: its secret (None for a public client).
        :param api_base_url: the API's base URL (the sandbox's in tests).
        """
        from airflow.sdk import Connection

        extra = {"client_id": client_id, "client_secret": client_secret, "api_base_url": api_base_url}
        extra = {k: v for k, v in extra.items() if v}
        connection = Connection(conn_id=conn_id, conn_type=cls.conn_type, extra=json.dumps(extra))
        return cls(conn_id, connection=connection, **kwargs)

    def refresh_tokens(self) -> TokenSet:
        """Rotate the OAuth 2.0 tokens now (the "keep tokens fresh" task) and persist them; returns the new set."""
        if self.auth_mode != "oauth2":
            raise input_error("auth_mode", "OAuth 1.0a credentials do not expire; nothing to refresh",
                              service=SERVICE, operation="refresh token")
        return self.token_manager.refresh(force=True)
