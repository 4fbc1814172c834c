"""market.* products: getCategories, get, getById, add, edit, delete, groupItems, getProductPhotoUploadServer,
saveProductPhoto.

Parameters, limits, token kinds and error codes from VK's schema (``VKCOM/vk-api-schema`` 5.199,
market/methods.json, market/responses.json, errors.json): every method here takes a user token only
(``access_token_type: ["user"]``: a community key gets 27) with the ``market`` right (15 otherwise). Error
messages are the schema's descriptions (VK's full wordings were not found: UNCONFIRMED). Collections, properties
and orders: :mod:`.market_catalog`.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from ..errors import VkError, invalid
from ..market_uploads import claim_market_photo
from ..shop import CATEGORY_TREE, ShopState, leaf_categories, price_object
from ..state import Group
from ..uploads import new_upload
from .registry import Call, method

MAX_PRICE = 999_999_999_999
MAX_EXTRA_PHOTOS = 4
MAX_GET = 200
MAX_GET_BY_ID = 100

# Schema errors (errors.json), with the schema's descriptions as messages.
ACCESS_MARKET = (205, "Access denied")
ITEM_NOT_FOUND = (1403, "Item not found")
NOT_ENABLED = (1438, "Market not enabled")


def err(pair: tuple[int, str]) -> VkError:
    return VkError(*pair)


def shop_of(call: Call) -> ShopState:
    return call.vk.shop


def community(call: Call, value: int | None, name: str, *, negative: bool, write: bool,
              denied: tuple[int, str] = ACCESS_MARKET) -> Group:
    """The shop's community from ``owner_id`` (negative, as the schema's note says) or ``group_id``; writes need
    an admin; the shop must be on (1438)."""
    if value is None or (value >= 0 if negative else value <= 0):
        raise invalid(name)
    group = call.vk.groups.get(abs(value))
    if group is None:
        raise invalid(name)
    if write and call.user_id not in group.admins:
        raise VkError(*denied)
    if group.id not in shop_of(call).enabled:
        raise err(NOT_ENABLED)
    return group


def kopecks(call: Call, name: str) -> int | None:
    """A price in roubles (schema ``number``, 0..999999999999) as kopecks."""
    raw = call.params.str(name)
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise invalid(name, "is not a number") from None
    if not value.is_finite() or value < 0 or value > MAX_PRICE:
        raise invalid(name, "is out of range")
    return int((value * 100).to_integral_value())


def item_view(call: Call, item: dict[str, Any], extended: bool) -> dict[str, Any]:
    leaves = leaf_categories()
    name, section = leaves.get(item["category_id"], ("", {"id": 0, "name": ""}))
    owner_id, item_id = item["owner_id"], item["id"]
    view: dict[str, Any] = {
        "id": item_id, "owner_id": owner_id, "title": item["title"], "description": item["description"],
        "price": price_object(item["price"], item.get("old_price")),
        "category": {"id": item["category_id"], "name": name,
                     "section": {"id": section["id"], "name": section["name"]}},
        "date": item["date"], "availability": 1 if item["deleted"] else 0,
        "thumb_photo": (f"https://sun9-1.userapi.com/sandbox/photo{owner_id}_{item['main_photo_id']}.jpg"
                        if item.get("main_photo_id") else ""),
        "sku": item.get("sku") or "", "stock_amount": item.get("stock_amount", -1),
    }
    if item.get("url"):
        view["url"] = item["url"]
        view["button_title"] = "Купить"
    if item.get("variants_grouping_id"):
        view["variants_grouping_id"] = item["variants_grouping_id"]
        view["is_main_variant"] = bool(item.get("is_main_variant"))
    if extended:
        photo_ids = ([item["main_photo_id"]] if item.get("main_photo_id") else []) + list(item["photo_ids"])
        view["photos"] = [call.vk.photos[(owner_id, pid)] for pid in photo_ids if (owner_id, pid) in call.vk.photos]
        view["albums_ids"] = sorted(item["albums"])
        view["can_edit"] = view["can_delete"] = call.user_id in call.vk.groups[-owner_id].admins
    return view


def _photo_ids(call: Call, owner_id: int, item: dict[str, Any]) -> None:
    p, shop = call.params, shop_of(call)
    if p.has("main_photo_id"):
        main = p.req_int("main_photo_id", lo=0)
        if (owner_id, main) not in shop.photos:
            raise invalid("main_photo_id")
        item["main_photo_id"] = main
    if "photo_ids" in p.data:
        extra = p.int_list("photo_ids", max_count=MAX_EXTRA_PHOTOS)
        if any((owner_id, pid) not in shop.photos for pid in extra):
            raise invalid("photo_ids")
        item["photo_ids"] = extra
    if "video_ids" in p.data:
        videos = p.int_list("video_ids", max_count=2)
        if any((owner_id, vid) not in call.vk.videos for vid in videos):
            raise invalid("video_ids")
        item["video_ids"] = videos


def _variants(call: Call, group_id: int, item: dict[str, Any]) -> None:
    if "variant_ids" not in call.params.data:
        return
    ids = call.params.int_list("variant_ids", max_count=2)
    owners = {}
    for prop in shop_of(call).properties.get(group_id, {}).values():
        for variant in prop["variants"]:
            owners[variant["id"]] = prop["id"]
    if any(vid not in owners for vid in ids):
        raise VkError(1416, "Variant not found")
    if len({owners[vid] for vid in ids}) != len(ids):
        raise VkError(1411, "Variants error")  # two values of one property
    item["variant_ids"] = ids


def _fields(call: Call, owner_id: int, item: dict[str, Any], *, adding: bool) -> None:
    p = call.params
    name = p.str("name", required=adding, max_len=100)
    if name is not None:
        if len(name) < 4:
            raise invalid("name", "is too short (at least 4 characters)")
        item["title"] = name
    description = p.str("description", required=adding)
    if description is not None:
        if len(description) < 10:
            raise invalid("description", "is too short (at least 10 characters)")
        item["description"] = description
    if adding or p.has("category_id"):
        category = p.req_int("category_id", lo=0)
        if category not in leaf_categories():
            raise invalid("category_id")
        item["category_id"] = category
    for name_, key in (("price", "price"), ("old_price", "old_price")):
        value = kopecks(call, name_)
        if value is not None:
            item[key] = value
    if "deleted" in p.data:
        item["deleted"] = p.flag("deleted")
    url = p.str("url", max_len=320)
    if url is not None:
        item["url"] = url
    sku = p.str("sku", max_len=50)
    if sku is not None:
        item["sku"] = sku
    if p.has("stock_amount"):
        item["stock_amount"] = p.req_int("stock_amount", lo=-1, hi=999_999)
    sizes = {name: p.int(name, lo=0, hi=100_000) for name in ("dimension_width", "dimension_height",
                                                              "dimension_length")}
    sizes["weight"] = p.int("weight", lo=0, hi=100_000_000)
    given = [v is not None for v in sizes.values()]
    if any(given) and not all(given):
        raise VkError(1429, "Specify width, length, height and weight all together")
    if all(given):
        item.update(sizes)
    if "is_main_variant" in p.data:
        item["is_main_variant"] = p.flag("is_main_variant")
        grouping = item.get("variants_grouping_id")
        if item["is_main_variant"] and grouping:  # one main product per variant group (UNCONFIRMED: VK's UI shows
            for other in shop_of(call).items.values():  # one); the others stop being main
                if other is not item and other.get("variants_grouping_id") == grouping:
                    other["is_main_variant"] = False
    _photo_ids(call, owner_id, item)
    _variants(call, -owner_id, item)


@method("market.getCategories", ("user",), scope="market")
def get_categories(call: Call) -> dict[str, Any]:
    call.params.int("group_id", lo=1)
    call.params.int("album_id", lo=1)
    return {"items": CATEGORY_TREE}


@method("market.add", ("user",), scope="market")
def add(call: Call) -> dict[str, Any]:
    owner_id = call.params.req_int("owner_id")
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True)
        item: dict[str, Any] = {"owner_id": owner_id, "price": 0, "old_price": None, "deleted": False,
                                "main_photo_id": None, "photo_ids": [], "video_ids": [], "variant_ids": [],
                                "albums": set(), "stock_amount": -1}
        _fields(call, owner_id, item, adding=True)
        shop = shop_of(call)
        item["id"] = shop.next_id("item")
        item["date"] = int(call.vk.clock.now())
        shop.items[(owner_id, item["id"])] = item
    if call.vk.sandbox is not None:
        call.vk.sandbox.record("vk", "market_item", owner_id=owner_id, item_id=item["id"], sku=item.get("sku"))
    return {"market_item_id": item["id"]}


def _item(call: Call, owner_id: int, item_id: int) -> dict[str, Any]:
    item = shop_of(call).items.get((owner_id, item_id))
    if item is None:
        raise err(ITEM_NOT_FOUND)
    return item


@method("market.edit", ("user",), scope="market")
def edit(call: Call) -> int:
    p = call.params
    owner_id, item_id = p.req_int("owner_id"), p.req_int("item_id", lo=0)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True)
        item = _item(call, owner_id, item_id)
        changed = dict(item, albums=set(item["albums"]))
        _fields(call, owner_id, changed, adding=False)  # all checks pass before anything changes
        item.update(changed)
    return 1


@method("market.delete", ("user",), scope="market")
def delete(call: Call) -> int:
    p = call.params
    owner_id, item_id = p.req_int("owner_id"), p.req_int("item_id", lo=0)
    with call.vk.lock:
        community(call, owner_id, "owner_id", negative=True, write=True)
        _item(call, owner_id, item_id)
        del shop_of(call).items[(owner_id, item_id)]
        for album in shop_of(call).albums.values():
            if album["owner_id"] == owner_id and item_id in album["_items"]:
                album["_items"].remove(item_id)
    return 1


@method("market.get", ("user",), scope="market")
def get(call: Call) -> dict[str, Any]:
    p = call.params
    owner_id = p.req_int("owner_id")
    album_id = p.int("album_id") or 0
    count = p.int("count", lo=0, hi=MAX_GET)
    count = 100 if count is None else count
    offset = p.int("offset", lo=0) or 0
    extended, with_disabled = p.flag("extended"), p.flag("with_disabled")
    with call.vk.lock:
        # UNCONFIRMED: what market.get answers for a community without a shop; the sandbox refuses with 1438.
        community(call, owner_id, "owner_id", negative=True, write=False)
        items = [i for (owner, _), i in shop_of(call).items.items() if owner == owner_id]
        if album_id:
            album = shop_of(call).albums.get((owner_id, album_id))
            if album is None:
                raise VkError(1402, "Album not found")
            items = [i for i in items if i["id"] in album["_items"]]
        if not with_disabled:
            items = [i for i in items if not i["deleted"]]
        items.sort(key=lambda i: i["id"], reverse=True)  # newest first
        page = items[offset : offset + count]
        return {"count": len(items), "items": [item_view(call, i, extended) for i in page]}


@method("market.getById", ("user",), scope="market")
def get_by_id(call: Call) -> dict[str, Any]:
    p = call.params
    refs = p.str_list("item_ids", required=True, max_count=MAX_GET_BY_ID)
    extended = p.flag("extended")
    found = []
    with call.vk.lock:
        for ref in refs:
            owner, _, item = ref.partition("_")
            if not (owner.lstrip("-").isdigit() and item.isdigit()):
                raise invalid("item_ids")
            entry = shop_of(call).items.get((int(owner), int(item)))
            if entry is not None:
                found.append(item_view(call, entry, extended))
    return {"count": len(found), "items": found}


@method("market.groupItems", ("user",), scope="market")
def group_items(call: Call) -> dict[str, Any]:
    p = call.params
    group_id = p.req_int("group_id", lo=1)
    item_ids = p.int_list("item_ids", required=True)
    existing_group = p.int("item_group_id", lo=0)
    with call.vk.lock:
        community(call, group_id, "group_id", negative=False, write=True, denied=(15, "Access denied"))
        shop = shop_of(call)
        items = [_item(call, -group_id, iid) for iid in item_ids]
        members = [i for i in shop.items.values() if existing_group and i.get("variants_grouping_id")
                   == existing_group]
        if existing_group and not members:
            raise invalid("item_group_id")
        everyone = {i["id"]: i for i in [*members, *items]}
        if len(everyone) < 2:
            raise VkError(1425, "Grouping must have two or more items")
        if any(not i["variant_ids"] for i in everyone.values()):
            raise VkError(1415, "Grouping must have variants")
        sets = [tuple(sorted(i["variant_ids"])) for i in everyone.values()]
        if len(set(sets)) != len(sets):
            raise VkError(1426, "Item must have distinct properties")
        grouping = existing_group or shop.next_id("item_group")
        main = any(i.get("is_main_variant") for i in everyone.values())
        for n, item in enumerate(everyone.values()):
            item["variants_grouping_id"] = grouping
            if not main:
                item["is_main_variant"] = n == 0
    return {"item_group_id": grouping}


@method("market.getProductPhotoUploadServer", ("user",), scope="market")
def get_product_photo_upload_server(call: Call) -> dict[str, Any]:
    group_id = call.params.req_int("group_id", lo=1)
    call.params.flag("bulk")
    with call.vk.lock:
        community(call, group_id, "group_id", negative=False, write=True)
    return {"upload_url": new_upload(call, "market_photo", group_id)}


@method("market.saveProductPhoto", ("user",), scope="market")
def save_product_photo(call: Call) -> dict[str, Any]:
    vk = call.vk
    with vk.lock:
        upload = claim_market_photo(call)
        owner_id = -(upload.group_id or 0)
        file = upload.result["files"][0] if upload.result else {}
        photo_id = vk.next_id("photo")
        width, height = file.get("width", 0), file.get("height", 0)
        photo = {
            "id": photo_id, "album_id": 0,  # UNCONFIRMED: the service album of product photos
            "owner_id": owner_id, "user_id": 100,
            "date": int(vk.clock.now()), "text": "", "width": width, "height": height, "has_tags": False,
            "sizes": [{"type": "w", "width": width, "height": height,
                       "url": f"https://sun9-1.userapi.com/sandbox/photo{owner_id}_{photo_id}.jpg"}],
        }
        vk.photos[(owner_id, photo_id)] = photo
        shop_of(call).photos.add((owner_id, photo_id))
    return {"photo_id": photo_id, "photo": dict(photo)}
