"""The community shop's collections (``market.*Album*``), properties and variants, and orders.

Parameters from VK's schema (``VKCOM/vk-api-schema`` 5.199, market/methods.json): collections and properties take
a user token with ``market``; ``market.getGroupOrders`` / ``market.getOrderById`` take a community or user token.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.vk.market import ALBUM_PAGE, ORDER_PAGE
from airflow_provider_social.hooks.vk.market_values import whole_number

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi
    from airflow_provider_social.hooks.vk.market import VkMarket

MAX_COLLECTION_TITLE = 128  # schema maxLength of market.addAlbum.title
MAX_VARIANT_TITLE = 60  # schema maxLength of market.addPropertyVariant.title


def _title(value: Any, name: str, limit: int) -> str:
    if not isinstance(value, str):
        raise input_error(name, f"expected text of 1..{limit} characters, got {type(value).__name__}",
                          service=SERVICE)
    text = value.strip()
    if not text or len(text) > limit:
        raise input_error(name, f"must be 1..{limit} characters, got {len(text)}", service=SERVICE)
    return text


def _ids(values: Iterable[Any], name: str) -> list[int]:
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise input_error(name, f"expected a list of ids, got {type(values).__name__}", service=SERVICE)
    out = [whole_number(value, name, what="numeric ids") for value in values]
    if not out:
        raise input_error(name, "give at least one id", service=SERVICE)
    return out


class VkMarketCatalog:
    """Collections, properties, variants and orders of the community shop.

    :param api: the VK API client.
    :param market: uploads collection covers (through the product-photo flow).
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def __init__(self, api: VkApi, *, market: VkMarket, group: Callable[[Any], int]) -> None:
        self.api = api
        self.market = market
        self.group = group

    def _all_pages(self, method: str, page: int, token: str | None = None, **params: Any) -> list[dict[str, Any]]:
        first = self.api.call(method, token=token, offset=0, count=page, **params)
        items = list(first.get("items") or [])
        rest = [(method, dict(params, offset=o, count=page)) for o in range(page, int(first.get("count") or 0), page)]
        for result in self.api.batch(rest, token=token) if rest else []:
            items.extend(result.result().get("items") or [])
        return items

    # ---------------------------------------------------------------------------------------------- collections
    def list_collections(self, *, group_id: Any = None) -> list[dict[str, Any]]:
        """Every collection of the shop (100 per page; further pages through ``batch()``).

        :param group_id: the community (default the connection's).
        """
        return self._all_pages("market.getAlbums", ALBUM_PAGE, owner_id=-self.group(group_id))

    def get_collections(self, album_ids: Sequence[int], *, group_id: Any = None) -> list[dict[str, Any]]:
        """Collections by id.

        :param album_ids: collection ids.
        :param group_id: the community (default the connection's).
        """
        answer = self.api.call("market.getAlbumById", owner_id=-self.group(group_id),
                           album_ids=_ids(album_ids, "album_ids"))
        return list(answer.get("items") or [])

    def _collection_fields(self, title: str, cover: str | os.PathLike[str] | None, main: bool | None,
                           hidden: bool | None, group_id: Any) -> tuple[str, int, Any]:
        """What adding and editing a collection both check and prepare: the title, the main/hidden rule (before
        any call), the community, and the cover uploaded through the product-photo flow (its id, or None)."""
        name = _title(title, "title", MAX_COLLECTION_TITLE)
        if main and hidden:
            raise input_error("hidden", "the main collection cannot be hidden (VK error 1446)", service=SERVICE)
        gid = self.group(group_id)
        photo_id = self.market.upload_product_photo(cover, group_id=gid, field="cover") if cover is not None else None
        return name, gid, photo_id

    def add_collection(self, title: str, *, cover: str | os.PathLike[str] | None = None, main: bool = False,
                       hidden: bool = False, group_id: Any = None) -> int:
        """Create a collection (its cover uploaded through the product-photo flow); returns its id.

        :param title: 1..128 characters.
        :param cover: a local image for the cover (at least 400 x 400 px).
        :param main: make it the shop's main collection.
        :param hidden: hide it (a main collection cannot be hidden).
        :param group_id: the community (default the connection's).
        """
        name, gid, photo_id = self._collection_fields(title, cover, main, hidden, group_id)
        answer = self.api.call("market.addAlbum", owner_id=-gid, title=name, photo_id=photo_id,
                           main_album=main or None, is_hidden=hidden or None)
        return int(answer["market_album_id"])

    def edit_collection(self, album_id: int, title: str, *, cover: str | os.PathLike[str] | None = None,
                        main: bool | None = None, hidden: bool | None = None, group_id: Any = None) -> None:
        """Rename a collection, change its cover or flags.

        :param album_id: the collection id.
        :param title: the title (VK requires it on every edit), 1..128 characters.
        :param cover: a new cover image.
        :param main: set or unset as the main collection.
        :param hidden: hide or show.
        :param group_id: the community (default the connection's).
        """
        name, gid, photo_id = self._collection_fields(title, cover, main, hidden, group_id)
        self.api.call("market.editAlbum", owner_id=-gid, album_id=_ids([album_id], "album_id")[0], title=name,
                  photo_id=photo_id, main_album=main, is_hidden=hidden)

    def delete_collection(self, album_id: int, *, group_id: Any = None) -> None:
        """Delete a collection (its products stay in the shop).

        :param album_id: the collection id.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.deleteAlbum", owner_id=-self.group(group_id), album_id=_ids([album_id], "album_id")[0])

    def add_to_collection(self, item_ids: Sequence[int], album_ids: Sequence[int], *, group_id: Any = None) -> None:
        """Put products into collections.

        :param item_ids: product ids.
        :param album_ids: collection ids.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.addToAlbum", owner_id=-self.group(group_id), item_ids=_ids(item_ids, "item_ids"),
                  album_ids=_ids(album_ids, "album_ids"))

    def remove_from_collection(self, item_id: int, album_ids: Sequence[int], *, group_id: Any = None) -> None:
        """Take a product out of collections.

        :param item_id: the product id.
        :param album_ids: collection ids.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.removeFromAlbum", owner_id=-self.group(group_id), item_id=_ids([item_id], "item_id")[0],
                  album_ids=_ids(album_ids, "album_ids"))

    # ---------------------------------------------------------------------------------------------- properties
    def list_properties(self, *, group_id: Any = None) -> list[dict[str, Any]]:
        """The shop's properties, each with its ``variants``.

        :param group_id: the community (default the connection's).
        """
        return list(self.api.call("market.getProperties", group_id=self.group(group_id)).get("items") or [])

    def add_property(self, title: str, *, group_id: Any = None) -> int:
        """Create a property (e.g. "Colour"); returns its id.

        :param title: the property's name.
        :param group_id: the community (default the connection's).
        """
        answer = self.api.call("market.addProperty", group_id=self.group(group_id), title=_title(title, "title", 100))
        return int(answer["property_id"])

    def edit_property(self, property_id: int, title: str, *, group_id: Any = None) -> None:
        """Rename a property.

        :param property_id: the property id.
        :param title: the new name.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.editProperty", group_id=self.group(group_id),
                  property_id=_ids([property_id], "property_id")[0], title=_title(title, "title", 100))

    def delete_property(self, property_id: int, *, group_id: Any = None) -> None:
        """Delete a property and its variants.

        :param property_id: the property id.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.deleteProperty", group_id=self.group(group_id),
                  property_id=_ids([property_id], "property_id")[0])

    def add_property_variant(self, property_id: int, title: str, *, group_id: Any = None) -> int:
        """Add a value (e.g. "Red") to a property; returns the variant id.

        :param property_id: the property id.
        :param title: 1..60 characters.
        :param group_id: the community (default the connection's).
        """
        answer = self.api.call("market.addPropertyVariant", group_id=self.group(group_id),
                           property_id=_ids([property_id], "property_id")[0],
                           title=_title(title, "title", MAX_VARIANT_TITLE))
        return int(answer["variant_id"])

    def edit_property_variant(self, variant_id: int, title: str, *, group_id: Any = None) -> None:
        """Rename a property value.

        :param variant_id: the variant id.
        :param title: 1..60 characters.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.editPropertyVariant", group_id=self.group(group_id),
                  variant_id=_ids([variant_id], "variant_id")[0], title=_title(title, "title", MAX_VARIANT_TITLE))

    def delete_property_variant(self, variant_id: int, *, group_id: Any = None) -> None:
        """Delete a property value (products lose it).

        :param variant_id: the variant id.
        :param group_id: the community (default the connection's).
        """
        self.api.call("market.deletePropertyVariant", group_id=self.group(group_id),
                  variant_id=_ids([variant_id], "variant_id")[0])

    # ---------------------------------------------------------------------------------------------- orders
    def list_orders(self, *, group_id: Any = None, token: str | None = None) -> list[dict[str, Any]]:
        """Every order of the shop, newest first (50 per page; further pages through ``batch()``).

        :param group_id: the community (default the connection's).
        :param token: ``"community"`` or ``"user"`` (default: the community key when the connection has one).
        """
        return self._all_pages("market.getGroupOrders", ORDER_PAGE, token=token, group_id=self.group(group_id))

    def get_order(self, order_id: int, *, user_id: int | None = None, token: str | None = None) -> dict[str, Any]:
        """One order (``market.getOrderById``): with the community key, any order of the shop; with a user
        token, that user's own orders.

        :param order_id: the order id.
        :param user_id: the buyer (user tokens).
        :param token: ``"community"`` or ``"user"``.
        """
        answer = self.api.call("market.getOrderById", token=token, order_id=_ids([order_id], "order_id")[0],
                           user_id=user_id)
        return dict(answer.get("order") or {})


__all__ = ["VkMarketCatalog"]
