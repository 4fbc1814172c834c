"""The read methods of the VK sandbox page as VK's schema gives them: count maxima, offsets past the end, comment
levels, member sorts, and the seeded history behind them."""

from __future__ import annotations

import pytest
from vk_helpers import Vk

from airflow_provider_social.sandbox.control import SandboxControlError
from airflow_provider_social.sandbox.vk.state import GROUP_ID


def test_count_maxima_and_offsets_past_the_end(vk: Vk, sandbox) -> None:
    sandbox.control.vk_configure(seed={"posts": 150, "members": 1500, "orders": 60})
    for method, params, most in [("wall.get", {"owner_id": -GROUP_ID}, 100),
                                 ("groups.getMembers", {"group_id": GROUP_ID}, 1000),
                                 ("market.getGroupOrders", {"group_id": GROUP_ID}, 50)]:
        assert len(vk.ok(method, **params, count=most)["items"]) == most
        assert vk.err(method, **params, count=most + 1)["error_code"] == 100
        past = vk.ok(method, **params, offset=100_000, count=most)
        assert past["items"] == [] and past["count"] >= 60


def test_comments_have_levels_and_threads(vk: Vk, sandbox) -> None:
    post_id = vk.post(owner_id=-GROUP_ID, message="thread")
    first = vk.ok("wall.createComment", owner_id=-GROUP_ID, post_id=post_id, message="top")["comment_id"]
    vk.ok("wall.createComment", owner_id=-GROUP_ID, post_id=post_id, message="reply", reply_to_comment=first)
    vk.ok("wall.createComment", owner_id=-GROUP_ID, post_id=post_id, message="second")
    page = vk.ok("wall.getComments", owner_id=-GROUP_ID, post_id=post_id, count=100, thread_items_count=10)
    assert page["count"] == 3 and page["current_level_count"] == 2
    assert [c["text"] for c in page["items"]] == ["top", "second"]
    assert page["items"][0]["thread"]["count"] == 1 and page["items"][0]["thread"]["items"][0]["text"] == "reply"
    assert vk.ok("wall.getComments", owner_id=-GROUP_ID, post_id=post_id, sort="desc")["items"][0]["text"] == "second"
    assert vk.err("wall.getComments", owner_id=-GROUP_ID, post_id=post_id, count=101)["error_code"] == 100


def test_member_sorts_and_fields(vk: Vk, sandbox) -> None:
    sandbox.control.vk_configure(seed={"members": 5})
    ids = vk.ok("groups.getMembers", group_id=GROUP_ID, sort="id_desc", count=2)["items"]
    assert ids == [10_000_005, 10_000_004]
    joined = vk.ok("groups.getMembers", group_id=GROUP_ID, sort="time_desc", count=1)["items"]
    assert joined == [10_000_005]
    assert vk.ok("groups.getMembers", vk.community, count=1, fields="sex")["items"][0]["id"] > 0
    other = sandbox.control.vk_token("user", user_id=2)
    assert vk.err("groups.getMembers", other, group_id=GROUP_ID, sort="time_asc")["error_code"] == 15


def test_seeding_is_checked(sandbox) -> None:
    with pytest.raises(SandboxControlError, match="seed.posts"):
        sandbox.control.vk_configure(seed={"posts": -1})
    with pytest.raises(SandboxControlError, match="seed"):
        sandbox.control.configure("twitter", seed={"posts": 1, "likes": 3})
