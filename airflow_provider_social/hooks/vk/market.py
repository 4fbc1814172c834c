"""The community shop (VK market): categories, products, product photos, variant groups.

Methods, parameters and token kinds from VK's schema (``VKCOM/vk-api-schema`` 5.199, market/methods.json):
every method here takes a user token (a community admin's, with the ``market`` right); the owner of products is
the community as a negative ``owner_id``. Product photos go through ``market.getProductPhotoUploadServer`` ->
multipart field ``file`` -> ``market.saveProductPhoto(upload_response=<the upload answer as JSON>)`` (vk-io's
``marketProductPhoto`` does the same). Collections, properties and orders: :mod:`.market_catalog`.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.auth import USER
from airflow_provider_social.hooks.vk.files import check_photo, image_format_and_size
from airflow_provider_social.hooks.vk.market_values import whole_number
from airflow_provider_social.hooks.vk.methods import MARKET_METHODS  # re-exported: the rows live in the one table
from airflow_provider_social.hooks.vk.policy import SERVICE
from airflow_provider_social.hooks.vk.products import MIN_PHOTO_SIDE, Product

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi
    from airflow_provider_social.hooks.vk.files import LocalFile
    from airflow_provider_social.hooks.vk.uploads import VkUploads

PAGE = 200  # market.get count maximum (schema)
ALBUM_PAGE = 100  # market.getAlbums count maximum
ORDER_PAGE = 50  # market.getGroupOrders count maximum
BY_ID = 100  # market.getById item_ids maxItems


def check_product_photo(path: str | os.PathLike[str], field: str) -> LocalFile:
    """A product photo: the wall-photo checks plus VK's product minimum of 400 x 400 px."""
    local = check_photo(path, field=field, operation="upload product photo")
    info = image_format_and_size(local.source)
    if info is not None and min(info[1], info[2]) < MIN_PHOTO_SIDE:
        raise input_error(field, f"{local.name} is {info[1]}x{info[2]}: a product photo needs at least "
                          f"{MIN_PHOTO_SIDE}x{MIN_PHOTO_SIDE} px", service=SERVICE, operation="upload product photo")
    return local


def check_product_files(product: Product, where: str = "product") -> None:
    """Every photo file of ``product`` (existence, format by its bytes, limits, 400 x 400 px), before any upload;
    errors name ``<where>.main_photo`` or ``<where>.photos[<n>]``.

    :param product: the product.
    :param where: how errors name the product, e.g. ``catalogue[2]``.
    """
    if product.main_photo is not None:
        check_product_photo(product.main_photo, f"{where}.main_photo")
    for n, path in enumerate(product.photos):
        check_product_photo(path, f"{where}.photos[{n}]")


def as_product(product: Product | dict[str, Any], where: str = "product") -> Product:
    if isinstance(product, Product):
        product.validate(where=where)
        return product
    return Product.from_mapping(product, where=where)


