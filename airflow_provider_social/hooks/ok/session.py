"""The user's session: who it is, keeping it alive, renewing its access token (reference 3.1)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens import TokenManager, TokenSet
    from airflow_provider_social.hooks.ok.client import OkClient


class OkSession:
    """The authorised user and the life of their session.

    :param client: sends OK's declared calls (signed with the current session).
    :param tokens: the connection's token lifecycle (store first, refresh, persist before use).
    :param long_lived: whether the grant has LONG_ACCESS_TOKEN (a session that lives while it is used).
    """

    def __init__(self, client: OkClient, tokens: TokenManager, *, long_lived: bool) -> None:
        self.client = client
        self.tokens = tokens
        self.long_lived = long_lived

    def get_current_user(self, fields: Sequence[str] | None = None) -> dict[str, Any]:
        """``users.getCurrentUser``: ``uid``, ``name``, ``first_name``, ``last_name``, ...

        :param fields: the user fields to return; None for OK's default set."""
        return dict(self.client.call("users.getCurrentUser", fields=list(fields) if fields else None))

    def check_connection(self) -> str:
        """Who the connection acts as (``users.getCurrentUser``), in one line."""
        me = self.get_current_user()
        return f"Connected to OK as {me.get('name') or me.get('first_name') or '?'} (uid {me.get('uid')})"

    def refresh_tokens(self) -> TokenSet:
        """Renew the access token now and persist it (the refresh token itself does not rotate)."""
        return self.tokens.refresh(force=True)

    def keep_session_fresh(self) -> dict[str, Any]:
        """Keep the connection usable: with LONG_ACCESS_TOKEN one cheap call (``users.getCurrentUser``) extends
        the session to 30 days (OK extends it on use, at most once a day; an expired one is renewed once through
        error 102); otherwise the access token is refreshed now. Returns ``{"renewed_by": "call"|"refresh",
        "expires_at": epoch seconds or None}`` (None: the token lives while it is used) -- never a token."""
        if self.long_lived:
            self.get_current_user()
            return {"renewed_by": "call", "expires_at": None}
        return {"renewed_by": "refresh", "expires_at": self.refresh_tokens().expires_at}
