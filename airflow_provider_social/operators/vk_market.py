"""VK market and ads operators: sync a product catalogue into the community shop, promote a post, pause an ad.

Thin shells over :class:`~airflow_provider_social.hooks.vk.VkHook` (user token of a community admin with the
``market`` / ``ads`` scopes). Every input is checked before the first change; results are small JSON values for
XCom (counts and ids, never tokens). Each operator reads the current state first, so a retried task finishes the
job instead of doing it twice.
"""

from __future__ import annotations

import csv
import dataclasses
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.vk.products import Product
from airflow_provider_social.hooks.vk.wall import post_url
from airflow_provider_social.operators.vk import VkBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk import VkHook


def load_catalogue(catalogue: Any) -> list[dict[str, Any]]:
    """Catalogue rows from a list of dicts, or a ``.json`` (a list of objects) or ``.csv`` (a header row) file."""
    if isinstance(catalogue, (str, os.PathLike)):
        path = Path(catalogue)
        if not path.is_file():
            raise input_error("catalogue", f"no such file: {path}", service=SERVICE)
        if path.suffix.lower() == ".json":
            try:
                rows = json.loads(path.read_text(encoding="utf-8"))
            except ValueError as exc:
                raise input_error("catalogue", f"{path.name} is not valid JSON: {exc}", service=SERVICE) from None
        elif path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8", newline="") as handle:
                rows = list(csv.DictReader(handle))
        else:
            raise input_error("catalogue", f"expected a .json or .csv file, got {path.name}", service=SERVICE)
    else:
        rows = catalogue
    if not isinstance(rows, Sequence) or isinstance(rows, (str, bytes)) or not all(
            isinstance(r, Mapping) for r in rows):
        raise input_error("catalogue", "expected a list of product objects", service=SERVICE)
    return [dict(r) for r in rows]


