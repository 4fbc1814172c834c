"""TwitterHook: the connection, its transport and credentials, over the package's concern objects.

The hook is thin: it owns the Connection, the transport and the credentials (OAuth 2.0 tokens through the token
manager, or OAuth 1.0a keys), builds the call client and one object per concern (each given exactly what it
needs), and keeps the public methods as delegates to them.
"""

from __future__ import annotations

import json
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.errors import AuthenticationError, input_error
from airflow_provider_social.hooks.base import SocialHook, delegate
from airflow_provider_social.hooks.twitter.account import TwitterAccount
from airflow_provider_social.hooks.twitter.auth import (
    OAUTH1,
    OAUTH1_FIELDS,
    choose_auth_mode,
    oauth1_signer,
    refused_client,
)
from airflow_provider_social.hooks.twitter.calls import TwitterClient
from airflow_provider_social.hooks.twitter.connection import CONNECTION_FORM
from airflow_provider_social.hooks.twitter.media import TwitterMedia, check_media_file
from airflow_provider_social.hooks.twitter.policy import POLICY, SERVICE, rate_windows
from airflow_provider_social.hooks.twitter.posting import TwitterPosting, validate_thread, validate_tweet
from airflow_provider_social.hooks.twitter.reads import TwitterReads
from airflow_provider_social.hooks.twitter.values import DEDUPE_WINDOW_MINUTES

if TYPE_CHECKING:
    from typing_extensions import Self

    from airflow_provider_social.core.http import Auth
    from airflow_provider_social.core.oauth import OAuth1Auth, OAuth2Client
    from airflow_provider_social.core.spending import Meter
    from airflow_provider_social.core.tokens import TokenManager, TokenSet


