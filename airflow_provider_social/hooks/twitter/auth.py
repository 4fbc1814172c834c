"""X's credentials: which kind a connection holds, OAuth 1.0a keys, and what a refused client refresh means.

The hook (:mod:`.hook`) owns the credentials (the OAuth 2.0 client, the token manager, the OAuth 1.0a signer);
this module holds the rules it applies to the Connection's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from airflow_provider_social.core.errors import (
    AuthenticationError,
    input_error,
)
from airflow_provider_social.hooks.twitter.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.oauth import OAuth1Auth


#: Token kinds of the call table: the connection's credentials (OAuth 2.0 user token or OAuth 1.0a by ``auth_mode``)
#: and OAuth 1.0a whatever the mode (the v1.1 upload host takes nothing else).
USER = "user"
OAUTH1 = "oauth1"

#: The Connection fields of OAuth 1.0a user context.
OAUTH1_FIELDS = ("oauth_consumer_key", "oauth_consumer_secret", "oauth_token", "oauth_token_secret")


def choose_auth_mode(mode: str | None, *, has_oauth2: bool, has_consumer_key: bool) -> str:
    """The connection's ``auth_mode``: as set, else ``oauth2`` when OAuth 2.0 tokens are present (or no OAuth 1.0a
    consumer key is), else ``oauth1``.

    :param mode: the ``auth_mode`` extra, None when unset.
    :param has_oauth2: whether an access or refresh token is present.
    :param has_consumer_key: whether ``oauth_consumer_key`` is present.
    """
    if mode is None:
        mode = "oauth2" if has_oauth2 or not has_consumer_key else "oauth1"
    if mode not in ("oauth2", "oauth1"):
        raise input_error("auth_mode", f"must be 'oauth2' or 'oauth1', got {mode!r}", service=SERVICE)
    return str(mode)


def oauth1_signer(values: Mapping[str, str | None]) -> OAuth1Auth:
    """The OAuth 1.0a signer of :data:`OAUTH1_FIELDS`, or an error naming each one missing.

    :param values: the four fields' values from the Connection.
    """
    from airflow_provider_social.core.oauth import oauth1_auth

    missing = [name for name in OAUTH1_FIELDS if not values.get(name)]
    if missing:
        raise input_error(
            ", ".join(missing),
            "OAuth 1.0a needs the consumer key/secret (Consumer Keys -> API Key and Secret) and the access "
            "token/secret (Authentication Tokens -> Access Token and Secret) in the connection",
            service=SERVICE,
        )
    return oauth1_auth(values["oauth_consumer_key"] or "", values["oauth_consumer_secret"] or "",
                       values["oauth_token"], values["oauth_token_secret"])


def refused_client(exc: AuthenticationError, *, client_id: str | None, has_secret: bool) -> AuthenticationError:
    """A refused refresh, saying what is missing when X refuses the client itself rather than the token.

    :param exc: the token endpoint's refusal.
    :param client_id: the connection's client id.
    :param has_secret: whether the connection holds a client secret.
    """
    if exc.api_code in ("invalid_client", "unauthorized_client") and not has_secret:
        return AuthenticationError(
            f"X refused the client {client_id!r} without a client secret ({exc.api_message})",
            service=SERVICE, operation="refresh token", status_code=exc.status_code, api_code=exc.api_code,
            hint="a confidential client (type Web App, Automated App or Bot) needs client_secret in the "
            "connection: Keys and tokens -> OAuth 2.0 Client ID and Client Secret",
        )
    return exc
