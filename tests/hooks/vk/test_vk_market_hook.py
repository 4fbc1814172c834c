"""VkHook's market (shop) and ads methods against the strict sandbox."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import PermissionDeniedError, ValidationError
from airflow_provider_social.hooks.vk.products import Product
from tests.hooks.vk.conftest import png
from tests.hooks.vk.test_vk_sandbox import vk_sandbox, vk_state  # noqa: F401  (fixture)

GROUP = 1000001


def _requests(hook) -> list[str]:
    seen: list[str] = []
    session = hook.transport.session
    original = session.request

    def spy(method, url, *args, **kwargs):
        seen.append(url.rsplit("/", 1)[-1])
        return original(method, url, *args, **kwargs)

    session.request = spy
    return seen


def test_add_product_uploads_photos_and_lands_in_the_shop(sandbox, vk_sandbox, tmp_path):  # noqa: F811
    hook = vk_sandbox()
    collection = hook.add_collection("Mugs", cover=png(tmp_path / "c.png", 500, 500))
    added = hook.add_product({"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
                              "price": "199.90", "sku": "MUG-1", "main_photo": png(tmp_path / "m.png", 800, 800),
                              "photos": [png(tmp_path / "e.png", 600, 600)], "album_ids": [collection]})
    items = hook.list_products(extended=True)
    assert [i["id"] for i in items] == [added["item_id"]]
    assert items[0]["price"]["amount"] == "19990" and items[0]["albums_ids"] == [collection]
    assert [p["id"] for p in items[0]["photos"]] == [added["main_photo_id"], *added["photo_ids"]]
    hook.edit_product(added["item_id"], {"name": "Mug classic", "description": "A white ceramic mug",
                                         "category_id": 301, "price": 250, "sku": "MUG-1"})
    assert hook.get_products([added["item_id"]])[0]["price"]["amount"] == "25000"
    hook.delete_product(added["item_id"])
    assert hook.list_products(with_disabled=True) == []


@pytest.mark.parametrize(("row", "field"), [
    ({"name": "Mug", "description": "A white ceramic mug", "category_id": 301}, "product.name"),
    ({"name": "Mugs", "description": "A white ceramic mug", "category_id": 301, "price": -1}, "product.price"),
    ({"name": "Mugs", "description": "short", "category_id": 301}, "product.description"),
    ({"name": "Mugs", "description": "A white ceramic mug", "category_id": 301, "photos": ["a", "b", "c", "d", "e"]},
     "product.photos"),
    ({"name": "Mugs", "description": "A white ceramic mug", "category_id": 301, "weight": 10}, "product.dimensions"),
    ({"name": "Mugs", "description": "A white ceramic mug", "category_id": 301, "colour": "red"}, "product.colour"),
    ({"name": "Mugs", "description": "A white ceramic mug", "category_id": 999}, "product.category_id"),
])
def test_bad_products_are_refused_before_any_change(sandbox, vk_sandbox, row, field):  # noqa: F811
    hook = vk_sandbox()
    seen = _requests(hook)
    with pytest.raises(ValidationError) as caught:
        hook.add_product(row)
    assert caught.value.details.get("field", field) == field and field in str(caught.value)
    assert "market.add" not in seen and "market.getProductPhotoUploadServer" not in seen


def test_small_product_photo_is_refused_locally(sandbox, vk_sandbox, tmp_path):  # noqa: F811
    hook = vk_sandbox()
    seen = _requests(hook)
    with pytest.raises(ValidationError, match="400x400"):
        hook.add_product(Product("Mug classic", "A white ceramic mug", 301,
                                 main_photo=png(tmp_path / "s.png", 200, 200)))
    assert seen == []


def test_list_products_pages_through_batch(sandbox, vk_sandbox):  # noqa: F811
    hook = vk_sandbox()
    categories = hook.market_categories()
    for n in range(450):
        sandbox.state.services["vk"].shop.items[(-GROUP, n + 1)] = {
            "id": n + 1, "owner_id": -GROUP, "title": f"Item {n}", "description": "x" * 10, "category_id": 301,
            "price": 100, "old_price": None, "deleted": False, "main_photo_id": None, "photo_ids": [],
            "video_ids": [], "variant_ids": [], "albums": set(), "stock_amount": -1, "date": 0, "sku": f"S{n}"}
    assert 301 in categories
    seen = _requests(hook)
    items = hook.list_products()
    assert len(items) == 450 and len({i["id"] for i in items}) == 450
    assert seen == ["market.get", "execute"]  # 200 first, then 2 pages in one execute


def _two_mugs(hook) -> tuple[int, int, int, int]:
    """Two products differing by a Colour variant: (red id, blue id, red variant, blue variant)."""
    prop = hook.add_property("Colour")
    red, blue = hook.add_property_variant(prop, "Red"), hook.add_property_variant(prop, "Blue")
    one = hook.add_product(Product("Mug red", "A red ceramic mug", 301, sku="R", variant_ids=(red,)))["item_id"]
    two = hook.add_product(Product("Mug blue", "A blue ceramic mug", 301, sku="B", variant_ids=(blue,)))["item_id"]
    return one, two, red, blue


def test_properties_variants_grouping_and_orders(sandbox, vk_sandbox):  # noqa: F811
    hook = vk_sandbox()
    one, two, red, _ = _two_mugs(hook)
    grouping = hook.group_products([one, two])
    assert {i["variants_grouping_id"] for i in hook.list_products()} == {grouping}
    hook.edit_property_variant(red, "Crimson")
    assert [v["title"] for v in hook.list_properties()[0]["variants"]] == ["Crimson", "Blue"]
    orders = hook.list_orders()
    assert len(orders) == 2
    assert hook.get_order(orders[0]["id"], token="community")["id"] == orders[0]["id"]


def test_promote_pause_and_stats(sandbox, vk_sandbox):  # noqa: F811
    hook = vk_sandbox()
    post_id = hook.create_post("New mug in the shop", guid="promo")["post_id"]
    account = hook.ad_accounts()[0]["account_id"]
    category = hook.ad_categories()["v2"][0]["id"]
    campaign = hook.create_promoted_posts_campaign(account, "Shop promo")
    ad_id = hook.create_post_ad(account, campaign, post_id, daily_limit=300, category_id=category)
    ad = hook.get_ads(account, ad_ids=[ad_id])[0]
    assert (ad["ad_format"], ad["autobidding"], ad["link_url"]) == (9, 1, f"https://vk.com/wall-{GROUP}_{post_id}")
    hook.pause_ad(account, ad_id)
    assert hook.get_ads(account, ad_ids=[ad_id])[0]["status"] == 0
    hook.resume_ad(account, ad_id)
    assert hook.get_ads(account, ad_ids=[ad_id])[0]["status"] == 1
    assert hook.ad_statistics(account, [ad_id], date_from="2026-01-01", date_to="0")[0]["stats"] == []
    with pytest.raises(ValidationError, match="category1_id"):
        hook.create_post_ad(account, campaign, post_id, daily_limit=300, category_id=424242)
    with pytest.raises(PermissionDeniedError, match="ads account"):
        hook.pause_ad(12345, ad_id)
    with pytest.raises(ValidationError, match="daily_limit"):
        hook.create_post_ad(account, campaign, post_id, daily_limit=0, category_id=category)


# ------------------------------------------------------------------ issue 20: no raw Python errors, no request
@pytest.mark.parametrize(("call", "field"), [
    (lambda h: h.edit_product("²", {"name": "Mugs", "description": "A white ceramic mug", "category_id": 301}),
     "item_id"),
    (lambda h: h.delete_product("abc"), "item_id"),
    (lambda h: h.group_products(["x", 1]), "item_ids"),
    (lambda h: h.get_products(["1e3"]), "item_ids"),
    (lambda h: h.add_to_collection(["²"], [1]), "item_ids"),
    (lambda h: h.add_to_collection("12", [1]), "item_ids"),
    (lambda h: h.add_collection(["Mugs"]), "title"),
    (lambda h: h.add_property_variant(1, {"title": "Red"}), "title"),
    (lambda h: h.add_product({"name": ["Mug classic"], "description": "A white ceramic mug", "category_id": 301}),
     "product.name"),
    (lambda h: h.add_product({"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
                              "photos": "['a.png'"}), "product.photos"),
    (lambda h: h.get_ads(1, ad_ids=["abc"]), "ad_ids"),
    (lambda h: h.create_post_ad(1, 1, 1, daily_limit=300, category_id=53, name=123), "name"),
    (lambda h: h.create_promoted_posts_campaign(1, "Promo", all_limit=True), "all_limit"),
])
def test_garbage_arguments_are_input_errors_before_any_request(sandbox, vk_sandbox, call, field):  # noqa: F811
    hook = vk_sandbox()
    seen = _requests(hook)
    with pytest.raises(ValidationError, match=f"VK: {field}".replace(".", r"\.")):
        call(hook)
    assert seen == []


def test_a_product_list_field_rendered_as_a_python_repr_is_read(sandbox, vk_sandbox, tmp_path):  # noqa: F811
    hook = vk_sandbox()
    photos = repr([png(tmp_path / "a.png", 600, 600), png(tmp_path / "b.png", 700, 700)])
    added = hook.add_product({"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
                              "photos": photos, "dimensions": "[80, 100, 80]", "weight": 300})
    assert len(added["photo_ids"]) == 2


def test_editing_a_product_keeps_it_in_exactly_the_given_collections(sandbox, vk_sandbox, tmp_path):  # noqa: F811
    hook = vk_sandbox()
    mugs, gifts, sale = (hook.add_collection(t, cover=png(tmp_path / f"{t}.png", 500, 500))
                         for t in ("Mugs", "Gifts", "Sale"))
    row = {"name": "Mug classic", "description": "A white ceramic mug", "category_id": 301, "sku": "MUG-1",
           "album_ids": [mugs, gifts]}
    item_id = hook.add_product(row)["item_id"]
    seen = _requests(hook)
    moved = hook.edit_product(item_id, {**row, "album_ids": [gifts, sale]}, categories={301: "Mugs"})
    assert (moved["collections_added"], moved["collections_removed"]) == ([sale], [mugs])
    assert seen == ["market.edit", "market.getById", "market.addToAlbum", "market.removeFromAlbum"]
    assert hook.get_products([item_id], extended=True)[0]["albums_ids"] == sorted([gifts, sale])
    del seen[:]
    again = hook.edit_product(item_id, {**row, "album_ids": [gifts, sale]}, categories={301: "Mugs"})
    assert (again["collections_added"], again["collections_removed"]) == ([], [])  # a repeat changes nothing
    assert seen == ["market.edit", "market.getById"]
    hook.edit_product(item_id, {k: v for k, v in row.items() if k != "album_ids"})  # not given: left alone
    assert hook.get_products([item_id], extended=True)[0]["albums_ids"] == sorted([gifts, sale])
    assert "collections_added" not in hook.edit_product(item_id, Product("Mug classic", "A white ceramic mug", 301))
    hook.edit_product(item_id, {**row, "album_ids": []})  # an empty list: out of every collection
    assert hook.get_products([item_id], extended=True)[0]["albums_ids"] == []


def test_is_main_variant_picks_the_product_shown_for_its_group(sandbox, vk_sandbox):  # noqa: F811
    hook = vk_sandbox()
    one, two, _, blue = _two_mugs(hook)
    hook.group_products([one, two])
    mains = {i["id"]: i["is_main_variant"] for i in hook.list_products()}
    assert mains == {one: True, two: False}
    seen = _requests(hook)
    hook.edit_product(two, Product("Mug blue", "A blue ceramic mug", 301, sku="B", variant_ids=(blue,),
                                   is_main_variant=True), categories={301: "Mugs"})
    assert seen == ["market.edit"]  # collections not given: not read, not touched
    assert {i["id"]: i["is_main_variant"] for i in hook.list_products()} == {one: False, two: True}
    assert Product.from_mapping({"name": "Mug blue", "description": "A blue ceramic mug", "category_id": 301,
                                 "is_main_variant": "yes"}).params()["is_main_variant"] is True
    with pytest.raises(ValidationError, match="product.is_main_variant"):
        Product.from_mapping({"name": "Mug blue", "description": "A blue ceramic mug", "category_id": 301,
                              "is_main_variant": "maybe"})
