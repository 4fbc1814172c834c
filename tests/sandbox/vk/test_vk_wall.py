"""wall.*, polls.create, users/groups/utils/stats on the VK sandbox."""

from __future__ import annotations

import json

from vk_helpers import GROUP_ID, Vk

OWNER = -GROUP_ID


def test_wall_post_from_group_and_get(vk: Vk) -> None:
    post_id = vk.post(message="hello", copyright="https://example.com/src")
    wall = vk.ok("wall.get", owner_id=OWNER)
    assert wall["count"] == 1
    item = wall["items"][0]
    assert (item["id"], item["owner_id"], item["from_id"], item["text"]) == (post_id, OWNER, OWNER, "hello")
    assert item["copyright"]["link"] == "https://example.com/src" and item["post_type"] == "post"
    assert "guid" not in item and "_guid" not in item
    assert vk.ok("wall.getById", posts=f"{OWNER}_{post_id}")["items"][0]["id"] == post_id


def test_wall_post_needs_admin_rights(vk: Vk) -> None:
    member = vk.control.vk_token("user", user_id=2)
    error = vk.err("wall.post", member, owner_id=OWNER, message="x")
    assert (error["error_code"], error["error_msg"]) == (214, "Access to adding post denied")
    assert vk.err("wall.post", owner_id=-1000002, message="x")["error_code"] == 214
    assert vk.err("wall.post", owner_id=-999, message="x")["error_code"] == 100


def test_guid_dedupes_within_an_hour(vk: Vk, sandbox) -> None:
    first = vk.post(message="once", guid="dag.task.run.0")
    assert vk.post(message="once again", guid="dag.task.run.0") == first
    assert len(vk.control.vk_state()["walls"][str(OWNER)]) == 1
    assert vk.control.vk_state()["walls"][str(OWNER)][0]["guid"] == "dag.task.run.0"
    assert vk.post(message="other", guid="dag.task.run.1") != first
    sandbox.control.advance(3601)
    assert vk.post(message="once", guid="dag.task.run.0") != first


def test_publish_date_makes_a_postponed_post(vk: Vk, sandbox) -> None:
    now = int(sandbox.control.now())
    post_id = vk.post(message="later", publish_date=now + 600)
    assert vk.ok("wall.get", owner_id=OWNER)["count"] == 0
    postponed = vk.ok("wall.get", owner_id=OWNER, filter="postponed")["items"]
    assert [(p["id"], p["post_type"]) for p in postponed] == [(post_id, "postpone")]
    assert vk.err("wall.post", owner_id=OWNER, message="x", publish_date=now - 1)["error_msg"].endswith(
        "publish_date is invalid: must be in the future")
    sandbox.control.advance(601)
    assert vk.ok("wall.get", owner_id=OWNER)["items"][0]["id"] == post_id


def test_attachments_must_exist_and_respect_limits(vk: Vk) -> None:
    poll = vk.ok("polls.create", question="Q?", add_answers=json.dumps(["yes", "no"]), owner_id=OWNER)
    ref = f"poll{poll['owner_id']}_{poll['id']}"
    post_id = vk.post(message="vote", attachments=f"{ref},https://example.com")
    item = vk.ok("wall.getById", posts=f"{OWNER}_{post_id}")["items"][0]
    assert [a["type"] for a in item["attachments"]] == ["poll", "link"]
    assert vk.err("wall.post", owner_id=OWNER, attachments=ref)["error_code"] == 100  # a poll alone
    assert vk.err("wall.post", owner_id=OWNER, message="x", attachments="photo-1000001_999")["error_code"] == 100
    assert vk.err("wall.post", owner_id=OWNER, message="x", attachments="audio1_2")["error_code"] == 100
    two_links = "https://a.example,https://b.example"
    assert vk.err("wall.post", owner_id=OWNER, message="x", attachments=two_links)["error_code"] == 100


def test_polls_create_checks_add_answers(vk: Vk) -> None:
    poll = vk.ok("polls.create", question="Q?", add_answers='["a","b","c"]', owner_id=OWNER)
    assert [a["text"] for a in poll["answers"]] == ["a", "b", "c"] and poll["owner_id"] == OWNER
    for bad in ("a,b", "[]", json.dumps([str(i) for i in range(11)]), '[""]'):
        error = vk.err("polls.create", question="Q?", add_answers=bad, owner_id=OWNER)
        assert error["error_code"] == 100 and "add_answers" in error["error_msg"]
    assert vk.err("polls.create", add_answers='["a"]')["error_msg"].endswith("question is undefined")


def test_wall_delete(vk: Vk) -> None:
    post_id = vk.post(message="x")
    member = vk.control.vk_token("user", user_id=2)
    assert vk.err("wall.delete", member, owner_id=OWNER, post_id=post_id)["error_code"] == 210
    assert vk.ok("wall.delete", owner_id=OWNER, post_id=post_id) == 1
    assert vk.err("wall.delete", owner_id=OWNER, post_id=post_id)["error_code"] == 104
    assert vk.ok("wall.get", owner_id=OWNER)["count"] == 0


