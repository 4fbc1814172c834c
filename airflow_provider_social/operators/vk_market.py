"""VK market and ads operators: sync a product catalogue into the community shop, promote a post, pause an ad.

Thin shells over :class:`~airflow_provider_social.hooks.vk.VkHook` (user token of a community admin with the
``market`` / ``ads`` scopes). Every input is checked before the first change; results are small JSON values for
XCom (counts and ids, never tokens). Each operator reads the current state first, so a retried task finishes the
job instead of doing it twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.rendered import rendered_value
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.vk.market_rows import load_catalogue
from airflow_provider_social.hooks.vk.market_values import DeletionBound, ad_name, deletion_bound, whole_number
from airflow_provider_social.hooks.vk.products import Product
from airflow_provider_social.operators.vk import VkBaseOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk import VkHook


#: Default bound on deletions by ``VkMarketSyncOperator(delete_absent=True)``: a tenth of the shop's products with
#: a SKU, rounded up (so a shop of 1..10 such products may lose one per run).
DEFAULT_MAX_DELETE = 0.1


class VkMarketSyncOperator(VkBaseOperator):
    """Make the community shop match a product catalogue, keyed by SKU.

    Adds products whose SKU the shop lacks (photos uploaded), edits products whose fields differ, and with
    ``delete_absent`` deletes shop products whose SKU is not in the catalogue (products without a SKU are never
    touched). Every row is checked (fields, limits, every photo file by its bytes and VK's 400 x 400 px product
    minimum, categories, duplicate SKUs) and the deletions are bounded before the first change; errors name the row
    as ``catalogue[<n>].<field>``, ``n`` counting products from 0. Idempotent on retry: the shop is read first, so a
    retried run only does what is still missing. Fields VK does not return (dimensions, weight, photos) are sent
    when a product is added, not compared. A row's ``album_ids`` (its collections) and ``is_main_variant`` are
    compared and, when they differ, applied by the edit (the product is added to and removed from collections to
    match); rows without them leave them alone.

    With ``delete_absent``, an empty catalogue (an empty list, a header-only CSV, ``[]`` in JSON) is refused: it is
    far more often a failed export than a wish to empty the shop. More deletions than ``max_delete`` allows are
    refused too, naming how many products would go; nothing is changed in either case.

    Returns ``{"added", "edited", "unchanged", "deleted"}`` counts, ``"item_ids"`` (SKU -> product id) and
    ``"added_ids"``, ``"edited_ids"``, ``"deleted_ids"``.

    :param catalogue: a list of product dicts (fields of :class:`~airflow_provider_social.hooks.vk.products.Product`,
        ``sku`` required; also as rendered JSON or Python repr), or a path to a ``.json`` / ``.csv`` file (see
        :func:`~airflow_provider_social.hooks.vk.market_rows.load_catalogue`). Templated.
    :param delete_absent: delete shop products whose SKU is not in the catalogue (default False).
    :param max_delete: the most products one run may delete: an int is a count, a float in 0..1 (or ``"25%"``) a
        fraction of the shop's products with a SKU, rounded up; default 0.1. ``1.0`` lifts the bound.
    :param encoding: the catalogue file's encoding (default UTF-8, with or without a byte order mark), e.g.
        ``"cp1251"`` for a CSV saved by Russian Excel as plain "CSV".
    :param delimiter: the CSV delimiter (default: ``,``, ``;`` or tab, whichever splits the header row into the
        most columns, or Excel's ``sep=`` first line).
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "catalogue")

    def __init__(self, *, catalogue: Any, delete_absent: bool = False,
                 max_delete: int | float | str = DEFAULT_MAX_DELETE, encoding: str | None = None,
                 delimiter: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalogue, self.delete_absent, self.max_delete = catalogue, delete_absent, max_delete
        self.encoding, self.delimiter = encoding, delimiter

    def execute(self, context: Context) -> dict[str, Any]:
        """Sync the shop.

        :param context: the task's Airflow context.
        """
        bound = deletion_bound(self.max_delete)
        hook = self.get_hook()
        gid = hook.group(self.group_id)
        products = self._products()
        categories = hook.market_categories()
        for n, product in enumerate(products):
            if product.category_id not in categories:
                raise input_error(f"catalogue[{n}].category_id", f"unknown category {product.category_id}",
                                  service=SERVICE)
        shop: dict[str, dict[str, Any]] = {}
        # extended: each product's collections (albums_ids), compared when a row gives album_ids
        for item in hook.list_products(group_id=gid, with_disabled=True,
                                       extended=any(p.album_ids is not None for p in products)):
            if item.get("sku"):
                shop.setdefault(str(item["sku"]), item)  # newest first: the newest product with a SKU wins
        wanted = {p.sku for p in products}
        absent = [int(item["id"]) for sku, item in shop.items() if sku not in wanted] if self.delete_absent else []
        if self.delete_absent:
            _check_deletions(len(products), len(absent), len(shop), bound)
        result: dict[str, Any] = {"added": 0, "edited": 0, "unchanged": 0, "deleted": 0, "item_ids": {},
                                  "added_ids": [], "edited_ids": [], "deleted_ids": []}
        for product in products:
            assert product.sku is not None
            current = shop.get(product.sku)
            if current is None:
                item_id = hook.add_product(product, group_id=gid, categories=categories)["item_id"]
                result["added"] += 1
                result["added_ids"].append(item_id)
            elif product.differs_from(current):
                item_id = int(current["id"])
                changes = dataclasses.replace(product, main_photo=None, photos=())  # photos stay as they are
                hook.edit_product(item_id, changes, group_id=gid, categories=categories)
                result["edited"] += 1
                result["edited_ids"].append(item_id)
            else:
                item_id = int(current["id"])
                result["unchanged"] += 1
            result["item_ids"][product.sku] = item_id
        for item_id in absent:
            hook.delete_product(item_id, group_id=gid)
            result["deleted"] += 1
            result["deleted_ids"].append(item_id)
        self.log.info("VK shop sync: %d added, %d edited, %d unchanged, %d deleted", result["added"],
                      result["edited"], result["unchanged"], result["deleted"])
        return result

    def _products(self) -> list[Product]:
        """Every row as a checked product, photo files included, before any request."""
        from airflow_provider_social.hooks.vk.market import check_product_files

        rows = load_catalogue(self.catalogue, encoding=self.encoding, delimiter=self.delimiter)
        products: list[Product] = []
        seen: dict[str, int] = {}
        for n, row in enumerate(rows):
            where = f"catalogue[{n}]"
            product = Product.from_mapping(row, where=where)
            if not product.sku:
                raise input_error(f"{where}.sku", "every catalogue product needs a SKU (the sync key)",
                                  service=SERVICE)
            if product.sku in seen:
                raise input_error(f"{where}.sku",
                                  f"SKU {product.sku!r} is also in catalogue[{seen[product.sku]}]", service=SERVICE)
            check_product_files(product, where)
            seen[product.sku] = n
            products.append(product)
        return products


def _check_deletions(rows: int, deletions: int, shop_size: int, bound: DeletionBound) -> None:
    """Refuse an empty catalogue and deletions beyond the bound (before any change)."""
    if rows == 0:
        raise input_error("catalogue", f"is empty, and delete_absent=True would delete all {shop_size} products "
                          "with a SKU from the shop; refused whatever max_delete allows (an empty catalogue is "
                          "usually a failed export). Nothing was changed; to empty the shop, delete its products "
                          "with VkHook.delete_product", service=SERVICE)
    allowed = bound.allowed(shop_size)
    if deletions > allowed:
        raise input_error("max_delete", f"delete_absent=True would delete {deletions} of the shop's {shop_size} "
                          f"products with a SKU; max_delete={bound.given!r} allows at most {allowed}. Nothing was "
                          "changed; raise max_delete (a count, or a fraction such as 0.5) if these deletions are "
                          "meant", service=SERVICE)


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
        self.post_id, self.daily_limit, self.category_id = post_id, daily_limit, category_id
        self.campaign_id, self.campaign_name = campaign_id, campaign_name

    def execute(self, context: Context) -> dict[str, Any]:
        """Create (or find) the campaign and the ad.

        :param context: the task's Airflow context.
        """
        post_id = _int(self.post_id, "post_id")
        daily_limit = whole_number(self.daily_limit, "daily_limit", what="whole roubles > 0")
        category, account = _int(self.category_id, "category_id"), _int(self.account_id, "account_id")
        campaign = _int(self.campaign_id, "campaign_id") if self.campaign_id not in (None, "") else None
        campaign_name = ad_name(rendered_value(self.campaign_name, "campaign_name", service=SERVICE),
                                "campaign_name")
        hook: VkHook = self.get_hook()
        gid = hook.group(self.group_id)
        link = f"https://vk.com/wall-{gid}_{post_id}"
        if campaign is None:
            found = [c for c in hook.get_campaigns(account) if c.get("type") == "promoted_posts"
                     and c.get("name") == campaign_name]
            campaign = int(found[0]["id"]) if found else hook.create_promoted_posts_campaign(account, campaign_name)
        existing = [a for a in hook.get_ads(account, campaign_ids=[campaign]) if a.get("link_url") == link]
        created = not existing
        ad_id = int(existing[0]["id"]) if existing else hook.create_post_ad(
            account, campaign, post_id, daily_limit=daily_limit, category_id=category, group_id=gid)
        from airflow_provider_social.hooks.vk.wall import post_url  # at run time: wall pulls in the upload code

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
        ad_id, account = _int(self.ad_id, "ad_id"), _int(self.account_id, "account_id")
        hook = self.get_hook()
        if self.group_id not in (None, ""):
            hook.group(self.group_id)  # unused by a pause, but a wrong value is the DAG's mistake: say so
        hook.pause_ad(account, ad_id)
        return {"ad_id": ad_id, "status": 0}


def _int(value: Any, name: str) -> int:
    """A positive id; an XCom dict holding the id under the parameter's own name (``{"ad_id": 5}``) gives it."""
    if isinstance(value, Mapping) and name in ("ad_id", "post_id", "campaign_id") and name in value:
        value = value[name]
    return whole_number(value, name, what="a positive integer")


__all__ = ["DEFAULT_MAX_DELETE", "VkMarketSyncOperator", "VkPauseAdOperator", "VkPromotePostOperator",
           "load_catalogue"]
