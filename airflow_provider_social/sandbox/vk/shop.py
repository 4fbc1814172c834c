"""In-memory VK market (community shop) and ads cabinet: state, fixtures and control-API settings.

Kept apart from :mod:`.state` (``VkState.shop``). Fixtures: the sandbox community has its shop enabled (the other
community has not: 1438), a small category tree, two orders, and user 1 owns one ads account. Orders, shop
switches, ads accounts and ads statistics are settable through ``POST /_control/state/vk`` (``market_orders``,
``market_enabled``, ``ads_accounts``, ``ads_stats``) and appear in its dump under ``market`` and ``ads``.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, Protocol

from ..clock import SandboxClock
from .fixtures import ADMIN_USER_ID, GROUP_ID


class VkWorld(Protocol):
    """What the shop reads of the VK sandbox's state (``VkState``), named here so the two modules do not import
    each other."""

    @property
    def users(self) -> Mapping[int, Any]: ...

    @property
    def groups(self) -> Mapping[int, Any]: ...

    @property
    def clock(self) -> SandboxClock: ...

ADS_ACCOUNT_ID = 1900001
# The sandbox's category tree (ids are the sandbox's own; VK's v2 tree is large and changes). Products take a
# leaf id; market.getCategories answers {"items": [tree...]} (schema market_getCategories_new_response).
CATEGORY_TREE: list[dict[str, Any]] = [
    {"id": 1, "name": "Одежда, обувь и аксессуары", "children": [
        {"id": 101, "name": "Женская одежда"}, {"id": 102, "name": "Мужская одежда"},
        {"id": 103, "name": "Аксессуары"}]},
    {"id": 2, "name": "Электроника", "children": [
        {"id": 201, "name": "Телефоны и аксессуары"}, {"id": 202, "name": "Компьютеры"}]},
    {"id": 3, "name": "Книги, игры и хобби", "children": [
        {"id": 301, "name": "Книги"}, {"id": 302, "name": "Настольные игры"}]},
]
# ads.getCategories answers {"v1": [...], "v2": [...]} (schema ads_getCategories_response); a sandbox subset.
ADS_CATEGORIES: dict[str, list[dict[str, Any]]] = {
    "v1": [{"id": 1, "name": "Авто", "subcategories": [{"id": 2, "name": "Автозапчасти"}]}],
    "v2": [
        {"id": 51, "name": "Интернет-магазины", "subcategories": [{"id": 52, "name": "Одежда и обувь"}]},
        {"id": 53, "name": "Книги и издательства"},
        {"id": 54, "name": "Электроника и бытовая техника"},
    ],
}
ORDER_STATUSES = range(0, 7)  # 0 new .. 6 returned (dev.vk.com market order statuses)


def leaf_categories() -> dict[int, tuple[str, dict[str, Any]]]:
    return {child["id"]: (child["name"], top) for top in CATEGORY_TREE for child in top.get("children", [])}


def ads_category_ids() -> set[int]:
    ids: set[int] = set()
    for items in ADS_CATEGORIES.values():
        for item in items:
            ids.add(item["id"])
            ids.update(sub["id"] for sub in item.get("subcategories", []))
    return ids


class ShopState:
    """Market and ads state of the VK sandbox (under ``VkState.lock``)."""

    KNOWN = frozenset({"market_orders", "market_enabled", "ads_accounts", "ads_stats"})

    def __init__(self, vk: VkWorld) -> None:

        self.vk = vk
        self.ids = {name: itertools.count(start) for name, start in (
            ("item", 1), ("album", 1), ("property", 1), ("variant", 1), ("item_group", 1), ("order", 1),
            ("campaign", 1001), ("ad", 5001))}
        self.enabled: set[int] = {GROUP_ID}
        self.items: dict[tuple[int, int], dict[str, Any]] = {}  # (owner_id, item_id) -> internal item
        self.albums: dict[tuple[int, int], dict[str, Any]] = {}
        self.properties: dict[int, dict[int, dict[str, Any]]] = {}  # group -> property id -> property
        self.photos: set[tuple[int, int]] = set()  # (owner_id, photo_id) saved through market.saveProductPhoto
        self.orders: list[dict[str, Any]] = []
        self.accounts: dict[int, dict[str, Any]] = {}
        self.campaigns: dict[int, dict[str, Any]] = {}
        self.ads: dict[int, dict[str, Any]] = {}
        self.ads_stats: dict[int, dict[str, dict[str, Any]]] = {}  # ad id -> day -> stats
        self._add_account({"account_id": ADS_ACCOUNT_ID, "user_id": ADMIN_USER_ID, "name": "Sandbox cabinet"})
        now = int(vk.clock.now())
        for user_id, amount in ((2, 150000), (3, 49900)):
            self._add_order({"user_id": user_id, "amount": amount, "date": now - 86400 * user_id})

    def next_id(self, kind: str) -> int:
        return next(self.ids[kind])

    # ---------------------------------------------------------------- control API

    def configure(self, data: dict[str, Any]) -> None:
        if "market_enabled" in data:
            value = data["market_enabled"]
            if not isinstance(value, dict):
                raise ValueError("'market_enabled' must be {group_id: true|false}")
            for key, on in value.items():
                gid = int(key)
                if gid not in self.vk.groups or not isinstance(on, bool):
                    raise ValueError(f"'market_enabled': unknown community {key!r} or a non-boolean value")
                (self.enabled.add if on else self.enabled.discard)(gid)
        if "market_orders" in data:
            orders = data["market_orders"]
            if not isinstance(orders, list):
                raise ValueError("'market_orders' must be a list of {user_id, amount (kopecks), status?, "
                                 "items_count?, comment?, address?, group_id?, date?} (replaces the fixtures)")
            self.orders = []
            for spec in orders:
                self._add_order(spec)
        if "ads_accounts" in data:
            accounts = data["ads_accounts"]
            if not isinstance(accounts, list):
                raise ValueError("'ads_accounts' must be a list of {account_id, user_id, name?} (replaces them)")
            self.accounts = {}
            for spec in accounts:
                self._add_account(spec)
        if "ads_stats" in data:
            stats = data["ads_stats"]
            if not isinstance(stats, dict):
                raise ValueError("'ads_stats' must be {ad_id: {\"YYYY-MM-DD\": {impressions, clicks, reach, "
                                 "spent}}}")
            for ad_id, days in stats.items():
                if not isinstance(days, dict):
                    raise ValueError(f"'ads_stats.{ad_id}' must be a mapping of days")
                self.ads_stats[int(ad_id)] = {str(day): dict(values) for day, values in days.items()}

    def _add_order(self, spec: Any) -> None:

        if not isinstance(spec, dict):
            raise ValueError("each order is a mapping")
        unknown = set(spec) - {"user_id", "amount", "status", "items_count", "comment", "address", "group_id",
                               "date", "id"}
        if unknown:
            raise ValueError(f"unknown order fields {sorted(unknown)}")
        user_id, amount = spec.get("user_id"), spec.get("amount")
        if user_id not in self.vk.users or not isinstance(amount, int) or amount < 0:
            raise ValueError("an order needs a sandbox user_id and amount (kopecks, integer >= 0)")
        status = spec.get("status", 0)
        if status not in ORDER_STATUSES:
            raise ValueError("'status' must be 0..6")
        order_id = int(spec.get("id") or self.next_id("order"))
        self.orders.append({
            "id": order_id, "group_id": int(spec.get("group_id", GROUP_ID)), "user_id": user_id,
            "display_order_id": f"{user_id}-{order_id}", "date": int(spec.get("date", self.vk.clock.now())),
            "status": status, "items_count": int(spec.get("items_count", 1)),
            "comment": str(spec.get("comment", "")), "address": str(spec.get("address", "")),
            "total_price": price_object(amount),
        })

    def _add_account(self, spec: Any) -> None:
        if not isinstance(spec, dict) or not isinstance(spec.get("account_id"), int):
            raise ValueError("each ads account is {account_id: int, user_id: int, name?: str}")
        if spec.get("user_id") not in self.vk.users:
            raise ValueError(f"unknown user_id {spec.get('user_id')!r}")
        self.accounts[spec["account_id"]] = {
            "account_id": spec["account_id"], "account_type": "general", "account_status": 1,
            "account_name": str(spec.get("name", f"Cabinet {spec['account_id']}")), "access_role": "admin",
            "can_view_budget": True, "_user_id": spec["user_id"],
        }

    def dump(self) -> dict[str, Any]:
        def public(obj: dict[str, Any]) -> dict[str, Any]:
            return {k.lstrip("_"): sorted(v) if isinstance(v, set) else v for k, v in obj.items()}

        return {
            "market": {
                "enabled": sorted(self.enabled),
                "items": [public(i) for i in self.items.values()],
                "albums": [public(a) for a in self.albums.values()],
                "properties": {str(g): list(p.values()) for g, p in self.properties.items()},
                "photos": [list(p) for p in sorted(self.photos)],
                "orders": list(self.orders),
            },
            "ads": {
                "accounts": [public(a) for a in self.accounts.values()],
                "campaigns": [public(c) for c in self.campaigns.values()],
                "ads": [public(a) for a in self.ads.values()],
                "stats": {str(k): v for k, v in self.ads_stats.items()},
            },
        }


def price_object(kopecks: int, old_kopecks: int | None = None) -> dict[str, Any]:
    """VK's market_price: ``amount`` in hundredths of the currency as a string, RUB, and a display text."""
    def text(value: int) -> str:
        rubles, rest = divmod(value, 100)
        return f"{rubles:,}".replace(",", " ") + (f",{rest:02d}" if rest else "") + " ₽"

    price: dict[str, Any] = {"amount": str(kopecks), "currency": {"id": 643, "name": "RUB", "title": "₽"},
                             "text": text(kopecks)}
    if old_kopecks:
        price["old_amount"] = str(old_kopecks)
        price["old_amount_text"] = text(old_kopecks)
        if old_kopecks > kopecks:
            price["discount_rate"] = round(100 * (old_kopecks - kopecks) / old_kopecks)
    return price
