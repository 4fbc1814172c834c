"""VkHook: a thin hook over the VK API client (:mod:`.calls`) and one object per concern.

The hook owns the connection, the transport and the credentials (static tokens and the VK ID token manager); it
builds :class:`~.calls.VkApi` and the concern objects (``hook.wall``, ``hook.uploads``, ``hook.media``,
``hook.messages``, ``hook.stats``, ``hook.market``, ``hook.market_catalog``, ``hook.ads``), each given only what it
uses. The public methods below are the stable surface: each hands over to its concern.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.ratelimit import RateLimit
from airflow_provider_social.hooks.base import SocialHook, delegate
from airflow_provider_social.hooks.vk.ads import VkAds
from airflow_provider_social.hooks.vk.auth import (
    COMMUNITY,
    USER,
    VK_ID_TOKEN,
    VkCredentials,
    VkIdTokenAuth,
    refresh_vk_id_tokens,
    vk_id_seed,
)
from airflow_provider_social.hooks.vk.batch import BatchCall, BatchResult
from airflow_provider_social.hooks.vk.calls import VkApi
from airflow_provider_social.hooks.vk.connection import (
    CONNECTION_FORM,
    DEFAULT_API_VERSION,
    DEFAULT_ENDPOINTS,
    parse_group_id,
)
from airflow_provider_social.hooks.vk.market import VkMarket
from airflow_provider_social.hooks.vk.market_catalog import VkMarketCatalog
from airflow_provider_social.hooks.vk.media import VkMedia
from airflow_provider_social.hooks.vk.messages import VkMessages
from airflow_provider_social.hooks.vk.policy import SERVICE, CaptchaRequired, UploadRejected, VkResponsePolicy
from airflow_provider_social.hooks.vk.reads import VkReads
from airflow_provider_social.hooks.vk.stats import VkStats
from airflow_provider_social.hooks.vk.uploads import VkUploads
from airflow_provider_social.hooks.vk.wall import VkWall, post_url

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens import TokenManager, TokenSet

_VERSION_RE = re.compile(r"^5\.[0-9]{1,3}$")


class VkHook(SocialHook, form=CONNECTION_FORM):
    """VK API for one community.

    Connection ``vk`` extras: ``access_token`` (user token; or the Connection password), ``community_token``,
    ``group_id``, ``app_id``, ``client_secret``, ``refresh_token`` + ``device_id`` (+ ``expires_at``) for VK ID,
    ``api_version`` (default 5.199), ``api_base_url``, ``oauth_base_url``, ``vk_id_base_url``.

    :param vk_conn_id: the Connection ID, default ``vk_default``.
    """

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = dict(DEFAULT_ENDPOINTS)
    response_policy = VkResponsePolicy()
    rate_limits: ClassVar[dict[str, RateLimit]] = {USER: RateLimit(3), COMMUNITY: RateLimit(20)}
    reauth_command = "airflow social auth vk --conn-id {conn_id}"

    def __init__(self, vk_conn_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(conn_id=vk_conn_id, **kwargs)
        self.vk_conn_id = self.conn_id

    @classmethod
    def for_authorization(cls, *, conn_id: str, extra: dict[str, Any] | None = None, **kwargs: Any) -> VkHook:
        """A hook for the first authorisation, before the Connection holds any token (used by the CLI).

        :param conn_id: the Connection ID.
        :param extra: the Connection extras to start from.
        """
        import json

        from airflow.sdk import Connection

        connection = Connection(conn_id=conn_id, conn_type=cls.conn_type, extra=json.dumps(extra or {}))
        return cls(conn_id, connection=connection, **kwargs)

    # ---------------------------------------------------------------------------------------------- settings
    @cached_property
    def api_version(self) -> str:
        version = str(self.extra("api_version", DEFAULT_API_VERSION)).strip()
        if not _VERSION_RE.match(version):
            raise input_error("api_version", f"expected a VK API version such as {DEFAULT_API_VERSION}, got "
                              f"{version!r}", service=SERVICE)
        return version

    def group(self, group_id: Any = None) -> int:
        """The community id (positive): ``group_id`` given, else the Connection's ``group_id``.

        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        value = group_id if group_id not in (None, "") else self.extra("group_id")
        if value in (None, ""):
            raise input_error("group_id", f"no community given and connection {self.conn_id!r} has no group_id "
                              "(e.g. club123456)", service=SERVICE)
        return parse_group_id(value)

    # ---------------------------------------------------------------------------------------------- credentials
    @cached_property
    def credentials(self) -> VkCredentials:
        """The connection's token kinds (user: static or VK ID; community key) and their auth objects."""
        return VkCredentials(
            conn_id=self.conn_id,
            user_token=self.secret_extra("access_token") or self.connection.password,
            community_token=self.secret_extra("community_token"),
            refreshable=bool(self.secret_extra("refresh_token")),
            vk_id_auth=lambda: self.vk_id_auth,
        )

    @cached_property
    def token_manager(self) -> TokenManager:
        """The VK ID token set: read from the token store first, the Connection second; device_id kept."""
        seed = vk_id_seed(access_token=self.secret_extra("access_token"),
                          refresh_token=self.secret_extra("refresh_token"), expires_at=self.expiry_extra(),
                          device_id=self.extra("device_id"))
        return self.make_token_manager(seed, self.refresh_vk_id)

    @cached_property
    def vk_id_auth(self) -> VkIdTokenAuth:
        return VkIdTokenAuth(self.token_manager, self.conn_id)

    def refresh_vk_id(self, tokens: TokenSet) -> TokenSet:
        """``grant_type=refresh_token`` at VK ID with ``client_id`` and ``device_id``; the answer's new refresh token
        and the kept device_id go back to the token manager (which persists them before use).

        :param tokens: the token set to refresh (its refresh token and device_id).
        """
        return refresh_vk_id_tokens(
            tokens, conn_id=self.conn_id, app_id=self.extra("app_id"), device_id=self.extra("device_id"),
            client_secret=self.secret_extra("client_secret"), send=lambda form: self.call_api(VK_ID_TOKEN, data=form),
            clock=self.clock,
        )

    user_token_source = delegate("credentials", VkCredentials.user_token_source)
    available_kinds = delegate("credentials", VkCredentials.available_kinds)
    missing_kind_error = delegate("credentials", VkCredentials.missing_kind_error)
    choose_kind = delegate("credentials", VkCredentials.choose_kind)
    auth_for = delegate("credentials", VkCredentials.auth_for)

    # ---------------------------------------------------------------------------------------------- the client
    @cached_property
    def api(self) -> VkApi:
        """The VK API client: ``call``, ``execute`` batches and the declared calls under them."""
        return VkApi(self.transport, self.credentials, url=self.url, version=self.api_version)

    call = delegate("api", VkApi.call)
    call_raw = delegate("api", VkApi.call_raw)
    batch = delegate("api", VkApi.batch)

    # ---------------------------------------------------------------------------------------------- concerns
    @cached_property
    def uploads(self) -> VkUploads:
        return VkUploads(self.api, group=self.group, clock=self.clock)

    @cached_property
    def wall(self) -> VkWall:
        return VkWall(self.api, uploads=self.uploads, group=self.group, clock=self.clock)

    @cached_property
    def media(self) -> VkMedia:
        return VkMedia(self.api, group=self.group)

    @cached_property
    def messages(self) -> VkMessages:
        return VkMessages(self.api)

    @cached_property
    def stats(self) -> VkStats:
        return VkStats(self.api, group=self.group)

    @cached_property
    def market(self) -> VkMarket:
        return VkMarket(self.api, uploads=self.uploads, group=self.group)

    @cached_property
    def market_catalog(self) -> VkMarketCatalog:
        return VkMarketCatalog(self.api, market=self.market, group=self.group)

    @cached_property
    def reads(self) -> VkReads:
        return VkReads(self.api, group=self.group)

    @cached_property
    def ads(self) -> VkAds:
        return VkAds(self.api, group=self.group, clock=self.clock)

    upload_wall_photos = delegate("uploads", VkUploads.upload_wall_photos)
    upload_album_photos = delegate("uploads", VkUploads.upload_album_photos)
    create_story = delegate("uploads", VkUploads.create_story)
    upload_video = delegate("uploads", VkUploads.upload_video)
    upload_document = delegate("uploads", VkUploads.upload_document)
    upload_poll_photo = delegate("uploads", VkUploads.upload_poll_photo)

    create_post = delegate("wall", VkWall.create_post)
    create_composite_post = delegate("wall", VkWall.create_composite_post)
    delete_post = delegate("wall", VkWall.delete_post)
    repost = delegate("wall", VkWall.repost)
    create_comment = delegate("wall", VkWall.create_comment)
    check_poll = staticmethod(VkWall.check_poll)
    create_poll = delegate("wall", VkWall.create_poll)

    create_album = delegate("media", VkMedia.create_album)
    delete_album = delegate("media", VkMedia.delete_album)
    delete_photo = delegate("media", VkMedia.delete_photo)

    send_message = delegate("messages", VkMessages.send_message)
    shorten_link = delegate("messages", VkMessages.shorten_link)
    get_users = delegate("messages", VkMessages.get_users)
    is_user_online = delegate("messages", VkMessages.is_user_online)
    get_last_seen = delegate("messages", VkMessages.get_last_seen)

    get_community_stats = delegate("stats", VkStats.get_community_stats)
    get_post_reach = delegate("stats", VkStats.get_post_reach)

    market_categories = delegate("market", VkMarket.market_categories)
    list_products = delegate("market", VkMarket.list_products)
    get_products = delegate("market", VkMarket.get_products)
    upload_product_photo = delegate("market", VkMarket.upload_product_photo)
    add_product = delegate("market", VkMarket.add_product)
    edit_product = delegate("market", VkMarket.edit_product)
    delete_product = delegate("market", VkMarket.delete_product)
    group_products = delegate("market", VkMarket.group_products)

    list_collections = delegate("market_catalog", VkMarketCatalog.list_collections)
    get_collections = delegate("market_catalog", VkMarketCatalog.get_collections)
    add_collection = delegate("market_catalog", VkMarketCatalog.add_collection)
    edit_collection = delegate("market_catalog", VkMarketCatalog.edit_collection)
    delete_collection = delegate("market_catalog", VkMarketCatalog.delete_collection)
    add_to_collection = delegate("market_catalog", VkMarketCatalog.add_to_collection)
    remove_from_collection = delegate("market_catalog", VkMarketCatalog.remove_from_collection)
    list_properties = delegate("market_catalog", VkMarketCatalog.list_properties)
    add_property = delegate("market_catalog", VkMarketCatalog.add_property)
    edit_property = delegate("market_catalog", VkMarketCatalog.edit_property)
    delete_property = delegate("market_catalog", VkMarketCatalog.delete_property)
    add_property_variant = delegate("market_catalog", VkMarketCatalog.add_property_variant)
    edit_property_variant = delegate("market_catalog", VkMarketCatalog.edit_property_variant)
    delete_property_variant = delegate("market_catalog", VkMarketCatalog.delete_property_variant)
    list_orders = delegate("market_catalog", VkMarketCatalog.list_orders)
    get_order = delegate("market_catalog", VkMarketCatalog.get_order)

    read_wall_posts = delegate("reads", VkReads.read_wall_posts)
    read_comments = delegate("reads", VkReads.read_comments)
    read_members = delegate("reads", VkReads.read_members)
    read_orders = delegate("reads", VkReads.read_orders)

    ad_accounts = delegate("ads", VkAds.ad_accounts)
    ad_categories = delegate("ads", VkAds.ad_categories)
    create_promoted_posts_campaign = delegate("ads", VkAds.create_promoted_posts_campaign)
    create_post_ad = delegate("ads", VkAds.create_post_ad)
    set_ads_status = delegate("ads", VkAds.set_ads_status)
    pause_ad = delegate("ads", VkAds.pause_ad)
    resume_ad = delegate("ads", VkAds.resume_ad)
    get_campaigns = delegate("ads", VkAds.get_campaigns)
    get_ads = delegate("ads", VkAds.get_ads)
    ad_statistics = delegate("ads", VkAds.ad_statistics)

    # ---------------------------------------------------------------------------------------------- checks
    def check_connection(self) -> str:
        """Whose token each is, its kind, and whether the user can post to the group. Refreshes nothing."""
        kinds = self.available_kinds()
        if not kinds:
            raise self.missing_kind_error((USER, COMMUNITY), "test connection")
        gid = self.group() if self.extra("group_id") else None
        parts = []
        if USER in kinds:
            calls: list[tuple[str, dict[str, Any]]] = [("users.get", {})]
            if gid:
                calls.append(("groups.getById", {"group_id": gid, "fields": "can_post"}))
            results = self.batch(calls, token=USER)
            me = (results[0].result() or [{}])[0]
            source = "VK ID" if self.user_token_source() == "vk_id" else "static"
            text = f"user token ({source}) of {me.get('first_name', '')} {me.get('last_name', '')} (id {me.get('id')})"
            if gid:
                group = _first_group(results[1].result())
                text += (f"; can post to {group.get('name') or f'club{gid}'}: "
                         f"{'yes' if group.get('can_post') else 'no'}")
            parts.append(text.replace("  ", " "))
        if COMMUNITY in kinds:
            group = _first_group(self.call("groups.getById", token=COMMUNITY))
            parts.append(f"community token of {group.get('name')} (club{group.get('id')})")
        return "Connected to VK: " + "; ".join(parts)

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:  # pragma: no cover - read by older Airflow UIs
        """The Connection form's hidden fields and placeholders (older Airflow UIs)."""
        from airflow_provider_social.hooks.vk.connection import VK_UI_FIELD_BEHAVIOUR

        return VK_UI_FIELD_BEHAVIOUR


def _first_group(answer: Any) -> dict[str, Any]:
    """groups.getById answers ``{"groups": [...]}`` in 5.199 (schema); older versions a bare list."""
    groups = answer.get("groups") if isinstance(answer, dict) else answer
    return dict(groups[0]) if groups else {}


__all__ = [
    "BatchCall",
    "BatchResult",
    "CaptchaRequired",
    "UploadRejected",
    "VkHook",
    "post_url",
]
