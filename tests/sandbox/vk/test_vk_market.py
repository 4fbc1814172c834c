"""VK market (community shop) on the sandbox: products, product photos, collections, properties, orders."""

from __future__ import annotations

import json

from vk_helpers import GROUP_ID, Vk, png

OWNER = -GROUP_ID


def _photo(vk: Vk, image: bytes | None = None) -> int:
    server = vk.ok("market.getProductPhotoUploadServer", group_id=GROUP_ID)
    uploaded = vk.upload(server["upload_url"], {"file": ("p.png", image or png(600, 600))})
    return int(vk.ok("market.saveProductPhoto", upload_response=json.dumps(uploaded))["photo_id"])


def _add(vk: Vk, **params) -> int:
    spec = {"owner_id": OWNER, "name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
            "price": "199.90", "sku": "MUG-1"}
    spec.update(params)
    return int(vk.ok("market.add", **spec)["market_item_id"])


def test_product_photo_flow_verifies_the_upload(vk: Vk) -> None:
    server = vk.ok("market.getProductPhotoUploadServer", group_id=GROUP_ID)
    assert set(server) == {"upload_url"}
    one = vk.upload(server["upload_url"], {"file": ("a.png", png(600, 500))})
    two = vk.upload(vk.ok("market.getProductPhotoUploadServer", group_id=GROUP_ID)["upload_url"],
                    {"file": ("b.png", png(700, 700))})
    forged = dict(one, hash=two["hash"])
    assert vk.err("market.saveProductPhoto", upload_response=json.dumps(forged))["error_code"] == 121
    assert vk.err("market.saveProductPhoto", upload_response="not json")["error_code"] == 100
    missing = vk.err("market.saveProductPhoto")
    assert (missing["error_code"], missing["error_msg"]) == (
        100, "One of the parameters specified was missing or invalid: upload_response is undefined")
    saved = vk.ok("market.saveProductPhoto", upload_response=json.dumps(one))
    assert saved["photo"]["owner_id"] == OWNER and saved["photo"]["width"] == 600
    assert vk.err("market.saveProductPhoto", upload_response=json.dumps(one))["error_code"] == 121  # once


def test_small_product_photo_is_refused(vk: Vk) -> None:
    server = vk.ok("market.getProductPhotoUploadServer", group_id=GROUP_ID)
    small = vk.upload(server["upload_url"], {"file": ("s.png", png(300, 300))})
    error = vk.err("market.saveProductPhoto", upload_response=json.dumps(small))
    assert error["error_code"] == 129 and "400x400" in error["error_msg"]


def test_add_get_edit_delete(vk: Vk) -> None:
    photo = _photo(vk)
    item_id = _add(vk, main_photo_id=photo, stock_amount=5)
    items = vk.ok("market.get", owner_id=OWNER, extended=1)
    assert items["count"] == 1
    item = items["items"][0]
    assert (item["id"], item["sku"], item["stock_amount"], item["category"]["id"]) == (item_id, "MUG-1", 5, 301)
    assert item["price"]["amount"] == "19990" and item["price"]["currency"]["name"] == "RUB"
    assert item["photos"][0]["id"] == photo
    assert vk.ok("market.edit", owner_id=OWNER, item_id=item_id, price=250, deleted=1) == 1
    assert vk.ok("market.get", owner_id=OWNER)["count"] == 0  # disabled items need with_disabled
    shown = vk.ok("market.get", owner_id=OWNER, with_disabled=1)["items"][0]
    assert shown["price"]["amount"] == "25000" and shown["availability"] == 1
    by_id = vk.ok("market.getById", item_ids=f"{OWNER}_{item_id}")
    assert by_id["count"] == 1
    assert vk.ok("market.delete", owner_id=OWNER, item_id=item_id) == 1
    assert vk.err("market.delete", owner_id=OWNER, item_id=item_id)["error_code"] == 1403
    assert vk.ok("market.getById", item_ids=f"{OWNER}_{item_id}")["count"] == 0


def test_add_checks_the_schema_limits(vk: Vk) -> None:
    assert vk.err("market.add", owner_id=OWNER, name="Mug", description="A white ceramic mug",
                  category_id=301)["error_code"] == 100
    assert "category_id" in vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!",
                                   category_id=999)["error_msg"]
    assert "price" in vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!", category_id=301,
                             price=-1)["error_msg"]
    assert vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!", category_id=301,
                  weight=10)["error_code"] == 1429
    assert "main_photo_id" in vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!",
                                     category_id=301, main_photo_id=12345)["error_msg"]
    assert vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!", category_id=301,
                  photo_ids="1,2,3,4,5")["error_code"] == 100
    assert vk.err("market.add", owner_id=GROUP_ID, name="Mugs", description="A white mug!",
                  category_id=301)["error_code"] == 100  # owner_id of a community is negative


def test_market_token_scope_and_shop_rules(vk: Vk, sandbox) -> None:
    assert vk.err("market.get", vk.community, owner_id=OWNER)["error_code"] == 27
    no_market = sandbox.control.vk_token("user", scopes=["wall", "photos"], expires_in=0)
    assert vk.err("market.get", no_market, owner_id=OWNER)["error_code"] == 15
    stranger = sandbox.control.vk_token("user", user_id=2, expires_in=0)
    assert vk.err("market.add", stranger, owner_id=OWNER, name="Mugs", description="A white mug!",
                  category_id=301)["error_code"] == 205
    off = vk.err("market.get", owner_id=-1000002)
    assert (off["error_code"], off["error_msg"]) == (1438, "Market not enabled")