class VkMarket:
    """Products and product photos of the community shop.

    :param api: the VK API client.
    :param uploads: posts product photos to the upload host.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def __init__(self, api: VkApi, *, uploads: VkUploads, group: Callable[[Any], int]) -> None:
        self.api = api
        self.uploads = uploads
        self.group = group

    # ---------------------------------------------------------------------------------------------- reads
    def market_categories(self) -> dict[int, str]:
        """The shop's product categories as ``{id: name}`` for the leaves products take (user token)."""
        tree = self.api.call("market.getCategories").get("items") or []
        leaves: dict[int, str] = {}

        def walk(nodes: list[dict[str, Any]]) -> None:
            for node in nodes:
                if node.get("children"):
                    walk(node["children"])
                else:
                    leaves[int(node["id"])] = str(node.get("name", ""))

        walk(tree)
        return leaves

    def list_products(self, *, group_id: Any = None, album_id: int | None = None, with_disabled: bool = False,
                      extended: bool = False) -> list[dict[str, Any]]:
        """Every product of the shop, newest first: one ``market.get`` of 200, the rest through ``batch()``.

        :param group_id: the community (default the connection's).
        :param album_id: only this collection's products.
        :param with_disabled: include disabled (hidden) products.
        :param extended: add photos and collection ids to each product.
        """
        owner = -self.group(group_id)
        params: dict[str, Any] = {"owner_id": owner, "count": PAGE, "album_id": album_id,
                                  "with_disabled": with_disabled or None, "extended": extended or None}
        first = self.api.call("market.get", offset=0, **params)
        items = list(first.get("items") or [])
        total = int(first.get("count") or 0)
        pages = [("market.get", dict(params, offset=offset)) for offset in range(PAGE, total, PAGE)]
        for result in self.api.batch(pages, token=USER) if pages else []:
            items.extend(result.result().get("items") or [])
        return items

    def get_products(self, item_ids: Sequence[int | str], *, group_id: Any = None,
                     extended: bool = False) -> list[dict[str, Any]]:
        """Products by id (``123`` or ``-<group>_123``), 100 per request.

        :param item_ids: product ids of the community, or full ``<owner>_<id>`` references.
        :param group_id: the community of bare ids (default the connection's).
        :param extended: add photos and collection ids.
        """
        refs = [str(i) if "_" in str(i) else f"{-self.group(group_id)}_{whole_number(i, 'item_ids')}"
                for i in item_ids]
        found: list[dict[str, Any]] = []
        for start in range(0, len(refs), BY_ID):
            answer = self.api.call("market.getById", item_ids=refs[start : start + BY_ID], extended=extended or None)
            found.extend(answer.get("items") or [])
        return found

    # ---------------------------------------------------------------------------------------------- photos
    def upload_product_photo(self, path: str | os.PathLike[str], *, group_id: Any = None,
                             field: str = "photo") -> int:
        """Upload one product or collection-cover photo; returns its ``photo_id``.

        :param path: a JPG/PNG/GIF file, at least 400 x 400 px, at most 50 MB, width + height <= 14000.
        :param group_id: the community (default the connection's).
        :param field: how an error names the photo.
        """
        local = check_product_photo(path, field)
        gid = self.group(group_id)

        def attempt() -> int:
            server = self.api.step("market.getProductPhotoUploadServer", group_id=gid)
            uploaded = self.uploads.post_files(server.get("upload_url"), [("file", local)], "upload product photo")
            saved = self.api.step("market.saveProductPhoto",
                               upload_response=json.dumps(uploaded, ensure_ascii=False, separators=(",", ":")))
            return int(saved["photo_id"])

        return int(self.api.with_retries("upload product photo", attempt))

    def _product_photos(self, product: Product, gid: int, where: str) -> dict[str, Any]:
        params: dict[str, Any] = {}
        main = product.main_photo_id
        if product.main_photo is not None:
            main = self.upload_product_photo(product.main_photo, group_id=gid, field=f"{where}.main_photo")
        if main is not None:
            params["main_photo_id"] = main
        extra = list(product.photo_ids) + [
            self.upload_product_photo(p, group_id=gid, field=f"{where}.photos[{n}]")
            for n, p in enumerate(product.photos)]
        if extra:
            params["photo_ids"] = extra
        return params

    def _check_category(self, product: Product, where: str, categories: dict[int, str] | None) -> None:
        known = categories if categories is not None else self.market_categories()
        if product.category_id not in known:
            raise input_error(f"{where}.category_id", f"unknown category {product.category_id}; see "
                              "market_categories() for the ids products take", service=SERVICE)

    # ---------------------------------------------------------------------------------------------- writes
    def add_product(self, product: Product | dict[str, Any], *, group_id: Any = None,
                    categories: dict[int, str] | None = None) -> dict[str, Any]:
        """Add a product (photos uploaded first), then put it in ``product.album_ids``.

        Returns ``{"item_id", "owner_id", "photo_ids"}``. The product is checked (fields, limits, files and the
        category against ``market.getCategories``) before anything is created.

        :param product: a :class:`Product` or a mapping of its fields.
        :param group_id: the community (default the connection's).
        :param categories: ``market_categories()`` already read (saves a call per product in bulk).
        """
        item = as_product(product)
        check_product_files(item, "product")
        self._check_category(item, "product", categories)
        gid = self.group(group_id)
        photos = self._product_photos(item, gid, "product")
        answer = self.api.call("market.add", owner_id=-gid, **item.params(), **photos)
        item_id = int(answer["market_item_id"])
        if item.album_ids:
            self.api.call("market.addToAlbum", owner_id=-gid, item_ids=[item_id], album_ids=list(item.album_ids))
        return {"item_id": item_id, "owner_id": -gid, "photo_ids": photos.get("photo_ids", []),
                "main_photo_id": photos.get("main_photo_id")}

    def edit_product(self, item_id: int, product: Product | dict[str, Any], *, group_id: Any = None,
                     categories: dict[int, str] | None = None) -> dict[str, Any]:
        """Replace a product's fields; photos given as files are uploaded, photos not given are kept. With
        ``product.album_ids`` set, the product ends up in exactly those collections: its current ones are read
        (``market.getById``), then it is added to the missing ones and removed from the others, so a repeat
        changes nothing. Returns ``{"item_id", "owner_id"}`` and, with ``album_ids``, ``"collections_added"`` and
        ``"collections_removed"``.

        :param item_id: the product id.
        :param product: the new description (:class:`Product` or mapping).
        :param group_id: the community (default the connection's).
        :param categories: ``market_categories()`` already read.
        """
        item = as_product(product)
        item_id = whole_number(item_id, "item_id", what="a product id")
        check_product_files(item, "product")
        self._check_category(item, "product", categories)
        gid = self.group(group_id)
        photos = self._product_photos(item, gid, "product")
        self.api.call("market.edit", owner_id=-gid, item_id=int(item_id), **item.params(), **photos)
        result: dict[str, Any] = {"item_id": int(item_id), "owner_id": -gid}
        if item.album_ids is not None:
            result.update(self._match_collections(int(item_id), set(item.album_ids), gid))
        return result

    def _match_collections(self, item_id: int, wanted: set[int], gid: int) -> dict[str, list[int]]:
        found = self.api.call("market.getById", item_ids=[f"{-gid}_{item_id}"], extended=True).get("items") or []
        current = {int(a) for a in (found[0].get("albums_ids") or ())} if found else set()
        add, remove = sorted(wanted - current), sorted(current - wanted)
        if add:
            self.api.call("market.addToAlbum", owner_id=-gid, item_ids=[item_id], album_ids=add)
        if remove:
            self.api.call("market.removeFromAlbum", owner_id=-gid, item_id=item_id, album_ids=remove)
        return {"collections_added": add, "collections_removed": remove}

    def delete_product(self, item_id: int, *, group_id: Any = None) -> None:
        """Delete a product.

        :param item_id: the product id.
        :param group_id: the community (default the connection's).
        """
        item = whole_number(item_id, "item_id", what="a product id")
        self.api.call("market.delete", owner_id=-self.group(group_id), item_id=item)

    def group_products(self, item_ids: Sequence[int], *, item_group_id: int | None = None,
                       group_id: Any = None) -> int:
        """Group products that differ by property variants into one card; returns the group id.

        :param item_ids: at least two products (or one, with ``item_group_id``), each with distinct variants.
        :param item_group_id: an existing group to add to.
        :param group_id: the community (default the connection's).
        """
        ids = [whole_number(i, "item_ids", what="product ids") for i in item_ids]
        if item_group_id is not None:
            item_group_id = whole_number(item_group_id, "item_group_id", what="a variant group id")
        if len(ids) + (1 if item_group_id else 0) < 2:
            raise input_error("item_ids", "a variant group needs two or more products", service=SERVICE)
        answer = self.api.call("market.groupItems", group_id=self.group(group_id), item_ids=ids,
                           item_group_id=item_group_id)
        return int(answer["item_group_id"])


__all__ = ["MARKET_METHODS", "VkMarket", "as_product", "check_product_files", "check_product_photo"]
