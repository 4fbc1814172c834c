"""market.* collections (albums), properties and their variants, and orders.

From VK's schema (``VKCOM/vk-api-schema`` 5.199, market/methods.json, responses.json, objects.json, errors.json):
collections and properties take a user token with ``market`` (27 for a community key); ``getGroupOrders`` and
``getOrderById`` take either kind. Collections and properties stay consistent with products: a deleted product
leaves its collections, a deleted variant leaves its products, a deleted property takes its variants along.
"""

from __future__ import annotations

from typing import Any

from ..errors import VkError, invalid
from .market import community, item_view, shop_of
from .registry import Call, method

MAX_ALBUMS = 100  # UNCONFIRMED: VK's collection limit per shop; past it 1407 Too many albums
MAX_PROPERTY_TITLE = 100  # UNCONFIRMED: the length past which addProperty answers 1421 Name too long
MAX_VARIANT_TITLE = 60  # schema maxLength of addPropertyVariant.title
ALBUM_NOT_FOUND = (1402, "Album not found")
DENIED = (15, "Access denied")


# ---------------------------------------------------------------- collections


def _album_view(call: Call, album: dict[str, Any]) -> dict[str, Any]:
    view = {k: v for k, v in album.items() if not k.startswith("_")}
    view["count"] = len(album["_items"])
    if album.get("_photo_id"):
        photo = call.vk.photos.get((album["owner_id"], album["_photo_id"]))
        if photo is not None:
            view["photo"] = photo
    return view


def _album(call: Call, owner_id: int, album_id: int) -> dict[str, Any]:
    album = shop_of(call).albums.get((owner_id, album_id))
    if album is None:
        raise VkError(*ALBUM_NOT_FOUND)
    return album


def _album_settings(call: Call, owner_id: int, album: dict[str, Any]) -> None:
    p = call.params
    album["title"] = p.str("title", required=True, max_len=128)
    if p.has("photo_id"):
        photo_id = p.req_int("photo_id", lo=0)
        if (owner_id, photo_id) not in shop_of(call).photos:
            raise invalid("photo_id")
        album["_photo_id"] = photo_id
    if "main_album" in p.data:
        album["is_main"] = p.flag("main_album")
    if "is_hidden" in p.data:
        album["is_hidden"] = p.flag("is_hidden")
    if album.get("is_main") and album.get("is_hidden"):
        raise VkError(1446, "Main album can not be hidden")
    album["updated_time"] = int(call.vk.clock.now())


def _only_main(call: Call, owner_id: int, album: dict[str, Any]) -> None:
    if album.get("is_main"):
        for other in shop_of(call).albums.values():
            if other is not album and other["owner_id"] == owner_id:
                other["is_main"] = False


@method("market.getAlbums", ("user",), scope="market")
def get_albums(call: Call) -> dict[str, Any]:
    p = call.params
    owner_id = p.req_int("owner_id")
    offset = p.int("offset", lo=0) or 0
    count = p.int("count", lo=0, hi=100)
    count = 50 if count is None else count
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=False)
        albums = [a for (owner, _), a in sorted(shop_of(call).albums.items()) if owner == owner_id]
        return {"count": len(albums), "items": [_album_view(call, a) for a in albums[offset : offset + count]]}


@method("market.getAlbumById", ("user",), scope="market")
def get_album_by_id(call: Call) -> dict[str, Any]:
    p = call.params
    owner_id = p.req_int("owner_id")
    ids = p.int_list("album_ids", required=True)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=False)
        albums = [shop_of(call).albums[(owner_id, i)] for i in ids if (owner_id, i) in shop_of(call).albums]
        return {"count": len(albums), "items": [_album_view(call, a) for a in albums]}


@method("market.addAlbum", ("user",), scope="market")
def add_album(call: Call) -> dict[str, Any]:
    owner_id = call.params.req_int("owner_id")
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True, denied=DENIED)
        shop = shop_of(call)
        count = sum(1 for (owner, _) in shop.albums if owner == owner_id)
        if count >= MAX_ALBUMS:
            raise VkError(1407, "Too many albums")
        album: dict[str, Any] = {"owner_id": owner_id, "is_main": False, "is_hidden": False, "_items": [],
                                 "_photo_id": None}
        _album_settings(call, owner_id, album)
        album["id"] = shop.next_id("album")
        _only_main(call, owner_id, album)
        shop.albums[(owner_id, album["id"])] = album
        return {"market_album_id": album["id"], "albums_count": count + 1}


