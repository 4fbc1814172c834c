"""How every X API call is sent, and the account it acts for.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    AuthenticationError,
)
from airflow_provider_social.hooks.twitter.auth import TwitterAuth

if TYPE_CHECKING:
    import requests



class TwitterCalls(TwitterAuth):
    """The one way an X API call is sent; the authorised account."""

    _me: dict[str, Any] | None

    # ---------------------------------------------------------------------------------------------- calls
    def _call(self, method: str, path: str, *, operation: str, endpoint: str = "api_base_url",
              **kwargs: Any) -> requests.Response:
        try:
            return self.transport.request(method, self.url(endpoint, path), operation=operation, auth=self.auth,
                                          **kwargs)
        except AuthenticationError as exc:
            # Only the call's own 401 (after the one refresh): a refused refresh explains itself.
            if exc.status_code == 401 and exc.operation == operation and not exc.hint.startswith("re-authorise"):
                exc.hint = (
                    "the OAuth 1.0a keys were refused; check the consumer key/secret and access token/secret"
                    if self.auth_mode == "oauth1"
                    else "the token was refused even after a refresh; run "
                    f"`{self.reauth_command.format(conn_id=self.conn_id)}`"
                )
            raise

    # ---------------------------------------------------------------------------------------------- account
    def get_me(self) -> dict[str, Any]:
        """``GET /2/users/me``: ``{"id", "name", "username"}`` of the authorised account."""
        if self._me is None:
            self._me = self._call("GET", "/2/users/me", operation="get me").json()["data"]
        return dict(self._me)

    def check_connection(self) -> str:
        me = self.get_me()
        return f"Connected to X as @{me.get('username')} (id {me.get('id')}, {self.auth_mode})"
