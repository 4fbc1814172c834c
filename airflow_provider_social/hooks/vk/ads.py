"""VK ads: categories, ``promoted_posts`` campaigns, ads from community posts, pause/resume, statistics.

From VK's schema (``VKCOM/vk-api-schema`` 5.199, ads/methods.json, responses.json, errors.json): every ads method
takes a user token with the ``ads`` right; ``createCampaigns`` / ``createAds`` / ``updateAds`` take ``data`` (a
JSON array) and answer one status per object, ``{"id"}`` or ``{"id": 0, "error_code", "error_desc"}``, which this
hook raises as errors naming the object. An account that is not the token owner's answers 600.

The seed library's defaults (shared/reference/seed_library_features.md, section 1): a ``promoted_posts`` campaign
with status 1 and no limits, running 24 months; an ad with ``ad_format`` 9 (a community post), autobidding, a
daily limit and a category, linked to ``https://vk.com/wall-<group>_<post>``.

Rate limits: VK documented the ads section apart from the 3 requests/s of user tokens and outside ``execute``
(reference 1.4); its own numbers are UNCONFIRMED, so ads calls go through the same per-token limiter, one call at
a time, and never through ``batch()``.
"""

from __future__ import annotations

import calendar
import datetime
import json
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import PermissionDeniedError, ValidationError, input_error
from airflow_provider_social.hooks.vk.auth import USER
from airflow_provider_social.hooks.vk.market_values import MAX_NAME, ad_name, whole_number
from airflow_provider_social.hooks.vk.methods import ADS_METHODS  # re-exported: the rows live in the one table
from airflow_provider_social.hooks.vk.policy import ACCOUNT_HINT, SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi

PROMOTED_POST_FORMAT = 9
CAMPAIGN_MONTHS = 24
PERIODS = ("day", "month", "overall", "week", "year")


def months_later(moment: datetime.datetime, months: int) -> datetime.datetime:
    """The same day and time ``months`` later, on the month's last day when it is shorter (29 February + 24 months
    is 28 February), so no date makes it fail.

    :param moment: the start.
    :param months: how many months later.
    """
    index = moment.month - 1 + months
    year, month = moment.year + index // 12, index % 12 + 1
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


def _positive(value: Any, name: str) -> int:
    return whole_number(value, name)