@method("market.editAlbum", ("user",), scope="market")
def edit_album(call: Call) -> int:
    p = call.params
    owner_id, album_id = p.req_int("owner_id"), p.req_int("album_id", lo=0)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True, denied=DENIED)
        album = _album(call, owner_id, album_id)
        changed = dict(album)
        _album_settings(call, owner_id, changed)
        album.update(changed)
        _only_main(call, owner_id, album)
    return 1


@method("market.deleteAlbum", ("user",), scope="market")
def delete_album(call: Call) -> int:
    p = call.params
    owner_id, album_id = p.req_int("owner_id"), p.req_int("album_id", lo=0)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True, denied=DENIED)
        album = _album(call, owner_id, album_id)
        for item_id in album["_items"]:
            item = shop_of(call).items.get((owner_id, item_id))
            if item is not None:
                item["albums"].discard(album_id)
        del shop_of(call).albums[(owner_id, album_id)]
    return 1


@method("market.addToAlbum", ("user",), scope="market")
def add_to_album(call: Call) -> int:
    p = call.params
    owner_id = p.req_int("owner_id")
    item_ids, album_ids = p.int_list("item_ids", required=True), p.int_list("album_ids", required=True)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True, denied=DENIED)
        shop = shop_of(call)
        albums = [_album(call, owner_id, a) for a in album_ids]
        items = []
        for item_id in item_ids:
            item = shop.items.get((owner_id, item_id))
            if item is None:
                raise VkError(1403, "Item not found")
            items.append(item)
        for album in albums:
            if any(item["id"] in album["_items"] for item in items):
                raise VkError(1404, "Item already added to album")
        for album in albums:
            for item in items:
                album["_items"].append(item["id"])
                item["albums"].add(album["id"])
    return 1


@method("market.removeFromAlbum", ("user",), scope="market")
def remove_from_album(call: Call) -> int:
    p = call.params
    owner_id, item_id = p.req_int("owner_id"), p.req_int("item_id", lo=0)
    album_ids = p.int_list("album_ids", required=True)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True, denied=DENIED)
        albums = [_album(call, owner_id, a) for a in album_ids]
        item = shop_of(call).items.get((owner_id, item_id))
        if item is None:
            raise VkError(1403, "Item not found")
        for album in albums:
            if item_id in album["_items"]:
                album["_items"].remove(item_id)
            item["albums"].discard(album["id"])
    return 1


# ---------------------------------------------------------------- properties and variants


def _properties(call: Call) -> tuple[int, dict[int, dict[str, Any]]]:
    group_id = call.params.req_int("group_id", lo=1)
    community(call, group_id, "group_id", negative=False, write=True, denied=DENIED)
    return group_id, shop_of(call).properties.setdefault(group_id, {})


def _property(props: dict[int, dict[str, Any]], property_id: int) -> dict[str, Any]:
    prop = props.get(property_id)
    if prop is None:
        raise VkError(1417, "Property not found")
    return prop