def test_wall_repost(vk: Vk) -> None:
    post_id = vk.post(message="x")
    answer = vk.ok("wall.repost", object=f"wall{OWNER}_{post_id}", message="look")
    assert answer["success"] == 1 and answer["reposts_count"] == 1
    mine = vk.ok("wall.get", owner_id=1)["items"][0]
    assert mine["copy_history"][0]["id"] == post_id
    assert vk.err("wall.repost", object=f"wall{OWNER}_999")["error_code"] == 100
    assert vk.err("wall.repost", object=f"wall{OWNER}_{post_id}", group_id=1000002)["error_code"] == 214


def test_wall_create_comment_user_and_community(vk: Vk) -> None:
    post_id = vk.post(message="x")
    first = vk.ok("wall.createComment", owner_id=OWNER, post_id=post_id, message="c1", from_group=GROUP_ID)
    assert first["parents_stack"] == []
    reply = vk.ok("wall.createComment", vk.community, owner_id=OWNER, post_id=post_id, message="c2",
                  reply_to_comment=first["comment_id"])
    assert reply["parents_stack"] == [first["comment_id"]]
    comments = vk.control.vk_state()["comments"]
    assert [c["from_id"] for c in comments] == [OWNER, OWNER]
    assert vk.err("wall.createComment", owner_id=OWNER, message="x")["error_msg"].endswith("post_id is undefined")
    assert vk.err("wall.createComment", owner_id=OWNER, post_id=post_id)["error_code"] == 100
    assert vk.err("wall.createComment", owner_id=OWNER, post_id=999, message="x")["error_code"] == 100


def test_users_get_online_and_last_seen(vk: Vk, sandbox) -> None:
    now = int(sandbox.control.now())
    vk.control.vk_configure(users={"2": {"online": False, "last_seen": now - 120}})
    user = vk.ok("users.get", user_ids="2", fields="online,last_seen,online_info")[0]
    assert user["online"] == 0 and user["last_seen"]["time"] == now - 120
    assert user["online_info"] == {"visible": True, "is_online": False, "is_mobile": False,
                                   "last_seen": now - 120, "status": "recently"}
    vk.control.vk_configure(users={"2": {"online": True}})
    assert vk.ok("users.get", user_ids="2", fields="online")[0]["online"] == 1
    assert vk.ok("users.get")[0]["id"] == 1  # no ids: the token's user
    assert vk.err("users.get", user_ids=",".join(str(i) for i in range(1, 1002)))["error_code"] == 100
    assert vk.err("users.get", user_ids="no_such_name")["error_code"] == 113
    assert vk.ok("users.get", user_ids="424242")[0]["deactivated"] == "deleted"


def test_groups_get_by_id_shape_and_is_member(vk: Vk) -> None:
    answer = vk.ok("groups.getById", group_ids="club1000001", fields="can_post")
    assert set(answer) == {"groups", "profiles"}
    group = answer["groups"][0]
    assert (group["id"], group["screen_name"], group["name"]) == (GROUP_ID, "club1000001", "Sandbox Community")
    assert group["is_admin"] == 1 and group["can_post"] == 1
    assert vk.ok("groups.getById", vk.community)["groups"][0]["id"] == GROUP_ID
    assert vk.ok("groups.isMember", group_id=GROUP_ID, user_id=2) == 1
    assert vk.ok("groups.isMember", group_id=GROUP_ID, user_id=3) == 0
    assert vk.ok("groups.isMember", group_id=GROUP_ID, user_ids="1,3") == [
        {"member": 1, "user_id": 1}, {"member": 0, "user_id": 3}]
    assert vk.err("groups.isMember", user_id=1)["error_msg"].endswith("group_id is undefined")


def test_short_link(vk: Vk) -> None:
    link = vk.ok("utils.getShortLink", url="https://example.com/long?x=1")
    assert link["url"] == "https://example.com/long?x=1" and link["short_url"] == f"https://vk.cc/{link['key']}"
    assert vk.err("utils.getShortLink")["error_msg"].endswith("url is undefined")


def test_stats_get_and_post_reach(vk: Vk, sandbox) -> None:
    now = int(sandbox.control.now())
    periods = vk.ok("stats.get", group_id=GROUP_ID, timestamp_from=now - 3 * 86400, timestamp_to=now,
                    interval="day")
    assert 3 <= len(periods) <= 4 and {"period_from", "period_to", "visitors", "reach"} <= set(periods[0])
    member = vk.control.vk_token("user", user_id=2)
    assert vk.err("stats.get", member, group_id=GROUP_ID)["error_code"] == 15
    posts = [vk.post(message=str(i)) for i in range(3)]
    reach = vk.ok("stats.getPostReach", owner_id=OWNER, post_ids=",".join(map(str, posts)))
    assert [r["post_id"] for r in reach] == posts and all(r["reach_total"] > 0 for r in reach)
    too_many = ",".join(str(i) for i in range(1, 32))
    assert vk.err("stats.getPostReach", owner_id=OWNER, post_ids=too_many)["error_code"] == 100
    assert vk.err("stats.getPostReach", owner_id=OWNER, post_ids="999")["error_code"] == 210
