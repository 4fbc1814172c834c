"""VK's method table, declared once and complete: every method the hook calls, its token kinds and whether a lost
answer may be repeated; and the form encoding of a call's parameters.

Token kinds per method come from VK's schema (``access_token_type`` in ``VKCOM/vk-api-schema``, 5.199; the first
listed is preferred). The rows are grouped by concern, but the table is built here from all of them and frozen
(:data:`METHODS` is read-only), so :func:`method_spec` answers the same whichever concern modules were imported.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.auth import COMMUNITY, USER
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE

_METHOD_RE = re.compile(r"^[a-z][A-Za-z]*\.[a-z][A-Za-z]*$|^execute$")
_ANY = (USER, COMMUNITY)
#: VK's story upload servers refuse older versions ("the API version is outdated"): reported against VK's PHP SDK
#: (VKCOM/vk-php-sdk#115, May 2024, asking for 5.236 or later); VK's docs and schema still name 5.199 as current.
STORY_UPLOAD_MIN_VERSION = "5.236"


def version_key(version: str) -> tuple[int, int]:
    """``"5.199"`` -> ``(5, 199)``, so versions compare by number (5.99 is older than 5.199)."""
    major, _, minor = version.strip().partition(".")
    return int(major), int(minor or 0)


@dataclass(frozen=True)
class VkMethod:
    """One VK API method: its token kinds (preferred first), the kinds VK also accepts but the hook uses only when
    the caller asks for them (``token=``), and whether repeating it is harmless.

    :param name: the method name.
    :param tokens: the token kinds used by default, preferred first.
    :param idempotent: whether a lost answer may be repeated.
    :param on_request: kinds used only when asked for.
    :param min_version: the oldest API version VK serves this method at; a connection set to an older one sends
        this version for this method only.
    """

    name: str
    tokens: tuple[str, ...] = (USER,)
    idempotent: bool = False
    on_request: tuple[str, ...] = ()
    min_version: str | None = None

    def version_for(self, version: str) -> str:
        """The ``v`` to send: the connection's ``version``, or :attr:`min_version` when that one is older.

        :param version: the connection's API version (already checked to look like ``5.199``).
        """
        if self.min_version is None or version_key(version) >= version_key(self.min_version):
            return version
        return self.min_version

    def kinds(self, requested: str | None) -> tuple[str, ...]:
        """The kinds a call may use: the default ones, plus :attr:`on_request` when a kind was asked for.

        :param requested: the kind the caller asked for, or None.
        """
        return self.tokens if requested is None else self.tokens + self.on_request

    def api_call(self, kind: str, *, idempotent: bool | None = None) -> ApiCall:
        """The transport's :class:`ApiCall` for this method with the given token kind.

        :param kind: ``"user"`` or ``"community"``.
        :param idempotent: whether a lost answer may be repeated.
        """
        repeat = self.idempotent if idempotent is None else idempotent
        return ApiCall(self.name, "POST", f"/method/{self.name}", token=kind, idempotent=repeat)


WALL_METHODS = (
    VkMethod("wall.post"),
    VkMethod("wall.delete"),
    VkMethod("wall.repost"),
    VkMethod("wall.createComment", _ANY),
    VkMethod("wall.getById", (USER,), idempotent=True),
    VkMethod("polls.create"),
    VkMethod("polls.getPhotoUploadServer", idempotent=True),
    VkMethod("polls.savePhoto"),
)
MEDIA_METHODS = (
    VkMethod("photos.createAlbum"),
    VkMethod("photos.deleteAlbum"),
    VkMethod("photos.delete"),
    VkMethod("photos.get", (USER,), idempotent=True),
    VkMethod("photos.getUploadServer", idempotent=True),
    VkMethod("photos.save"),
    VkMethod("photos.getWallUploadServer", idempotent=True),
    VkMethod("photos.saveWallPhoto"),
    VkMethod("stories.getPhotoUploadServer", (COMMUNITY, USER), idempotent=True,
             min_version=STORY_UPLOAD_MIN_VERSION),
    VkMethod("stories.save", (COMMUNITY, USER)),
    VkMethod("video.save"),
    VkMethod("docs.getUploadServer", (USER,), idempotent=True),
    VkMethod("docs.getWallUploadServer", _ANY, idempotent=True),
    VkMethod("docs.save", _ANY),
)
#: ``messages.send`` takes a community key by default; the schema also lists user tokens (they need the
#: ``messages`` scope, which VK grants only to approved apps), so a user token is used when the caller asks for it
#: with ``token="user"``.
MESSAGES_METHODS = (
    VkMethod("messages.send", (COMMUNITY,), on_request=(USER,)),
    VkMethod("utils.getShortLink", _ANY, idempotent=True),
    VkMethod("users.get", (COMMUNITY, USER), idempotent=True),
)
STATS_METHODS = (
    VkMethod("stats.get", (USER,), idempotent=True),
    VkMethod("stats.getPostReach", (USER,), idempotent=True),
)
GROUP_METHODS = (
    VkMethod("groups.getById", (COMMUNITY, USER), idempotent=True),
    VkMethod("groups.isMember", (COMMUNITY, USER), idempotent=True),
    VkMethod("execute", (COMMUNITY, USER)),
)
#: Paged reads (:mod:`.reads`); the schema lists user and service tokens for the wall's, user and community
#: tokens for the members.
READ_METHODS = (
    VkMethod("wall.get", (USER,), idempotent=True),
    VkMethod("wall.getComments", (USER,), idempotent=True),
    VkMethod("groups.getMembers", (COMMUNITY, USER), idempotent=True),
)
#: The Bots Long Poll API (hooks/vk/longpoll.py): a community key with ``manage`` or an admin's user token.
EVENTS_METHODS = (
    VkMethod("groups.getLongPollSettings", (COMMUNITY, USER), idempotent=True),
    VkMethod("groups.getLongPollServer", (COMMUNITY, USER), idempotent=True),  # a new key; the old one still works
)
#: The community shop: every method takes a user token (a community admin's, with the ``market`` right); orders
#: also a community key.
MARKET_METHODS = (
    VkMethod("market.getCategories", (USER,), idempotent=True),
    VkMethod("market.get", (USER,), idempotent=True),
    VkMethod("market.getById", (USER,), idempotent=True),
    VkMethod("market.add"),
    VkMethod("market.edit", idempotent=True),  # setting the same fields twice changes nothing
    VkMethod("market.delete"),
    VkMethod("market.groupItems"),
    VkMethod("market.getProductPhotoUploadServer", idempotent=True),
    VkMethod("market.saveProductPhoto"),
    VkMethod("market.getAlbums", (USER,), idempotent=True),
    VkMethod("market.getAlbumById", (USER,), idempotent=True),
    VkMethod("market.addAlbum"),
    VkMethod("market.editAlbum", idempotent=True),
    VkMethod("market.deleteAlbum"),
    VkMethod("market.addToAlbum"),
    VkMethod("market.removeFromAlbum"),
    VkMethod("market.getProperties", (USER,), idempotent=True),
    VkMethod("market.addProperty"),
    VkMethod("market.editProperty", idempotent=True),
    VkMethod("market.deleteProperty"),
    VkMethod("market.addPropertyVariant"),
    VkMethod("market.editPropertyVariant", idempotent=True),
    VkMethod("market.deletePropertyVariant"),
    VkMethod("market.getGroupOrders", (COMMUNITY, USER), idempotent=True),
    VkMethod("market.getOrderById", (COMMUNITY, USER), idempotent=True),
)
#: The ads cabinet: a user token with the ``ads`` right.
ADS_METHODS = (
    VkMethod("ads.getAccounts", (USER,), idempotent=True),
    VkMethod("ads.getCategories", (USER,), idempotent=True),
    VkMethod("ads.createCampaigns"),
    VkMethod("ads.getCampaigns", (USER,), idempotent=True),
    VkMethod("ads.createAds"),
    VkMethod("ads.getAds", (USER,), idempotent=True),
    VkMethod("ads.updateAds", idempotent=True),  # setting a status twice is harmless
    VkMethod("ads.getStatistics", (USER,), idempotent=True),
)


def _table(*groups: tuple[VkMethod, ...]) -> Mapping[str, VkMethod]:
    table: dict[str, VkMethod] = {}
    for method in (m for group in groups for m in group):
        if method.name in table:
            raise ValueError(f"VK method {method.name} is declared twice")
        table[method.name] = method
    return MappingProxyType(table)


#: Every method the hook calls -> its declaration (read-only).
METHODS: Mapping[str, VkMethod] = _table(WALL_METHODS, MEDIA_METHODS, MESSAGES_METHODS, STATS_METHODS,
                                         GROUP_METHODS, READ_METHODS, MARKET_METHODS, ADS_METHODS, EVENTS_METHODS)


def method_spec(name: str) -> VkMethod:
    """The declared method, or (for ``call()`` on anything else) one that accepts either kind, never repeated.

    :param name: the method name, e.g. ``wall.post``.
    """
    if not isinstance(name, str) or not _METHOD_RE.match(name):
        raise input_error("method", f"expected a VK method name such as 'wall.get', got {name!r}", service=SERVICE)
    return METHODS.get(name) or VkMethod(name, _ANY)


def encode_value(value: Any) -> str:
    """A parameter as VK reads it: lists comma-joined, booleans 1/0, dicts (keyboards, templates) as JSON."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Mapping):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if isinstance(value, (list, tuple, set, frozenset)):
        items = list(value)
        if any(isinstance(v, (Mapping, list, tuple)) for v in items):
            return json.dumps(items, ensure_ascii=False, separators=(",", ":"))
        return ",".join(encode_value(v) for v in items)
    return str(value)


def encode_params(params: Mapping[str, Any]) -> dict[str, str]:
    """The form body (None values dropped). A token passed as a parameter is refused: it would travel in the
    body and could come back in an error's ``request_params``."""
    for secret in ("access_token", "client_secret"):
        if secret in params:
            raise input_error(secret, "tokens come from the connection, never as a call parameter", service=SERVICE)
    return {key: encode_value(value) for key, value in params.items() if value is not None}


__all__ = [
    "ADS_METHODS",
    "EVENTS_METHODS",
    "GROUP_METHODS",
    "MARKET_METHODS",
    "MEDIA_METHODS",
    "MESSAGES_METHODS",
    "METHODS",
    "READ_METHODS",
    "STATS_METHODS",
    "STORY_UPLOAD_MIN_VERSION",
    "VkMethod",
    "WALL_METHODS",
    "encode_params",
    "encode_value",
    "method_spec",
    "version_key",
]