class VkMarketSyncOperator(VkBaseOperator):
    """Make the community shop match a product catalogue, keyed by SKU.

    Adds products whose SKU the shop lacks (photos uploaded), edits products whose fields differ, and with
    ``delete_absent`` deletes shop products whose SKU is not in the catalogue (products without a SKU are never
    touched). Every row is checked (fields, limits, photo files, categories, duplicate SKUs) before the first
    change. Idempotent on retry: the shop is read first, so a retried run only does what is still missing.
    Fields VK does not return (dimensions, weight, photos) are sent when a product is added, not compared.

    Returns ``{"added", "edited", "unchanged", "deleted"}`` counts, ``"item_ids"`` (SKU -> product id) and
    ``"added_ids"``, ``"edited_ids"``, ``"deleted_ids"``.

    :param catalogue: a list of product dicts (fields of :class:`~airflow_provider_social.hooks.vk.products.Product`,
        ``sku`` required), or a path to a ``.json`` / ``.csv`` file. Templated.
    :param delete_absent: delete shop products whose SKU is not in the catalogue (default False).
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "catalogue")

    def __init__(self, *, catalogue: Any, delete_absent: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalogue = catalogue
        self.delete_absent = delete_absent

    def execute(self, context: Context) -> dict[str, Any]:
        """Sync the shop.

        :param context: the task's Airflow context.
        """
        products = self._products()
        hook = self.get_hook()
        categories = hook.market_categories()
        for n, product in enumerate(products):
            if product.category_id not in categories:
                raise input_error(f"catalogue[{n}].category_id", f"unknown category {product.category_id}",
                                  service=SERVICE)
        shop: dict[str, dict[str, Any]] = {}
        for item in hook.list_products(group_id=self.group_id, with_disabled=True):
            if item.get("sku"):
                shop.setdefault(str(item["sku"]), item)  # newest first: the newest product with a SKU wins
        result: dict[str, Any] = {"added": 0, "edited": 0, "unchanged": 0, "deleted": 0, "item_ids": {},
                                  "added_ids": [], "edited_ids": [], "deleted_ids": []}
        for product in products:
            assert product.sku is not None
            current = shop.get(product.sku)
            if current is None:
                item_id = hook.add_product(product, group_id=self.group_id, categories=categories)["item_id"]
                result["added"] += 1
                result["added_ids"].append(item_id)
            elif product.differs_from(current):
                item_id = int(current["id"])
                changes = dataclasses.replace(product, main_photo=None, photos=())  # photos stay as they are
                hook.edit_product(item_id, changes, group_id=self.group_id, categories=categories)
                result["edited"] += 1
                result["edited_ids"].append(item_id)
            else:
                item_id = int(current["id"])
                result["unchanged"] += 1
            result["item_ids"][product.sku] = item_id
        if self.delete_absent:
            wanted = {p.sku for p in products}
            for sku, item in shop.items():
                if sku not in wanted:
                    hook.delete_product(int(item["id"]), group_id=self.group_id)
                    result["deleted"] += 1
                    result["deleted_ids"].append(int(item["id"]))
        self.log.info("VK shop sync: %d added, %d edited, %d unchanged, %d deleted", result["added"],
                      result["edited"], result["unchanged"], result["deleted"])
        return result

    def _products(self) -> list[Product]:
        rows = load_catalogue(self.catalogue)
        products: list[Product] = []
        seen: dict[str, int] = {}
        for n, row in enumerate(rows):
            product = Product.from_mapping(row, where=f"catalogue[{n}]")
            if not product.sku:
                raise input_error(f"catalogue[{n}].sku", "every catalogue product needs a SKU (the sync key)",
                                  service=SERVICE)
            if product.sku in seen:
                raise input_error(f"catalogue[{n}].sku",
                                  f"SKU {product.sku!r} is also in catalogue[{seen[product.sku]}]", service=SERVICE)
            seen[product.sku] = n
            products.append(product)
        return products


class VkAdsOperator(VkBaseOperator):
    """Shared: the ads account.

    :param account_id: the ads account (``ads.getAccounts``). Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "account_id")

    def __init__(self, *, account_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.account_id = account_id


class VkPromotePostOperator(VkAdsOperator):
    """Promote a community post: a ``promoted_posts`` campaign (found by name or created) and an ad for the post
    (ad format 9, autobidding, the seed library's defaults).

    Idempotent on retry: an existing campaign of that name is reused, and an ad of that campaign already linked to
    the post is returned instead of creating another. Returns ``{"campaign_id", "ad_id", "post_url", "created"}``.

    :param account_id: the ads account (``ads.getAccounts``). Templated.
    :param post_id: the post on the community wall, e.g. from XCom. Templated.
    :param daily_limit: roubles per day. Templated.
    :param category_id: an ad category id (``ads.getCategories`` v2). Templated.
    :param campaign_id: an existing ``promoted_posts`` campaign; default: find or create ``campaign_name``.
    :param campaign_name: the campaign to find or create (default ``"Promoted posts"``).
    """

    template_fields: Sequence[str] = (*VkAdsOperator.template_fields, "post_id", "daily_limit", "category_id",
                                      "campaign_id", "campaign_name")

    def __init__(self, *, post_id: Any, daily_limit: Any, category_id: Any, campaign_id: Any = None,
                 campaign_name: str = "Promoted posts", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.post_id = post_id
        self.daily_limit = daily_limit
        self.category_id = category_id
        self.campaign_id = campaign_id
        self.campaign_name = campaign_name

    def execute(self, context: Context) -> dict[str, Any]:
        """Create (or find) the campaign and the ad.

        :param context: the task's Airflow context.
        """
        post_id = _int(self.post_id, "post_id")
        daily_limit, category = _int(self.daily_limit, "daily_limit"), _int(self.category_id, "category_id")
        account = _int(self.account_id, "account_id")
        hook: VkHook = self.get_hook()
        gid = hook.group(self.group_id)
        link = f"https://vk.com/wall-{gid}_{post_id}"
        campaign = _int(self.campaign_id, "campaign_id") if self.campaign_id not in (None, "") else None
        if campaign is None:
            found = [c for c in hook.get_campaigns(account) if c.get("type") == "promoted_posts"
                     and c.get("name") == self.campaign_name]
            campaign = int(found[0]["id"]) if found else hook.create_promoted_posts_campaign(account,
                                                                                              self.campaign_name)
        existing = [a for a in hook.get_ads(account, campaign_ids=[campaign]) if a.get("link_url") == link]
        created = not existing
        ad_id = int(existing[0]["id"]) if existing else hook.create_post_ad(
            account, campaign, post_id, daily_limit=daily_limit, category_id=category, group_id=gid)
        return {"campaign_id": campaign, "ad_id": ad_id, "post_url": post_url(gid, post_id), "created": created}


class VkPauseAdOperator(VkAdsOperator):
    """Pause an ad (status 0); pausing a paused ad is harmless. Returns ``{"ad_id", "status": 0}``.

    :param account_id: the ads account. Templated.
    :param ad_id: the ad, e.g. from XCom. Templated.
    """

    template_fields: Sequence[str] = (*VkAdsOperator.template_fields, "ad_id")

    def __init__(self, *, ad_id: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ad_id = ad_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Pause the ad.

        :param context: the task's Airflow context.
        """
        ad_id = _int(self.ad_id, "ad_id")
        self.get_hook().pause_ad(_int(self.account_id, "account_id"), ad_id)
        return {"ad_id": ad_id, "status": 0}


def _int(value: Any, name: str) -> int:
    if isinstance(value, Mapping):
        for key in ("ad_id", "post_id", "campaign_id"):
            if key == name and key in value:
                value = value[key]
    if isinstance(value, bool) or not str(value).strip().isdigit() or int(str(value).strip()) <= 0:
        raise input_error(name, f"expected a positive integer, got {value!r}", service=SERVICE)
    return int(str(value).strip())


__all__ = ["VkMarketSyncOperator", "VkPauseAdOperator", "VkPromotePostOperator", "load_catalogue"]
