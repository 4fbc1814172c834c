"""ads.getAccounts, ads.getCategories, ads.createCampaigns, ads.getCampaigns, ads.createAds, ads.getAds,
ads.updateAds, ads.getStatistics.

From VK's schema (``VKCOM/vk-api-schema`` 5.199, ads/methods.json, responses.json, objects.json, errors.json):
every ads method takes a user token only (a community key gets 27) with the ``ads`` right (15 "... cannot be
called with current scopes" otherwise). An ``account_id`` that is not one of the caller's ads accounts gets 600
"Permission denied. You have no access to operations specified with given object(s)". createCampaigns,
createAds and updateAds take ``data``, a JSON array, and answer one status per object: ``{"id"}`` or
``{"id": 0, "error_code", "error_desc"}`` (schema ads_create_*_status); the per-object limits (50 campaigns,
5 ads) are the old dev.vk.com method pages' (UNCONFIRMED today).

Rate limits: VK documented the ads section apart from the 3/s user limit (reference 1.4: "the limits exclude the
secure and ads sections"); its own limits are UNCONFIRMED, so the sandbox applies the user-token limit to ads too.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from ..errors import VkError, invalid
from ..shop import ADS_CATEGORIES, ShopState, ads_category_ids
from .registry import Call, method

NO_ACCESS = (600, "Permission denied. You have no access to operations specified with given object(s)")
CAMPAIGN_TYPES = ("normal", "vk_apps_managed", "mobile_apps", "promoted_posts", "adaptive_ads")
MAX_CAMPAIGNS = 50
MAX_ADS = 5
PROMOTED_POST_FORMAT = 9
_WALL_RE = re.compile(r"^(?:https?://)?(?:m\.)?vk\.(?:com|ru)/wall(-\d+)_(\d+)$")


def _shop(call: Call) -> ShopState:
    return call.vk.shop


def _account(call: Call) -> int:
    account_id = call.params.req_int("account_id")
    account = _shop(call).accounts.get(account_id)
    if account is None or account["_user_id"] != call.user_id:
        raise VkError(*NO_ACCESS)
    return account_id


def _data(call: Call, limit: int) -> list[Any]:
    specs = call.params.json("data", required=True)
    if not isinstance(specs, list) or not specs:
        raise invalid("data")
    if len(specs) > limit:
        raise invalid("data", f"is too long (at most {limit} objects)")
    return specs


def _failed(code: int, desc: str) -> dict[str, Any]:
    return {"id": 0, "error_code": code, "error_desc": desc}


def _int(spec: dict[str, Any], name: str, lo: int = 0, hi: int | None = None) -> int | None:
    value = spec.get(name)
    if value is None or value == "":
        return None
    try:
        number = int(str(value))
    except ValueError:
        raise ValueError(f"{name} is invalid") from None
    if number < lo or (hi is not None and number > hi):
        raise ValueError(f"{name} is out of range")
    return number


@method("ads.getAccounts", ("user",), scope="ads")
def get_accounts(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        return [{k: v for k, v in a.items() if not k.startswith("_")} for a in _shop(call).accounts.values()
                if a["_user_id"] == call.user_id]


@method("ads.getCategories", ("user",), scope="ads")
def get_categories(call: Call) -> dict[str, Any]:
    call.params.str("lang")
    return ADS_CATEGORIES


@method("ads.createCampaigns", ("user",), scope="ads")
def create_campaigns(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        account_id = _account(call)
        answers = []
        for spec in _data(call, MAX_CAMPAIGNS):
            try:
                answers.append({"id": _campaign(call, account_id, spec)})
            except ValueError as exc:
                answers.append(_failed(100, f"One of the parameters specified was missing or invalid: {exc}"))
        return answers


def _campaign(call: Call, account_id: int, spec: Any) -> int:
    if not isinstance(spec, dict):
        raise ValueError("campaign_specification is invalid")
    kind = spec.get("type", "normal")
    if kind not in CAMPAIGN_TYPES:
        raise ValueError("type is invalid")
    name = spec.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 60:
        raise ValueError("name is invalid")
    status = _int(spec, "status", 0, 1) or 0
    start, stop = _int(spec, "start_time") or 0, _int(spec, "stop_time") or 0
    if start and stop and stop <= start:
        raise ValueError("stop_time is invalid")
    shop = _shop(call)
    campaign_id = shop.next_id("campaign")
    now = int(call.vk.clock.now())
    shop.campaigns[campaign_id] = {
        "id": campaign_id, "type": kind, "name": name, "status": status,
        "day_limit": str(_int(spec, "day_limit") or 0), "all_limit": str(_int(spec, "all_limit") or 0),
        "start_time": start, "stop_time": stop, "create_time": now, "update_time": now, "_account_id": account_id,
    }
    return campaign_id


@method("ads.getCampaigns", ("user",), scope="ads")
def get_campaigns(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        account_id = _account(call)
        ids = _id_filter(call, "campaign_ids")
        include_deleted = call.params.flag("include_deleted")
        return [{k: v for k, v in c.items() if not k.startswith("_")} for c in _shop(call).campaigns.values()
                if c["_account_id"] == account_id and (ids is None or c["id"] in ids)
                and (include_deleted or c["status"] != 2)]


def _id_filter(call: Call, name: str) -> set[int] | None:
    raw = call.params.json(name)
    if raw is None:
        return None
    if not isinstance(raw, list) or not all(isinstance(v, int) or str(v).isdigit() for v in raw):
        raise invalid(name)
    return {int(v) for v in raw}


@method("ads.createAds", ("user",), scope="ads")
def create_ads(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        account_id = _account(call)
        answers = []
        for spec in _data(call, MAX_ADS):
            try:
                answers.append({"id": _ad(call, account_id, spec)})
            except ValueError as exc:
                answers.append(_failed(100, f"One of the parameters specified was missing or invalid: {exc}"))
            except VkError as exc:
                answers.append(_failed(exc.code, exc.msg))
        return answers


def _ad(call: Call, account_id: int, spec: Any) -> int:
    if not isinstance(spec, dict):
        raise ValueError("ad_specification is invalid")
    shop = _shop(call)
    campaign = shop.campaigns.get(_int(spec, "campaign_id", 1) or 0)
    if campaign is None or campaign["_account_id"] != account_id:
        raise VkError(*NO_ACCESS)
    ad_format = _int(spec, "ad_format", 1)
    if ad_format is None:
        raise ValueError("ad_format is undefined")
    if (campaign["type"] == "promoted_posts") != (ad_format == PROMOTED_POST_FORMAT):
        raise ValueError("ad_format is invalid")  # promoted_posts campaigns hold format 9 ads only
    category = _int(spec, "category1_id", 1)
    if category is None or category not in ads_category_ids():
        raise ValueError("category1_id is invalid")
    link = spec.get("link_url")
    if not isinstance(link, str) or not link:
        raise ValueError("link_url is undefined")
    if ad_format == PROMOTED_POST_FORMAT:
        match = _WALL_RE.match(link.strip())
        post = call.vk.posts.get((int(match[1]), int(match[2]))) if match else None
        if post is None or post.get("_deleted") or post.get("deleted"):
            raise ValueError("link_url is invalid")
        group = call.vk.groups.get(-int(match[1])) if match else None
        if group is None or call.user_id not in group.admins:
            raise VkError(*NO_ACCESS)
    autobidding = _int(spec, "autobidding", 0, 1) or 0
    cost_type = _int(spec, "cost_type", 0, 3)
    if not autobidding and cost_type is None:
        raise ValueError("cost_type is undefined")
    name = spec.get("name") or f"Ad {len(shop.ads) + 1}"
    ad_id = shop.next_id("ad")
    now = int(call.vk.clock.now())
    shop.ads[ad_id] = {
        "id": ad_id, "campaign_id": campaign["id"], "ad_format": ad_format, "cost_type": cost_type or 0,
        "autobidding": autobidding, "name": str(name)[:60], "status": _int(spec, "status", 0, 1) or 0,
        "approved": 1, "day_limit": str(_int(spec, "day_limit") or 0), "all_limit": str(_int(spec, "all_limit") or 0),
        "category1_id": category, "link_url": link, "ad_platform": "all", "create_time": now, "update_time": now,
        "_account_id": account_id,
    }
    if call.vk.sandbox is not None:
        call.vk.sandbox.record("vk", "ad", account_id=account_id, ad_id=ad_id, link_url=link)
    return ad_id


@method("ads.getAds", ("user",), scope="ads")
def get_ads(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        account_id = _account(call)
        ad_ids, campaign_ids = _id_filter(call, "ad_ids"), _id_filter(call, "campaign_ids")
        include_deleted = call.params.flag("include_deleted")
        return [{k: v for k, v in a.items() if not k.startswith("_")} for a in _shop(call).ads.values()
                if a["_account_id"] == account_id and (ad_ids is None or a["id"] in ad_ids)
                and (campaign_ids is None or a["campaign_id"] in campaign_ids)
                and (include_deleted or a["status"] != 2)]


@method("ads.updateAds", ("user",), scope="ads")
def update_ads(call: Call) -> list[dict[str, Any]]:
    with call.vk.lock:
        account_id = _account(call)
        answers = []
        for spec in _data(call, MAX_ADS):
            ad = _shop(call).ads.get(_int_or_zero(spec, "ad_id")) if isinstance(spec, dict) else None
            if ad is None or ad["_account_id"] != account_id:
                answers.append(_failed(*NO_ACCESS))
                continue
            if ad["status"] == 2:
                answers.append(_failed(629, "Object deleted"))
                continue
            try:
                status = _int(spec, "status", 0, 2)
                day_limit = _int(spec, "day_limit")
            except ValueError as exc:
                answers.append(_failed(100, f"One of the parameters specified was missing or invalid: {exc}"))
                continue
            if status is not None:
                ad["status"] = status
            if day_limit is not None:
                ad["day_limit"] = str(day_limit)
            ad["update_time"] = int(call.vk.clock.now())
            answers.append({"id": ad["id"]})
        return answers


def _int_or_zero(spec: dict[str, Any], name: str) -> int:
    try:
        return _int(spec, name, 1) or 0
    except ValueError:
        return 0


@method("ads.getStatistics", ("user",), scope="ads")
def get_statistics(call: Call) -> list[dict[str, Any]]:
    p = call.params
    ids_type = p.str("ids_type", required=True)
    if ids_type not in ("ad", "campaign", "client", "office"):
        raise invalid("ids_type")
    ids = p.int_list("ids", required=True, max_count=2000)
    period = p.str("period", required=True)
    if period not in ("day", "month", "overall", "week", "year"):
        raise invalid("period")
    date_from, date_to = p.str("date_from", required=True), p.str("date_to", required=True)
    assert date_from is not None and date_to is not None
    if period == "day":
        first, last = _day(date_from, "date_from"), _day(date_to, "date_to")
    elif period == "overall":
        first, last = "0000-00-00", "9999-99-99"
    else:
        raise invalid("period", "is not supported by the sandbox (day or overall)")
    with call.vk.lock:
        account_id = _account(call)
        shop = _shop(call)
        answer = []
        for object_id in ids:
            if ids_type == "ad":
                ad_ids = [object_id] if shop.ads.get(object_id, {}).get("_account_id") == account_id else None
            elif ids_type == "campaign":
                campaign = shop.campaigns.get(object_id)
                ad_ids = ([a["id"] for a in shop.ads.values() if a["campaign_id"] == object_id]
                          if campaign and campaign["_account_id"] == account_id else None)
            else:
                ad_ids = [a["id"] for a in shop.ads.values() if a["_account_id"] == account_id]
            if ad_ids is None:
                raise VkError(*NO_ACCESS)
            answer.append({"id": object_id, "type": ids_type, "stats": _stats(shop, ad_ids, period, first, last)})
        return answer


def _day(value: str, name: str) -> str:
    if value == "0":
        return "0000-00-00" if name == "date_from" else "9999-99-99"
    try:
        return datetime.date.fromisoformat(value).isoformat()
    except ValueError:
        raise invalid(name) from None


def _stats(shop: ShopState, ad_ids: list[int], period: str, first: str, last: str) -> list[dict[str, Any]]:
    days: dict[str, dict[str, Any]] = {}
    for ad_id in ad_ids:
        for day, values in shop.ads_stats.get(ad_id, {}).items():
            if first <= day <= last:
                total = days.setdefault(day, {"impressions": 0, "clicks": 0, "reach": 0, "spent": 0.0})
                for key in ("impressions", "clicks", "reach"):
                    total[key] += int(values.get(key, 0))
                total["spent"] += float(values.get("spent", 0))
    rows: list[dict[str, Any]] = []
    if period == "overall":
        if days:
            merged: dict[str, Any] = {"impressions": 0, "clicks": 0, "reach": 0, "spent": 0.0}
            for values in days.values():
                for key in merged:
                    merged[key] += values[key]
            rows.append({"overall": 1, **merged})
    else:
        rows = [{"day": day, **values} for day, values in sorted(days.items())]
    for row in rows:
        row["spent"] = f"{row['spent']:.2f}"
    return rows

