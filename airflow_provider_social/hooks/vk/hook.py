"""VkHook: the mixins of this package assembled on the shared SocialHook."""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any, ClassVar

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.http import Transport
from airflow_provider_social.core.ratelimit import RateLimit
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.vk.ads import VkAdsMixin
from airflow_provider_social.hooks.vk.auth import COMMUNITY, USER, VkAuthMixin
from airflow_provider_social.hooks.vk.batch import BatchCall, BatchResult, VkBatchMixin
from airflow_provider_social.hooks.vk.calls import VkCallsMixin
from airflow_provider_social.hooks.vk.connection import DEFAULT_API_VERSION, DEFAULT_ENDPOINTS, parse_group_id
from airflow_provider_social.hooks.vk.market import VkMarketMixin
from airflow_provider_social.hooks.vk.market_catalog import VkMarketCatalogMixin
from airflow_provider_social.hooks.vk.media import VkMediaMixin
from airflow_provider_social.hooks.vk.messages import VkMessagesMixin
from airflow_provider_social.hooks.vk.policy import SERVICE, CaptchaRequired, UploadRejected, VkResponsePolicy
from airflow_provider_social.hooks.vk.stats import VkStatsMixin
from airflow_provider_social.hooks.vk.uploads import VkUploadsMixin
from airflow_provider_social.hooks.vk.wall import VkWallMixin, post_url

_VERSION_RE = re.compile(r"^5\.[0-9]{1,3}$")


class VkHook(
    VkAuthMixin,
    VkCallsMixin,
    VkBatchMixin,
    VkUploadsMixin,
    VkWallMixin,
    VkMediaMixin,
    VkMessagesMixin,
    VkStatsMixin,
    VkMarketMixin,
    VkMarketCatalogMixin,
    VkAdsMixin,
    SocialHook,
):
    """VK API for one community.

    Connection ``vk`` extras: ``access_token`` (user token; or the Connection password), ``community_token``,
    ``group_id``, ``app_id``, ``client_secret``, ``refresh_token`` + ``device_id`` (+ ``expires_at``) for VK ID,
    ``api_version`` (default 5.199), ``api_base_url``, ``oauth_base_url``, ``vk_id_base_url``.

    :param vk_conn_id: the Connection ID, default ``vk_default``.
    """

    conn_name_attr = "vk_conn_id"
    default_conn_name = "vk_default"
    conn_type = "vk"
    hook_name = "VK"

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

    @cached_property
    def transport(self) -> Transport:
        transport = SocialHook.transport.func(self)  # type: ignore[attr-defined]
        transport.policy = VkResponsePolicy(self.reauth_hint_command)
        return transport

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