def _variant(props: dict[int, dict[str, Any]], variant_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    for prop in props.values():
        for variant in prop["variants"]:
            if variant["id"] == variant_id:
                return prop, variant
    raise VkError(1416, "Variant not found")


def _property_title(call: Call) -> str:
    title = call.params.str("title", required=True)
    assert title is not None
    if len(title) > MAX_PROPERTY_TITLE:
        raise VkError(1421, "Name too long")
    return title


def _variant_title(call: Call) -> str:
    title = call.params.str("title", required=True)
    assert title is not None
    if len(title) > MAX_VARIANT_TITLE:
        raise VkError(1423, "Variant value is too long")
    return title


def _drop_variants(call: Call, group_id: int, variant_ids: set[int]) -> None:
    for (owner, _), item in shop_of(call).items.items():
        if owner == -group_id and variant_ids & set(item["variant_ids"]):
            item["variant_ids"] = [v for v in item["variant_ids"] if v not in variant_ids]


@method("market.getProperties", ("user",), scope="market")
def get_properties(call: Call) -> dict[str, Any]:
    with call.vk.lock:
        _, props = _properties(call)
        items = [dict(p, variants=[dict(v) for v in p["variants"]]) for p in props.values()]
    return {"count": len(items), "items": items}


@method("market.addProperty", ("user",), scope="market")
def add_property(call: Call) -> dict[str, Any]:
    with call.vk.lock:
        _, props = _properties(call)
        title = _property_title(call)
        prop_id = shop_of(call).next_id("property")
        props[prop_id] = {"id": prop_id, "title": title, "type": "text", "variants": []}
    return {"property_id": prop_id}


@method("market.editProperty", ("user",), scope="market")
def edit_property(call: Call) -> int:
    with call.vk.lock:
        _, props = _properties(call)
        prop = _property(props, call.params.req_int("property_id", lo=0))
        prop["title"] = _property_title(call)
    return 1


@method("market.deleteProperty", ("user",), scope="market")
def delete_property(call: Call) -> int:
    with call.vk.lock:
        group_id, props = _properties(call)
        prop = _property(props, call.params.req_int("property_id", lo=0))
        _drop_variants(call, group_id, {v["id"] for v in prop["variants"]})
        del props[prop["id"]]
    return 1


@method("market.addPropertyVariant", ("user",), scope="market")
def add_property_variant(call: Call) -> dict[str, Any]:
    with call.vk.lock:
        _, props = _properties(call)
        prop = _property(props, call.params.req_int("property_id", lo=0))
        title = _variant_title(call)
        variant_id = shop_of(call).next_id("variant")
        prop["variants"].append({"id": variant_id, "title": title, "value": title})
    return {"variant_id": variant_id}


@method("market.editPropertyVariant", ("user",), scope="market")
def edit_property_variant(call: Call) -> int:
    with call.vk.lock:
        _, props = _properties(call)
        _, variant = _variant(props, call.params.req_int("variant_id", lo=0))
        variant["title"] = variant["value"] = _variant_title(call)
    return 1


@method("market.deletePropertyVariant", ("user",), scope="market")
def delete_property_variant(call: Call) -> int:
    with call.vk.lock:
        group_id, props = _properties(call)
        prop, variant = _variant(props, call.params.req_int("variant_id", lo=0))
        prop["variants"].remove(variant)
        _drop_variants(call, group_id, {variant["id"]})
    return 1


# ---------------------------------------------------------------- orders


def _orders_group(call: Call, value: int | None) -> int:
    token = call.token
    if token.kind == "community":
        if value and value != token.group_id:
            raise VkError(15, "Access denied: no access to this group")
        assert token.group_id is not None
        return token.group_id
    if not value:
        raise invalid("group_id")
    group = call.vk.groups.get(value)
    if group is None:
        raise invalid("group_id")
    if call.user_id not in group.admins:
        raise VkError(15, "Access denied")
    return value


@method("market.getGroupOrders", ("user", "community"), scope="market", community_scope="manage")
def get_group_orders(call: Call) -> dict[str, Any]:
    p = call.params
    group_id = p.int("group_id", lo=1)
    offset = p.int("offset", lo=0) or 0
    count = p.int("count", lo=1, hi=50) or 10
    with call.vk.lock:
        gid = _orders_group(call, group_id)
        if gid not in shop_of(call).enabled:
            raise VkError(1438, "Market not enabled")
        orders = sorted((o for o in shop_of(call).orders if o["group_id"] == gid), key=lambda o: -o["date"])
        return {"count": len(orders), "items": [dict(o) for o in orders[offset : offset + count]]}


@method("market.getOrderById", ("user", "community"), scope="market", community_scope="manage")
def get_order_by_id(call: Call) -> dict[str, Any]:
    p = call.params
    order_id = p.req_int("order_id", lo=0)
    user_id = p.int("user_id", lo=0)
    with call.vk.lock:
        for order in shop_of(call).orders:
            if order["id"] != order_id:
                continue
            if call.token.kind == "community":
                visible = order["group_id"] == call.token.group_id
            else:  # a user sees their own orders (user_id: whose; default the caller)
                visible = order["user_id"] == (user_id or call.user_id)
            if visible and (user_id is None or order["user_id"] == user_id):
                return {"order": dict(order)}
    raise VkError(1436, "Order not found")


__all__ = ["item_view"]
