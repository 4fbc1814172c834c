"""OK.ru hook: signed ``fb.do`` calls, photo uploads and group posting for one user and application.

Facts and sources: shared/reference/vk_ok_vision.md section 3. Where the reference says UNCONFIRMED the client
takes the tolerant reading (and says so); the sandbox takes the strict one.

The hook owns the connection, the transport and the credentials (the application's keys, the token lifecycle, the
request signature); the work is done by plain objects it builds with what each needs: :class:`.client.OkClient`
(the one way a call is sent), :class:`.session.OkSession`, :class:`.groups.OkGroups`, :class:`.photos.OkPhotos`
and :class:`.topics.OkTopics`. Its public methods hand over to them.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cached_property
from typing import Any, ClassVar

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.oauth import OAuth2Client
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.base import SocialHook, delegate
from airflow_provider_social.hooks.ok import connection
from airflow_provider_social.hooks.ok.auth import OkSessionAuth
from airflow_provider_social.hooks.ok.client import OkClient
from airflow_provider_social.hooks.ok.groups import OkGroups
from airflow_provider_social.hooks.ok.photos import OkPhotos
from airflow_provider_social.hooks.ok.policy import OkPolicy, OkTokenPolicy
from airflow_provider_social.hooks.ok.posting import DEDUPE_WINDOW_MINUTES, SERVICE
from airflow_provider_social.hooks.ok.reads import OkReads
from airflow_provider_social.hooks.ok.session import OkSession
from airflow_provider_social.hooks.ok.topics import OkTopics


class OkHook(SocialHook, form=connection.CONNECTION_FORM, conn_name_attr="ok_conn_id"):
    """Odnoklassniki (OK.ru) API for one user of one registered application.

    Connection ``odnoklassniki``: password = application secret key; extras ``application_id``,
    ``application_key`` (public key), ``access_token``, ``refresh_token``, ``expires_at``, ``redirect_uri``,
    ``permissions``, ``group_id``, ``api_base_url``, ``oauth_base_url``.

    :param ok_conn_id: the Connection ID, default ``odnoklassniki_default``.
    :param dedupe_window_minutes: how far back the no-double-post check looks (default 15).
    """

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": connection.DEFAULT_API_BASE_URL,
        "oauth_base_url": connection.DEFAULT_OAUTH_BASE_URL,
    }
    response_policy = OkPolicy()
    reauth_command = "airflow social auth ok --conn-id {conn_id}"

    def __init__(self, ok_conn_id: str | None = None, *, dedupe_window_minutes: float = DEDUPE_WINDOW_MINUTES,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=ok_conn_id, **kwargs)
        self.ok_conn_id = self.conn_id
        if isinstance(dedupe_window_minutes, bool) or not isinstance(dedupe_window_minutes, (int, float)) \
                or dedupe_window_minutes < 0:
            raise input_error("dedupe_window_minutes", f"must be a number of minutes >= 0, got "
                              f"{dedupe_window_minutes!r}", service=SERVICE)
        self.dedupe_window_minutes = float(dedupe_window_minutes)

    # ---------------------------------------------------------------------------------------------- settings
    def _required(self, name: str, what: str) -> str:
        value = self.connection.password if name == "password" else self.extra(name)
        if not value:
            label = "password (application secret key)" if name == "password" else name
            raise input_error(f"connection {self.conn_id!r}, field {label}", f"is empty: {what}", service=SERVICE)
        return str(value)

    @property
    def application_id(self) -> str:
        return self._required("application_id", "the Application ID from OK's e-mail")

    @property
    def application_key(self) -> str:
        return self._required("application_key", "the application public key from OK's e-mail")

    @property
    def application_secret_key(self) -> str:
        return self._required("password", "the application secret key from OK's e-mail")

    # ---------------------------------------------------------------------------------------------- credentials
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """``api.ok.ru/oauth/token.do``; client credentials go in the body (as every recorded client sends them)."""
        return OAuth2Client(
            self.transport, token_url=self.url("api_base_url", "/oauth/token.do"),
            client_id=self.application_id, client_secret=self.application_secret_key, client_auth="body",
            policy=OkTokenPolicy(),
        )

    @property
    def permissions(self) -> frozenset[str]:
        """The permissions the connection's session was granted (its ``permissions`` extra, or the default)."""
        permissions = self.extra("permissions") or connection.DEFAULT_PERMISSIONS
        return frozenset(p.strip() for p in str(permissions).split(";") if p.strip())

    @property
    def long_lived_tokens(self) -> bool:
        """Whether the connection's permissions include LONG_ACCESS_TOKEN (access tokens that live while used)."""
        return "LONG_ACCESS_TOKEN" in self.permissions

    @cached_property
    def token_manager(self) -> TokenManager:
        expires_at = self.expiry_extra("expires_at")  # checked even when unused: "soon" is a mistake either way
        long_lived = self.long_lived_tokens
        seed = TokenSet(
            access_token=self.secret_extra("access_token"),
            refresh_token=self.secret_extra("refresh_token"),
            # With LONG_ACCESS_TOKEN every call extends the token to 30 days (at most once a day; reference 3.1),
            # so the expiry OK announced says nothing: renew only when OK answers 102, never on the clock (the
            # refresh token dies after 30 days while a token in use lives on).
            expires_at=None if long_lived else expires_at,
            token_type="session",
            scope=self.extra("permissions"),
        )
        if not seed.access_token and not seed.refresh_token:
            raise input_error(f"connection {self.conn_id!r}, field access_token",
                              f"is empty; run `{self.reauth_hint_command}`", service=SERVICE)
        def refresh_long(tokens: TokenSet) -> TokenSet:
            return replace(self.oauth_client.refresh(tokens), expires_at=None)

        if not seed.refresh_token:
            return self.make_token_manager(seed, None)
        return self.make_token_manager(seed, refresh_long if long_lived else self.oauth_client.refresh)

    @cached_property
    def auth(self) -> Auth:
        return OkSessionAuth(self.token_manager, self.application_key, self.application_secret_key,
                             credential=fingerprint(f"{self.application_id}:{self.conn_id}"))

    # ---------------------------------------------------------------------------------------------- concerns
    @cached_property
    def client(self) -> OkClient:
        """Sends OK's declared calls: signed method calls and the photo upload link."""
        return OkClient(self.transport, self.url, self.auth_for)

    @cached_property
    def session(self) -> OkSession:
        """The authorised user and the life of their session."""
        return OkSession(self.client, self.token_manager, long_lived=self.long_lived_tokens)

    @cached_property
    def groups(self) -> OkGroups:
        """The group of each call (the connection's ``group_id`` by default) and its info."""
        return OkGroups(self.client, default_group=self.extra("group_id"), conn_id=self.conn_id)

    @cached_property
    def photos(self) -> OkPhotos:
        """Photo uploads for group topics."""
        return OkPhotos(self.client, self.groups)

    @cached_property
    def topics(self) -> OkTopics:
        """Group posts (never twice), their listing and deletion."""
        return OkTopics(self.client, groups=self.groups, photos=self.photos, clock=self.clock,
                        dedupe_window_minutes=self.dedupe_window_minutes)

    @cached_property
    def reads(self) -> OkReads:
        """A group's topics with their counters and its daily statistics, paged to the end."""
        return OkReads(self.client, group_id=self.groups.group_id, permissions=self.permissions,
                       conn_id=self.conn_id)

    # ---------------------------------------------------------------------------------------------- public surface
    call = delegate("client", OkClient.call)

    get_current_user = delegate("session", OkSession.get_current_user)
    refresh_tokens = delegate("session", OkSession.refresh_tokens)
    keep_session_fresh = delegate("session", OkSession.keep_session_fresh)
    check_connection = delegate("session", OkSession.check_connection)

    group_id = delegate("groups", OkGroups.group_id)
    get_group_info = delegate("groups", OkGroups.get_group_info)

    upload_photos = delegate("photos", OkPhotos.upload_photos)

    validate_post = delegate("topics", OkTopics.validate_post)
    post_to_group = delegate("topics", OkTopics.post_to_group)
    publish = delegate("topics", OkTopics.publish)
    list_topics = delegate("topics", OkTopics.list_topics)
    find_recent_topic = delegate("topics", OkTopics.find_recent_topic)
    find_earlier_topic = delegate("topics", OkTopics.find_earlier_topic)
    delete_topic = delegate("topics", OkTopics.delete_topic)

    read_group_topics = delegate("reads", OkReads.read_group_topics)
    read_group_trends = delegate("reads", OkReads.read_group_trends)
