"""VK market sync, promote-post and pause-ad operators against the strict sandbox."""

from __future__ import annotations

import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.operators import vk as vk_ops
from airflow_provider_social.operators.vk_market import (
    VkMarketSyncOperator,
    VkPauseAdOperator,
    VkPromotePostOperator,
)
from tests.hooks.vk.conftest import png
from tests.hooks.vk.test_vk_sandbox import vk_sandbox  # noqa: F401  (fixture)

GROUP = 1000001


@pytest.fixture
def hook(vk_sandbox, monkeypatch):  # noqa: F811
    made = vk_sandbox()
    monkeypatch.setattr(vk_ops.VkBaseOperator, "get_hook", lambda self: made)
    return made


def _catalogue(tmp_path) -> list[dict]:
    return [
        {"sku": "MUG-1", "name": "Mug classic", "description": "A white ceramic mug", "category_id": 301,
         "price": "199.90", "main_photo": png(tmp_path / "m.png", 600, 600)},
        {"sku": "TEE-1", "name": "T-shirt", "description": "A cotton T-shirt, size M", "category_id": 102,
         "price": 990, "stock_amount": 12, "width": 300, "height": 20, "length": 400, "weight": 180},
    ]


def _shop(sandbox) -> list[dict]:
    return sandbox.control.state("vk")["market"]["items"]


def test_sync_adds_then_is_idempotent_then_edits_and_deletes(sandbox, hook, tmp_path):
    rows = _catalogue(tmp_path)
    first = VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert (first["added"], first["edited"], first["unchanged"]) == (2, 0, 0)
    assert set(first["item_ids"]) == {"MUG-1", "TEE-1"} and sorted(first["added_ids"]) == sorted(
        first["item_ids"].values())
    again = VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert (again["added"], again["edited"], again["unchanged"]) == (0, 0, 2)
    assert again["item_ids"] == first["item_ids"] and len(_shop(sandbox)) == 2
    rows[0]["price"] = "249"
    changed = VkMarketSyncOperator(task_id="sync", catalogue=rows[:1], delete_absent=True).execute({})
    assert (changed["edited"], changed["deleted"]) == (1, 1)
    assert changed["deleted_ids"] == [first["item_ids"]["TEE-1"]]
    items = _shop(sandbox)
    assert len(items) == 1 and items[0]["price"] == 24900 and items[0]["main_photo_id"]


def test_a_retry_after_a_partial_run_adds_only_what_is_missing(sandbox, hook, tmp_path):
    rows = _catalogue(tmp_path)
    hook.add_product(rows[1])  # the first try added one product, then failed
    result = VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert (result["added"], result["unchanged"]) == (1, 1)
    assert sorted(i["sku"] for i in _shop(sandbox)) == ["MUG-1", "TEE-1"]


def test_sync_reads_json_and_csv_files(sandbox, hook, tmp_path):
    path = tmp_path / "catalogue.json"
    path.write_text(json.dumps([{"sku": "A-1", "name": "Board game", "description": "A game for four players",
                                 "category_id": 302, "price": 1500}]))
    assert VkMarketSyncOperator(task_id="sync", catalogue=str(path)).execute({})["added"] == 1
    csv_path = tmp_path / "catalogue.csv"
    csv_path.write_text("sku,name,description,category_id,price,disabled\n"
                        "A-1,Board game,A game for four players,302,1500,true\n")
    result = VkMarketSyncOperator(task_id="sync", catalogue=str(csv_path)).execute({})
    assert result["edited"] == 1 and _shop(sandbox)[0]["deleted"] is True


@pytest.mark.parametrize(("change", "field"), [
    ({"sku": None}, "catalogue[1].sku"),
    ({"sku": "MUG-1"}, "catalogue[1].sku"),
    ({"price": -5}, "catalogue[1].price"),
    ({"category_id": 999}, "catalogue[1].category_id"),
])
def test_a_bad_row_stops_the_sync_before_any_change(sandbox, hook, tmp_path, change, field):
    rows = _catalogue(tmp_path)
    rows[1].update(change)
    rows[1] = {k: v for k, v in rows[1].items() if v is not None}
    with pytest.raises(ValidationError, match=field.replace("[", r"\[").replace("]", r"\]")):
        VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert _shop(sandbox) == []


def test_promote_post_is_idempotent_and_pause(sandbox, hook):
    post_id = hook.create_post("New in the shop", guid="promote")["post_id"]
    account = hook.ad_accounts()[0]["account_id"]
    op = VkPromotePostOperator(task_id="promote", account_id=account, post_id=str(post_id), daily_limit=300,
                               category_id=53)
    first = op.execute({})
    assert first["created"] and first["post_url"] == f"https://vk.com/wall-{GROUP}_{post_id}"
    retry = op.execute({})
    assert (retry["campaign_id"], retry["ad_id"], retry["created"]) == (first["campaign_id"], first["ad_id"], False)
    ads = sandbox.control.state("vk")["ads"]
    assert len(ads["campaigns"]) == 1 and len(ads["ads"]) == 1
    paused = VkPauseAdOperator(task_id="pause", account_id=account, ad_id=first["ad_id"]).execute({})
    assert paused == {"ad_id": first["ad_id"], "status": 0}
    assert sandbox.control.state("vk")["ads"]["ads"][0]["status"] == 0
    with pytest.raises(ValidationError, match="ad_id"):
        VkPauseAdOperator(task_id="pause", account_id=account, ad_id="none").execute({})


def test_sync_moves_products_between_collections_and_sets_the_main_variant(sandbox, hook, tmp_path):
    mugs, sale = (hook.add_collection(t, cover=png(tmp_path / f"{t}.png", 500, 500)) for t in ("Mugs", "Sale"))
    rows = [{**_catalogue(tmp_path)[0], "album_ids": [mugs]}]
    first = VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    item_id = first["item_ids"]["MUG-1"]
    assert hook.get_products([item_id], extended=True)[0]["albums_ids"] == [mugs]
    assert VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})["unchanged"] == 1
    rows[0]["album_ids"] = f"{sale}"  # a CSV cell: the product now belongs to Sale only
    moved = VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})
    assert (moved["edited"], moved["edited_ids"]) == (1, [item_id])
    assert hook.get_products([item_id], extended=True)[0]["albums_ids"] == [sale]
    assert VkMarketSyncOperator(task_id="sync", catalogue=rows).execute({})["unchanged"] == 1  # idempotent
    csv = tmp_path / "shop.csv"
    csv.write_text("sku,name,description,category_id,price,is_main_variant\n"
                   "MUG-1,Mug classic,A white ceramic mug,301,199.90,true\n", encoding="utf-8")
    assert VkMarketSyncOperator(task_id="sync", catalogue=str(csv)).execute({})["unchanged"] == 1  # not grouped