def test_collections_follow_products(vk: Vk) -> None:
    cover = _photo(vk)
    album = vk.ok("market.addAlbum", owner_id=OWNER, title="Mugs", photo_id=cover)
    assert album == {"market_album_id": album["market_album_id"], "albums_count": 1}
    album_id = album["market_album_id"]
    assert vk.err("market.addAlbum", owner_id=OWNER, title="X", main_album=1, is_hidden=1)["error_code"] == 1446
    one, two = _add(vk), _add(vk, sku="MUG-2")
    assert vk.ok("market.addToAlbum", owner_id=OWNER, item_ids=f"{one},{two}", album_ids=album_id) == 1
    assert vk.err("market.addToAlbum", owner_id=OWNER, item_ids=one, album_ids=album_id)["error_code"] == 1404
    assert vk.ok("market.get", owner_id=OWNER, album_id=album_id)["count"] == 2
    assert vk.ok("market.delete", owner_id=OWNER, item_id=one) == 1
    got = vk.ok("market.getAlbumById", owner_id=OWNER, album_ids=album_id)["items"][0]
    assert got["count"] == 1 and got["photo"]["id"] == cover
    assert vk.ok("market.removeFromAlbum", owner_id=OWNER, item_id=two, album_ids=album_id) == 1
    assert vk.ok("market.editAlbum", owner_id=OWNER, album_id=album_id, title="Cups") == 1
    assert vk.ok("market.getAlbums", owner_id=OWNER)["items"][0]["title"] == "Cups"
    assert vk.ok("market.deleteAlbum", owner_id=OWNER, album_id=album_id) == 1
    assert vk.err("market.deleteAlbum", owner_id=OWNER, album_id=album_id)["error_code"] == 1402


def test_properties_variants_and_grouping(vk: Vk) -> None:
    prop = vk.ok("market.addProperty", group_id=GROUP_ID, title="Colour")["property_id"]
    red = vk.ok("market.addPropertyVariant", group_id=GROUP_ID, property_id=prop, title="Red")["variant_id"]
    blue = vk.ok("market.addPropertyVariant", group_id=GROUP_ID, property_id=prop, title="Blue")["variant_id"]
    assert vk.err("market.addPropertyVariant", group_id=GROUP_ID, property_id=prop,
                  title="x" * 61)["error_code"] == 1423
    assert vk.err("market.add", owner_id=OWNER, name="Mugs", description="A white mug!", category_id=301,
                  variant_ids=999)["error_code"] == 1416
    one = _add(vk, variant_ids=red)
    two = _add(vk, variant_ids=blue, sku="MUG-2")
    three = _add(vk, variant_ids=red, sku="MUG-3")
    assert vk.err("market.groupItems", group_id=GROUP_ID, item_ids=one)["error_code"] == 1425
    assert vk.err("market.groupItems", group_id=GROUP_ID, item_ids=f"{one},{three}")["error_code"] == 1426
    grouping = vk.ok("market.groupItems", group_id=GROUP_ID, item_ids=f"{one},{two}")["item_group_id"]
    assert vk.ok("market.getById", item_ids=f"{OWNER}_{two}")["items"][0]["variants_grouping_id"] == grouping
    assert vk.ok("market.editPropertyVariant", group_id=GROUP_ID, variant_id=red, title="Crimson") == 1
    assert vk.ok("market.editProperty", group_id=GROUP_ID, property_id=prop, title="Color") == 1
    props = vk.ok("market.getProperties", group_id=GROUP_ID)
    assert props["count"] == 1 and [v["title"] for v in props["items"][0]["variants"]] == ["Crimson", "Blue"]
    assert vk.ok("market.deletePropertyVariant", group_id=GROUP_ID, variant_id=blue) == 1
    assert vk.ok("market.deleteProperty", group_id=GROUP_ID, property_id=prop) == 1
    assert vk.err("market.deleteProperty", group_id=GROUP_ID, property_id=prop)["error_code"] == 1417
    assert vk.ok("market.getProperties", group_id=GROUP_ID) == {"count": 0, "items": []}


def test_orders_are_fixtures_settable_through_the_control_api(vk: Vk, sandbox) -> None:
    orders = vk.ok("market.getGroupOrders", vk.community)
    assert orders["count"] == 2 and {"id", "group_id", "user_id", "total_price", "status"} <= set(orders["items"][0])
    sandbox.control.vk_configure(market_orders=[{"user_id": 2, "amount": 12345, "status": 1, "id": 77}])
    assert sandbox.control.vk_state()["market"]["orders"][0]["id"] == 77
    mine = vk.ok("market.getGroupOrders", group_id=GROUP_ID)
    assert mine["count"] == 1 and mine["items"][0]["total_price"]["amount"] == "12345"
    assert vk.ok("market.getOrderById", vk.community, order_id=77)["order"]["user_id"] == 2
    assert vk.err("market.getOrderById", vk.community, order_id=78)["error_code"] == 1436
    assert vk.err("market.getGroupOrders", vk.community, count=51)["error_code"] == 100


def test_categories(vk: Vk) -> None:
    items = vk.ok("market.getCategories")["items"]
    assert items and {"id", "name", "children"} <= set(items[0])
