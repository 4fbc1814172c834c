"""TwitterHook: the layers of this package on the shared SocialHook."""

from __future__ import annotations

from typing import Any, ClassVar

from airflow_provider_social.hooks.twitter.policy import POLICY, SERVICE
from airflow_provider_social.hooks.twitter.posting import TwitterPosting


class TwitterHook(TwitterPosting):
    """Twitter/X API v2 (and the v1.1 media upload) for one account.

    Connection ``twitter`` extras: ``client_id``, ``client_secret`` (absent for public clients), ``redirect_uri``,
    ``scope``, ``access_token``, ``refresh_token``, ``expires_at`` (OAuth 2.0); ``oauth_consumer_key``,
    ``oauth_consumer_secret``, ``oauth_token``, ``oauth_token_secret`` (OAuth 1.0a); ``api_base_url``,
    ``upload_base_url``, ``authorize_url``; ``auth_mode`` (``oauth2``/``oauth1``), ``media_upload_api``
    (``v2``/``v1.1``), ``dedupe_window_minutes``.

    :param twitter_conn_id: the Connection ID, default ``twitter_default``.
    :param dedupe_window_minutes: how far back the no-double-post check looks (default from the Connection, 15).
    """

    conn_name_attr = "twitter_conn_id"

    default_conn_name = "twitter_default"

    conn_type = "twitter"

    hook_name = "Twitter/X"

    service_name = SERVICE

    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": "https://api.x.com",
        "upload_base_url": "https://upload.twitter.com",
        "authorize_url": "https://x.com/i/oauth2/authorize",
    }

    #: One policy reads every X answer (problem+json, v1.1 errors, OAuth token errors).
    response_policy = POLICY

    reauth_command = "airflow social auth twitter --conn-id {conn_id}"

    default_timeout: ClassVar[tuple[float, float]] = (10.0, 120.0)

    def __init__(self, twitter_conn_id: str | None = None, *, dedupe_window_minutes: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=twitter_conn_id, **kwargs)
        self.twitter_conn_id = self.conn_id
        self._dedupe_window = dedupe_window_minutes
        self._me: dict[str, Any] | None = None