class TwitterHook(SocialHook, form=CONNECTION_FORM):
    """Twitter/X API v2 (and the v1.1 media upload) for one account.

    Connection ``twitter`` extras: ``client_id``, ``client_secret`` (absent for public clients), ``redirect_uri``,
    ``scope``, ``access_token``, ``refresh_token``, ``expires_at`` (OAuth 2.0); ``oauth_consumer_key``,
    ``oauth_consumer_secret``, ``oauth_token``, ``oauth_token_secret`` (OAuth 1.0a); ``api_base_url``,
    ``upload_base_url``, ``authorize_url``; ``auth_mode`` (``oauth2``/``oauth1``), ``media_upload_api``
    (``v2``/``v1.1``), ``dedupe_window_minutes``.

    :param twitter_conn_id: the Connection ID, default ``twitter_default``.
    :param dedupe_window_minutes: how far back the no-double-post check looks (default from the Connection, 15).
    """

    service_name = SERVICE

    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": "https://api.x.com",
        "upload_base_url": "https://upload.twitter.com",
        "authorize_url": "https://x.com/i/oauth2/authorize",
    }

    #: One policy reads every X answer (problem+json, v1.1 errors, OAuth token errors).
    response_policy = POLICY
    #: The 15-minute and app 24-hour windows X announces, shared through the token store by every process.
    window_reader = rate_windows

    reauth_command = "airflow social auth twitter --conn-id {conn_id}"

    default_timeout: ClassVar[tuple[float, float]] = (10.0, 120.0)

    def __init__(self, twitter_conn_id: str | None = None, *, dedupe_window_minutes: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=twitter_conn_id, **kwargs)
        self.twitter_conn_id = self.conn_id
        self._dedupe_window = dedupe_window_minutes

    # ---------------------------------------------------------------------------------------------- credentials
    @property
    def auth_mode(self) -> str:
        """``oauth2`` or ``oauth1``: the Connection's ``auth_mode``, else by which credentials it holds."""
        has_oauth2 = bool(self.extra("access_token") or self.extra("refresh_token") or self.connection.password)
        return choose_auth_mode(self.extra("auth_mode"), has_oauth2=has_oauth2,
                                has_consumer_key=bool(self.extra("oauth_consumer_key")))

    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """X's token endpoints; Basic auth for confidential clients, ``client_id`` in the body for public ones."""
        api = self.endpoint("api_base_url")
        return self.connection_oauth_client(token_url=f"{api}/2/oauth2/token", revoke_url=f"{api}/2/oauth2/revoke",
                                            client_auth="basic")

    @cached_property
    def token_manager(self) -> TokenManager:
        access_token = self.secret_extra("access_token") or self.connection.password
        seed = self.connection_token_set(access_token, scope=self.extra("scope"))
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self._refresh if can_refresh else None)

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        try:
            return self.oauth_client.refresh(tokens)
        except AuthenticationError as exc:
            refused = refused_client(exc, client_id=self.extra("client_id"),
                                     has_secret=bool(self.extra("client_secret")))
            if refused is exc:
                raise
            raise refused from None

    @cached_property
    def oauth1(self) -> OAuth1Auth:
        """The OAuth 1.0a signer of the Connection's consumer key/secret and access token/secret."""
        return oauth1_signer({name: self.secret_extra(name) for name in OAUTH1_FIELDS})

    @cached_property
    def auth(self) -> Auth:
        from airflow_provider_social.core.oauth import TokenAuth

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

    def rate_app(self) -> str | None:
        """A fingerprint of the app X counts this connection's posts against (its 24-hour app window): the OAuth 2.0
        client id, or the OAuth 1.0a consumer key, by the auth mode; None when the connection holds neither (an
        access token alone: its app window is then kept per connection)."""
        from airflow_provider_social.core.ratelimit import fingerprint

        app = self.secret_extra("oauth_consumer_key") if self.auth_mode == "oauth1" else self.extra("client_id")
        return fingerprint(f"{self.auth_mode}:{app}") if app else None

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

    def check_connection(self) -> str:
        """Make the cheapest authenticated call (``users/me``); return the account and auth mode."""
        me = self.get_me()
        return f"Connected to X as @{me.get('username')} (id {me.get('id')}, {self.auth_mode})"

    # ---------------------------------------------------------------------------------------------- costs
    def make_meter(self) -> Meter:
        """X bills every call (pay-per-use): each is counted in the connection's ledger and checked against the
        Connection's ``daily_budget`` before it is sent (see :mod:`.costs`)."""
        from airflow_provider_social.core.spending import EXTRA_DAILY_BUDGET, Budget, Meter
        from airflow_provider_social.hooks.twitter.costs import PRICING

        budget = Budget.parse(self.extra(EXTRA_DAILY_BUDGET), service=SERVICE)
        return Meter(PRICING, self.spend_ledger(), budget)

    # ---------------------------------------------------------------------------------------------- concerns
    @cached_property
    def client(self) -> TwitterClient:
        """The declared calls, sent through this connection's transport with its credentials."""
        return TwitterClient(self.call_api)

    @cached_property
    def account(self) -> TwitterAccount:
        """The authorised account."""
        return TwitterAccount(self.client)

    @cached_property
    def media(self) -> TwitterMedia:
        """Media uploads and X's processing of them."""
        return TwitterMedia(self.client, upload_api=self.extra("media_upload_api", "v2"), clock=self.clock,
                            sleep=self.sleep)

    @cached_property
    def posting(self) -> TwitterPosting:
        """Posts, threads and the no-double-post protection."""
        window = self._dedupe_window
        if window is None:
            window = self.extra("dedupe_window_minutes", DEDUPE_WINDOW_MINUTES)
        return TwitterPosting(self.client, account=self.account, media=self.media, dedupe_window_minutes=window,
                              clock=self.clock)

    @cached_property
    def reads(self) -> TwitterReads:
        """Paged reads (posts, mentions, recent search) within a read budget (the transport keeps the rate
        windows)."""
        return TwitterReads(self.client, account=self.account, clock=self.clock)

    #: ``v2`` or ``v1.1``: the upload API the Connection names (checked by :attr:`media`).
    media_upload_api = property(lambda self: self.media.media_upload_api)
    #: How far back the no-double-post check looks (a :class:`~datetime.timedelta`, checked by :attr:`posting`).
    dedupe_window = property(lambda self: self.posting.dedupe_window)

    # ---------------------------------------------------------------------------------------------- the public surface
    validate_tweet = staticmethod(validate_tweet)
    validate_thread = staticmethod(validate_thread)
    check_media_file = staticmethod(check_media_file)

    get_me = delegate("account", TwitterAccount.get_me)
    get_usage = delegate("account", TwitterAccount.get_usage)

    upload_media = delegate("media", TwitterMedia.upload_media)
    get_media_status = delegate("media", TwitterMedia.get_media_status)
    wait_for_media = delegate("media", TwitterMedia.wait_for_media)

    create_tweet = delegate("posting", TwitterPosting.create_tweet)
    post = delegate("posting", TwitterPosting.post)
    find_recent_tweet = delegate("posting", TwitterPosting.find_recent_tweet)
    recent_posts = delegate("posting", TwitterPosting.recent_posts)
    create_thread = delegate("posting", TwitterPosting.create_thread)
    post_thread = delegate("posting", TwitterPosting.post_thread)
    delete_tweet = delegate("posting", TwitterPosting.delete_tweet)

    read_posts = delegate("reads", TwitterReads.read_posts)
    read_mentions = delegate("reads", TwitterReads.read_mentions)
    search_recent = delegate("reads", TwitterReads.search_recent)
