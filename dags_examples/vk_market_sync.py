"""Nightly shop sync: make the VK community shop match a catalogue file, then promote the newest product.

The catalogue (``vk_market_catalogue.json`` beside this file) lists products keyed by SKU; the sync adds missing
products (with a main photo generated here, so the example runs anywhere, and kept with the shop's other pictures on
Yandex Disk: ``yadisk://``, read from there streamed; an ``s3://`` or ``https://`` URL works the same), edits
changed ones and leaves the rest.
Then a wall post announces the newest product, a ``promoted_posts`` campaign gets an ad for that post, and the ad
is paused again (the example spends nothing).

Tokens (docs/services/vk-market-ads.md): the user token of a community admin with the ``market`` and ``ads`` scopes
(``access_token``); the ads account is the first one that token can use.
"""

from __future__ import annotations

import json
import struct
import zlib
from datetime import datetime, timedelta
from pathlib import Path

from airflow.sdk import dag, task

from airflow_provider_social.operators.vk import VkCreatePostOperator
from airflow_provider_social.operators.vk_market import (
    VkMarketSyncOperator,
    VkPauseAdOperator,
    VkPromotePostOperator,
)

CATALOGUE = Path(__file__).with_name("vk_market_catalogue.json")
PHOTOS = "yadisk://yandex_disk_default@/Shop/photos"  # the shop's product photos (any object store URL)
AD_CATEGORY_ID = 51  # "Интернет-магазины" in the v2 list of ads.getCategories (the sandbox's too)


def product_png(side: int = 400) -> bytes:
    """A plain square PNG of VK's minimum product-photo size."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    rows = b"".join(b"\x00" + b"\xf2\xf3\xf5" * side for _ in range(side))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


@dag(
    dag_id="vk_market_sync",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["vk", "market", "example"],
    default_args={"retries": 1, "retry_delay": timedelta(seconds=5)},
)
def vk_market_sync():
    @task
    def prepare_catalogue() -> list[dict]:
        from airflow.sdk import ObjectStoragePath

        photo = ObjectStoragePath(f"{PHOTOS}/product.png")
        photo.write_bytes(product_png())
        rows = json.loads(CATALOGUE.read_text(encoding="utf-8"))
        return [{**row, "main_photo": row.get("main_photo") or str(photo)} for row in rows]

    sync = VkMarketSyncOperator(task_id="sync_shop", catalogue=prepare_catalogue())

    @task
    def newest_product(result: dict) -> dict:
        from airflow_provider_social.hooks.vk import VkHook

        hook = VkHook()
        item_id = max(result["item_ids"].values())
        product = hook.get_products([item_id])[0]
        print(f"sync: {result['added']} added, {result['edited']} edited, {result['unchanged']} unchanged")
        return {"item_id": item_id, "title": product["title"], "price": product["price"]["text"],
                "account_id": hook.ad_accounts()[0]["account_id"]}

    newest = newest_product(sync.output)
    announce = VkCreatePostOperator(
        task_id="announce",
        message="Новинка в магазине: {{ ti.xcom_pull(task_ids='newest_product')['title'] }} — "
                "{{ ti.xcom_pull(task_ids='newest_product')['price'] }}",
    )
    promote = VkPromotePostOperator(
        task_id="promote",
        account_id="{{ ti.xcom_pull(task_ids='newest_product')['account_id'] }}",
        post_id="{{ ti.xcom_pull(task_ids='announce')['post_id'] }}",
        daily_limit=300,
        category_id=AD_CATEGORY_ID,
        campaign_name="Shop novelties",
    )
    pause = VkPauseAdOperator(
        task_id="pause_ad",
        account_id="{{ ti.xcom_pull(task_ids='newest_product')['account_id'] }}",
        ad_id="{{ ti.xcom_pull(task_ids='promote')['ad_id'] }}",
    )
    newest >> announce >> promote >> pause


vk_market_sync()
