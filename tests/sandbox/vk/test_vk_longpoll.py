"""The sandbox's Bots Long Poll: settings, keys, ``a_check`` with its ``failed`` codes, events from writes and the
control API, ``wait`` held on the sandbox clock."""

from __future__ import annotations

import threading

import requests
from vk_helpers import GROUP_ID

from airflow_provider_social.sandbox.vk.longpoll import KEY_TTL, NOT_ENABLED


def enable(vk, *types: str) -> None:
    assert vk.ok("groups.setLongPollSettings", vk.community, group_id=GROUP_ID, enabled=1, api_version="5.199",
                 **{t: 1 for t in types}) == 1


def server(vk) -> dict:
    return vk.ok("groups.getLongPollServer", vk.community, group_id=GROUP_ID)


def check(lp: dict, ts=None, key=None, wait=25, timeout=10.0) -> dict:
    response = requests.get(lp["server"], params={"act": "a_check", "key": key or lp["key"],
                                                  "ts": lp["ts"] if ts is None else ts, "wait": wait},
                            timeout=timeout)
    assert response.status_code == 200
    return response.json()


def test_long_poll_is_off_until_enabled_and_settings_read_back(vk):
    settings = vk.ok("groups.getLongPollSettings", vk.community, group_id=GROUP_ID)
    assert settings["is_enabled"] is False and set(settings["events"].values()) == {0}
    error = vk.err("groups.getLongPollServer", vk.community, group_id=GROUP_ID)
    assert (error["error_code"], error["error_msg"]) == (100, f"One of the parameters specified was missing or "
                                                              f"invalid: {NOT_ENABLED}")
    enable(vk, "message_new", "wall_post_new")
    settings = vk.ok("groups.getLongPollSettings", vk.user, group_id=GROUP_ID)
    assert settings["is_enabled"] is True and settings["api_version"] == "5.199"
    assert {k for k, v in settings["events"].items() if v} == {"message_new", "wall_post_new"}
    lp = server(vk)
    assert set(lp) == {"key", "server", "ts"} and lp["ts"] == "1" and lp["server"].endswith(f"/vk-lp/wh{GROUP_ID}")


def test_community_key_needs_manage_and_user_must_be_admin(vk):
    no_manage = vk.control.vk_token("community", scopes=["messages"])
    assert vk.err("groups.getLongPollSettings", no_manage, group_id=GROUP_ID)["error_code"] == 15
    other_user = vk.control.vk_token("user", user_id=2, expires_in=0)
    assert vk.err("groups.getLongPollSettings", other_user, group_id=GROUP_ID)["error_code"] == 203


def test_events_from_writes_and_control_arrive_in_order_with_the_next_ts(vk, sandbox):
    enable(vk, "wall_post_new", "wall_reply_new", "message_new", "market_order_new", "group_join", "message_reply")
    lp = server(vk)
    post_id = vk.post(message="hello")
    vk.ok("wall.createComment", vk.community, owner_id=-GROUP_ID, post_id=post_id, message="nice")
    vk.control.configure("vk", longpoll_events=[{"type": "message_new", "from_id": 2, "text": "order status?"},
                                                {"type": "market_order_new", "user_id": 2, "amount": 4990},
                                                {"type": "group_join", "user_id": 3}])
    vk.ok("messages.send", vk.community, peer_id=2, message="on its way", random_id=7)
    answer = check(lp)
    kinds = [u["type"] for u in answer["updates"]]
    assert kinds == ["wall_post_new", "wall_reply_new", "message_new", "market_order_new", "group_join",
                     "message_reply"]
    assert answer["ts"] == "7"
    post, comment, message, order, join, reply = (u["object"] for u in answer["updates"])
    assert post["id"] == post_id and post["text"] == "hello" and "_guid" not in post
    assert (comment["post_id"], comment["post_owner_id"], comment["text"]) == (post_id, -GROUP_ID, "nice")
    assert message["message"]["text"] == "order status?" and message["message"]["out"] == 0
    assert "button_actions" in message["client_info"]
    assert order["total_price"]["amount"] == "4990" and order["group_id"] == GROUP_ID
    assert join == {"user_id": 3, "join_type": "join"} and 3 in sandbox.state.services["vk"].groups[GROUP_ID].members
    assert reply["out"] == 1 and reply["text"] == "on its way"
    for update in answer["updates"]:
        assert update["group_id"] == GROUP_ID and update["v"] == "5.199" and len(update["event_id"]) == 40
    assert check(lp, ts="4")["updates"] == answer["updates"][3:]  # the same ts answers the same events again
    assert not [e for e in sandbox.control.created() if e["kind"] == "authorization_received"]