class VkAds:
    """The ads cabinet: accounts, categories, campaigns, ads from community posts, statuses and statistics.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    :param clock: the current time (epoch seconds): a campaign runs from now.
    """

    def __init__(self, api: VkApi, *, group: Callable[[Any], int], clock: Callable[[], float]) -> None:
        self.api = api
        self.group = group
        self.clock = clock

    def _ads(self, method: str, **params: Any) -> Any:
        # Error 600 (not the token owner's account) is the policy's: its table gives ads.* their own meaning.
        return self.api.call(method, token=USER, **params)

    def _statuses(self, method: str, account_id: int, specs: list[dict[str, Any]]) -> list[int]:
        answer = self._ads(method, account_id=account_id, data=json.dumps(specs, ensure_ascii=False))
        ids = []
        for n, status in enumerate(answer or []):
            if status.get("error_code") or not status.get("id"):
                code = status.get("error_code")
                text = f"{method} refused object {n}: {status.get('error_desc') or 'no id returned'}"
                error = PermissionDeniedError if code == 600 else ValidationError
                raise error(text, service=SERVICE, operation=method, api_code=code,
                            hint=ACCOUNT_HINT if code == 600 else "")
            ids.append(int(status["id"]))
        return ids

    def ad_accounts(self) -> list[dict[str, Any]]:
        """The ads accounts the token's user can use (``ads.getAccounts``)."""
        return list(self._ads("ads.getAccounts") or [])

    def ad_categories(self, *, lang: str | None = None) -> dict[str, list[dict[str, Any]]]:
        """Ad categories, ``{"v1": [...], "v2": [...]}`` (v2 are the current ones).

        :param lang: e.g. ``ru`` or ``en``.
        """
        return dict(self._ads("ads.getCategories", lang=lang))

    def create_promoted_posts_campaign(self, account_id: int, name: str, *, day_limit: int | None = None,
                                       all_limit: int | None = None, start: bool = True) -> int:
        """Create a ``promoted_posts`` campaign running 24 months from now; returns its id.

        :param account_id: the ads account.
        :param name: 1..60 characters.
        :param day_limit: roubles per day (default none).
        :param all_limit: roubles in total (default none).
        :param start: status 1 (running) or 0 (stopped).
        """
        account = _positive(account_id, "account_id")
        spec: dict[str, Any] = {"type": "promoted_posts", "name": ad_name(name, "name"), "status": 1 if start else 0}
        for field_name, value in (("day_limit", day_limit), ("all_limit", all_limit)):
            if value is not None:
                spec[field_name] = whole_number(value, field_name, minimum=0, what="whole roubles >= 0")
        now = int(self.clock())
        stop = months_later(datetime.datetime.fromtimestamp(now, datetime.timezone.utc), CAMPAIGN_MONTHS)
        spec.update(start_time=now, stop_time=int(stop.timestamp()))
        return self._statuses("ads.createCampaigns", account, [spec])[0]

    def create_post_ad(self, account_id: int, campaign_id: int, post_id: int, *, daily_limit: int,
                       category_id: int, group_id: Any = None, name: str | None = None,
                       start: bool = True) -> int:
        """Create an ad that promotes a community post (ad format 9, autobidding); returns the ad id.

        :param account_id: the ads account.
        :param campaign_id: a ``promoted_posts`` campaign of that account.
        :param post_id: the post on the community wall.
        :param daily_limit: roubles per day (> 0).
        :param category_id: an ad category id from :meth:`ad_categories`.
        :param group_id: the post's community (default the connection's).
        :param name: the ad's title (default "Post <id>").
        :param start: status 1 (running) or 0 (stopped).
        """
        account = _positive(account_id, "account_id")
        campaign = _positive(campaign_id, "campaign_id")
        post = _positive(post_id, "post_id")
        category = _positive(category_id, "category_id")
        limit = whole_number(daily_limit, "daily_limit", what="whole roubles > 0")
        title = f"Post {post}" if name in (None, "") else ad_name(name[:MAX_NAME] if isinstance(name, str) else name,
                                                                  "name")
        gid = self.group(group_id)
        spec = {"campaign_id": campaign, "ad_format": PROMOTED_POST_FORMAT, "autobidding": 1,
                "day_limit": limit, "category1_id": category, "name": title,
                "link_url": f"https://vk.com/wall-{gid}_{post}", "status": 1 if start else 0}
        return self._statuses("ads.createAds", account, [spec])[0]

    def set_ads_status(self, account_id: int, ad_ids: Sequence[int], status: int) -> list[int]:
        """Set ads' status: 0 paused, 1 running, 2 deleted.

        :param account_id: the ads account.
        :param ad_ids: up to 5 ads.
        :param status: 0, 1 or 2.
        """
        account = _positive(account_id, "account_id")
        ids = [_positive(a, "ad_id") for a in ad_ids]
        if not 1 <= len(ids) <= 5:
            raise input_error("ad_ids", f"give 1..5 ads per call, got {len(ids)}", service=SERVICE)
        if status not in (0, 1, 2):
            raise input_error("status", f"must be 0 (pause), 1 (run) or 2 (delete), got {status!r}",
                              service=SERVICE)
        return self._statuses("ads.updateAds", account, [{"ad_id": a, "status": status} for a in ids])

    def pause_ad(self, account_id: int, ad_id: int) -> None:
        """Pause an ad (status 0).

        :param account_id: the ads account.
        :param ad_id: the ad.
        """
        self.set_ads_status(account_id, [ad_id], 0)

    def resume_ad(self, account_id: int, ad_id: int) -> None:
        """Resume an ad (status 1).

        :param account_id: the ads account.
        :param ad_id: the ad.
        """
        self.set_ads_status(account_id, [ad_id], 1)

    def get_campaigns(self, account_id: int) -> list[dict[str, Any]]:
        """Campaigns of an account (``ads.getCampaigns``).

        :param account_id: the ads account.
        """
        return list(self._ads("ads.getCampaigns", account_id=_positive(account_id, "account_id")))

    def get_ads(self, account_id: int, *, ad_ids: Iterable[int] | None = None,
                campaign_ids: Iterable[int] | None = None) -> list[dict[str, Any]]:
        """Ads of an account (``ads.getAds``).

        :param account_id: the ads account.
        :param ad_ids: only these ads.
        :param campaign_ids: only these campaigns' ads.
        """
        ads = None if ad_ids is None else json.dumps([_positive(a, "ad_ids") for a in ad_ids])
        campaigns = None if campaign_ids is None else json.dumps([_positive(c, "campaign_ids") for c in campaign_ids])
        return list(self._ads("ads.getAds", account_id=_positive(account_id, "account_id"), ad_ids=ads,
                              campaign_ids=campaigns))

    def ad_statistics(self, account_id: int, ids: Sequence[int], *, ids_type: str = "ad", period: str = "day",
                      date_from: datetime.date | str, date_to: datetime.date | str) -> list[dict[str, Any]]:
        """Statistics of ads, campaigns, clients or the account for a period (``ads.getStatistics``).

        :param account_id: the ads account.
        :param ids: up to 2000 objects of ``ids_type``.
        :param ids_type: ``ad``, ``campaign``, ``client`` or ``office``.
        :param period: ``day``, ``week``, ``month``, ``year`` or ``overall``.
        :param date_from: first day (a date or ``YYYY-MM-DD``; ``0`` = since creation).
        :param date_to: last day (``0`` = today).
        """
        if ids_type not in ("ad", "campaign", "client", "office"):
            raise input_error("ids_type", f"must be ad, campaign, client or office, got {ids_type!r}",
                              service=SERVICE)
        if period not in PERIODS:
            raise input_error("period", f"must be one of {', '.join(PERIODS)}, got {period!r}", service=SERVICE)
        objects = [_positive(i, "ids") for i in ids]
        if not 1 <= len(objects) <= 2000:
            raise input_error("ids", f"give 1..2000 ids, got {len(objects)}", service=SERVICE)
        return list(self._ads("ads.getStatistics", account_id=_positive(account_id, "account_id"),
                              ids_type=ids_type, ids=objects, period=period, date_from=_day(date_from, "date_from"),
                              date_to=_day(date_to, "date_to")))


def _day(value: datetime.date | str | int, name: str) -> str:
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    if text == "0":
        return text
    try:
        return datetime.date.fromisoformat(text).isoformat()
    except ValueError:
        raise input_error(name, f"expected a date YYYY-MM-DD or 0, got {value!r}", service=SERVICE) from None


__all__ = ["ADS_METHODS", "VkAds", "months_later"]
