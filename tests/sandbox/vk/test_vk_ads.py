"""VK ads on the sandbox: accounts, categories, promoted-post campaigns and ads, pausing, statistics, errors."""

from __future__ import annotations

import json

from vk_helpers import GROUP_ID, Vk

ACCOUNT = 1900001


def _campaign(vk: Vk, **extra) -> int:
    spec = {"type": "promoted_posts", "name": "Spring", "status": 1, **extra}
    answer = vk.ok("ads.createCampaigns", account_id=ACCOUNT, data=json.dumps([spec]))
    assert "error_code" not in answer[0], answer
    return int(answer[0]["id"])


def _ad_spec(campaign: int, post_id: int, **extra) -> dict:
    return {"campaign_id": campaign, "ad_format": 9, "autobidding": 1, "day_limit": 300, "category1_id": 53,
            "link_url": f"https://vk.com/wall-{GROUP_ID}_{post_id}", "name": "Promo", **extra}


def test_promote_a_post_then_pause_and_resume(vk: Vk) -> None:
    assert vk.ok("ads.getAccounts")[0]["account_id"] == ACCOUNT
    post_id = vk.post(message="New mug")
    campaign = _campaign(vk)
    ads = vk.ok("ads.createAds", account_id=ACCOUNT, data=json.dumps([_ad_spec(campaign, post_id)]))
    ad_id = ads[0]["id"]
    assert ad_id > 0 and "error_code" not in ads[0]
    paused = vk.ok("ads.updateAds", account_id=ACCOUNT, data=json.dumps([{"ad_id": ad_id, "status": 0}]))
    assert paused == [{"id": ad_id}]
    assert vk.ok("ads.getAds", account_id=ACCOUNT, ad_ids=json.dumps([ad_id]))[0]["status"] == 0
    vk.ok("ads.updateAds", account_id=ACCOUNT, data=json.dumps([{"ad_id": ad_id, "status": 1}]))
    assert vk.ok("ads.getAds", account_id=ACCOUNT, ad_ids=json.dumps([ad_id]))[0]["status"] == 1


def test_per_object_errors(vk: Vk) -> None:
    post_id = vk.post(message="Post")
    campaign = _campaign(vk)
    bad = vk.ok("ads.createAds", account_id=ACCOUNT, data=json.dumps([
        _ad_spec(campaign, post_id, category1_id=9999), _ad_spec(campaign, 424242), _ad_spec(campaign, post_id,
                                                                                            ad_format=1)]))
    assert [a["id"] for a in bad] == [0, 0, 0]
    assert "category1_id" in bad[0]["error_desc"] and "link_url" in bad[1]["error_desc"]
    assert "ad_format" in bad[2]["error_desc"]
    camp = vk.ok("ads.createCampaigns", account_id=ACCOUNT, data=json.dumps([{"type": "bogus", "name": "x"}]))
    assert camp[0]["id"] == 0 and camp[0]["error_code"] == 100
    unknown = vk.ok("ads.updateAds", account_id=ACCOUNT, data=json.dumps([{"ad_id": 1, "status": 0}]))
    assert unknown[0]["error_code"] == 600


def test_missing_ads_scope_account_or_user_token(vk: Vk, sandbox) -> None:
    no_ads = sandbox.control.vk_token("user", scopes=["wall", "market"], expires_in=0)
    error = vk.err("ads.getCategories", no_ads)
    assert (error["error_code"], error["error_msg"]) == (
        15, "Access denied: no access to call this method. It cannot be called with current scopes.")
    assert vk.err("ads.getCategories", vk.community)["error_code"] == 27
    foreign = vk.err("ads.createCampaigns", account_id=12345, data=json.dumps([{"name": "x"}]))
    assert (foreign["error_code"], foreign["error_msg"]) == (
        600, "Permission denied. You have no access to operations specified with given object(s)")
    stranger = sandbox.control.vk_token("user", user_id=2, expires_in=0)
    assert vk.ok("ads.getAccounts", stranger) == []
    assert vk.err("ads.getStatistics", stranger, account_id=ACCOUNT, ids_type="office", ids=ACCOUNT,
                  period="overall", date_from=0, date_to=0)["error_code"] == 600


def test_categories_and_statistics(vk: Vk, sandbox) -> None:
    categories = vk.ok("ads.getCategories")
    assert set(categories) == {"v1", "v2"} and {"id", "name"} <= set(categories["v2"][0])
    post_id = vk.post(message="Stats")
    campaign = _campaign(vk)
    ad_id = vk.ok("ads.createAds", account_id=ACCOUNT, data=json.dumps([_ad_spec(campaign, post_id)]))[0]["id"]
    sandbox.control.vk_configure(ads_stats={str(ad_id): {
        "2026-03-01": {"impressions": 100, "clicks": 4, "reach": 90, "spent": 12.5},
        "2026-03-02": {"impressions": 50, "clicks": 1, "reach": 45, "spent": 6}}})
    stats = vk.ok("ads.getStatistics", account_id=ACCOUNT, ids_type="ad", ids=ad_id, period="day",
                  date_from="2026-03-02", date_to="2026-03-31")
    assert stats == [{"id": ad_id, "type": "ad", "stats": [
        {"day": "2026-03-02", "impressions": 50, "clicks": 1, "reach": 45, "spent": "6.00"}]}]
    overall = vk.ok("ads.getStatistics", account_id=ACCOUNT, ids_type="campaign", ids=campaign, period="overall",
                    date_from=0, date_to=0)
    assert overall[0]["stats"][0]["impressions"] == 150
    assert vk.err("ads.getStatistics", account_id=ACCOUNT, ids_type="ad", ids=ad_id, period="day",
                  date_from="yesterday", date_to="0")["error_code"] == 100