def test_types_that_are_off_are_not_queued(vk):
    enable(vk, "wall_reply_new")
    lp = server(vk)
    post_id = vk.post(message="not sent")  # wall_post_new is off
    vk.ok("wall.createComment", vk.community, owner_id=-GROUP_ID, post_id=post_id, message="sent")
    assert [u["type"] for u in check(lp)["updates"]] == ["wall_reply_new"]


def test_failed_codes(vk, sandbox):
    enable(vk, "message_new")
    lp = server(vk)
    vk.control.configure("vk", longpoll_keep=2,
                         longpoll_events=[{"type": "message_new", "text": str(i)} for i in range(3)])
    assert check(lp, ts="1") == {"failed": 1, "ts": 2}  # the first event is no longer kept
    assert [u["object"]["message"]["text"] for u in check(lp, ts="2")["updates"]] == ["1", "2"]
    assert check(lp, ts="9") == {"failed": 1, "ts": 4}
    assert check(lp, key="unknown") == {"failed": 2}
    sandbox.state.clock.advance(KEY_TTL)
    assert check(lp) == {"failed": 2}
    fresh = server(vk)
    vk.control.configure("vk", longpoll_lose_keys=True)
    assert check(fresh) == {"failed": 3}
    newest = server(vk)
    assert check(newest, wait=0) == {"ts": newest["ts"], "updates": []}


def test_wait_is_held_on_the_sandbox_clock(vk, sandbox):
    enable(vk, "message_new")
    lp = server(vk)
    answers: list[dict] = []
    waiting = threading.Thread(target=lambda: answers.append(check(lp, wait=90, timeout=30)))
    waiting.start()
    waiting.join(0.3)
    assert waiting.is_alive()  # the clock is frozen: nothing comes back until an event or the clock moves
    sandbox.state.clock.advance(89)
    waiting.join(0.3)
    assert waiting.is_alive()
    sandbox.state.clock.advance(1)
    waiting.join(10)
    assert answers == [{"ts": lp["ts"], "updates": []}]
    held = threading.Thread(target=lambda: answers.append(check(lp, wait=1000, timeout=30)))
    held.start()
    held.join(0.2)
    vk.control.configure("vk", longpoll_events=[{"type": "message_new", "text": "now"}])
    held.join(10)
    assert answers[-1]["updates"][0]["object"]["message"]["text"] == "now"


def test_a_postponed_post_is_announced_when_the_clock_passes_its_date(vk, sandbox):
    """As VK does on publication: ``wall_post_new`` comes when the post goes out, not when it is scheduled, and in
    its place among the events around it; a postponed post deleted before its date never comes."""
    enable(vk, "wall_post_new", "message_new")
    lp = server(vk)
    now = sandbox.state.clock.now()
    later = vk.post(message="at noon", publish_date=int(now) + 3600)
    deleted = vk.post(message="never", publish_date=int(now) + 1800)
    assert vk.ok("wall.delete", owner_id=-GROUP_ID, post_id=deleted) == 1
    vk.control.configure("vk", longpoll_events=[{"type": "message_new", "text": "before"}])
    assert [u["type"] for u in check(lp, wait=0)["updates"]] == ["message_new"]
    sandbox.state.clock.advance(3600)
    vk.control.configure("vk", longpoll_events=[{"type": "message_new", "text": "after"}])
    updates = check(lp, wait=0)["updates"]
    assert [u["type"] for u in updates] == ["message_new", "wall_post_new", "message_new"]
    assert (updates[1]["object"]["id"], updates[1]["object"]["text"]) == (later, "at noon")
    assert updates[1]["object"]["post_type"] == "post"
    assert check(lp, ts=str(int(lp["ts"]) + 3), wait=0)["updates"] == []  # announced once
