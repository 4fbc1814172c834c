"""The authorised X account (``users/me``), read once per hook."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_social.hooks.twitter.calls import TwitterClient


@dataclass(eq=False)
class TwitterAccount:
    """Who the connection's credentials belong to.

    :param client: sends the declared calls.
    """

    client: TwitterClient
    _me: dict[str, Any] | None = field(default=None, init=False, repr=False)

    def get_me(self) -> dict[str, Any]:
        """``GET /2/users/me``: ``{"id", "name", "username"}`` of the authorised account (read once, then kept)."""
        if self._me is None:
            self._me = self.client.call("get me").json()["data"]
        return dict(self._me)

    def get_usage(self, days: int = 30) -> dict[str, Any]:
        """``GET /2/usage/tweets``: the posts the app read, as X counts them (``project_usage`` this billing cycle,
        ``daily_project_usage``). X answers it to an app-only bearer token only; with user credentials it refuses.

        :param days: how many days back the daily counts go (1-90).
        """
        return dict(self.client.call("get usage", params={"days": days}).json().get("data") or {})
