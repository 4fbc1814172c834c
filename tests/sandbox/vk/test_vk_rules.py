"""The VK router's refusals: version, token, method, token kind, scope, rate limits, captcha, flood, envelope."""

from __future__ import annotations

import requests
from vk_helpers import GROUP_ID, V, Vk


def test_success_envelope_get_and_post(vk: Vk) -> None:
    for http in ("GET", "POST"):
        body = vk.raw("users.get", vk.user, http=http, user_ids="1")
        assert body == {"response": [{"id": 1, "first_name": "Sandbox", "last_name": "Admin",
                                      "can_access_closed": True, "is_closed": False}]}


def test_bearer_header_is_accepted(vk: Vk) -> None:
    response = requests.post(f"{vk.base_url}/vk-api/method/users.get", data={"v": V},
                             headers={"Authorization": f"Bearer {vk.user}"}, timeout=10)
    assert response.json()["response"][0]["id"] == 1


def test_v_is_required(vk: Vk) -> None:
    error = vk.err("users.get", v="")
    assert (error["error_code"], error["error_msg"]) == (8, "Invalid request: v is required")
    assert vk.err("users.get", v="4.0")["error_code"] == 8


def test_error_body_echoes_params_without_the_token(vk: Vk) -> None:
    error = vk.err("wall.get", owner_id="abc")
    assert error["error_code"] == 100
    assert error["error_msg"] == "One of the parameters specified was missing or invalid: owner_id not integer"
    assert error["request_params"][:2] == [{"key": "method", "value": "wall.get"}, {"key": "oauth", "value": "1"}]
    assert {"key": "owner_id", "value": "abc"} in error["request_params"]
    assert all(p["key"] != "access_token" for p in error["request_params"])
    assert vk.user not in str(error)


def test_unknown_method_is_error_3(vk: Vk) -> None:
    error = vk.err("wall.postt")
    assert (error["error_code"], error["error_msg"]) == (3, "Unknown method passed")
    assert vk.err("Wall.post")["error_code"] == 3  # method names are case-sensitive


def test_missing_parameter_is_named(vk: Vk) -> None:
    error = vk.err("wall.post", owner_id=-GROUP_ID)
    assert error["error_msg"] == "One of the parameters specified was missing or invalid: message is undefined"
    assert vk.err("wall.repost")["error_msg"].endswith("object is undefined")


def test_tokens_missing_invalid_and_expired(vk: Vk, sandbox) -> None:
    assert vk.raw("users.get", None)["error"]["error_msg"] == "User authorization failed: no access_token passed."
    invalid = vk.raw("users.get", "nope")["error"]
    assert (invalid["error_code"], invalid["error_msg"]) == (5, "User authorization failed: invalid access_token (4).")
    token = vk.control.vk_token("user")  # user keys live one hour
    assert "response" in vk.raw("users.get", token)
    sandbox.control.advance(3601)
    expired = vk.raw("users.get", token)["error"]
    assert (expired["error_code"], expired["error_msg"]) == (5, "User authorization failed: access_token has expired.")
    offline = vk.control.vk_token("user", expires_in=0)
    sandbox.control.advance(10 * 86400)
    assert "response" in vk.raw("users.get", offline)


def test_community_token_on_user_methods_is_error_27(vk: Vk) -> None:
    for method in ("wall.post", "photos.getWallUploadServer", "photos.saveWallPhoto", "photos.getUploadServer",
                   "photos.save", "photos.createAlbum", "polls.create", "wall.repost", "wall.delete",
                   "video.save", "stats.get"):
        error = vk.err(method, vk.community, owner_id=-GROUP_ID, message="x")
        assert (error["error_code"], error["error_msg"]) == (
            27, "Group authorization failed: method is unavailable with group auth."), method


def test_messages_send_takes_a_community_key_or_a_user_key_with_the_messages_scope(vk: Vk) -> None:
    """Schema messages.send access_token_type ["user", "group"]: a user key works when it has `messages`."""
    assert isinstance(vk.ok("messages.send", vk.community, peer_id=1, random_id=1, message="hi"), int)
    without = vk.control.vk_token("user", scopes=["wall", "offline"])
    error = vk.err("messages.send", without, peer_id=2, random_id=2, message="hi")
    assert error["error_code"] == 15 and "current scopes" in error["error_msg"]
    # A user key with the scope sends as the user, even to user 3 (who allowed no community messages) ...
    assert isinstance(vk.ok("messages.send", vk.user, peer_id=3, random_id=3, message="from the admin"), int)
    # ... and as the community it administers with group_id, where the recipients' consent applies (901).
    assert vk.err("messages.send", vk.user, peer_id=3, random_id=4, message="x", group_id=GROUP_ID)[
        "error_code"] == 901
    assert isinstance(vk.ok("messages.send", vk.user, peer_id=2, random_id=5, message="y", group_id=GROUP_ID), int)
    assert vk.err("messages.send", vk.user, peer_id=2, random_id=6, message="z", group_id=1000002)[
        "error_code"] == 203
    keyboard = '{"buttons": [[{"action": {"type": "text", "label": "OK"}}]]}'
    assert vk.err("messages.send", vk.user, peer_id=2, random_id=7, message="k", keyboard=keyboard)[
        "error_code"] == 912
    senders = {(m["text"], m["group_id"], m["from_id"]) for m in vk.control.state("vk")["messages"]}
    assert ("from the admin", None, 1) in senders and ("y", GROUP_ID, -GROUP_ID) in senders


def test_methods_accepting_both_kinds(vk: Vk) -> None:
    for token in (vk.user, vk.community):
        assert vk.ok("users.get", token, user_ids="2")[0]["id"] == 2
        assert vk.ok("groups.getById", token, group_id=GROUP_ID)["groups"][0]["id"] == GROUP_ID
        assert vk.ok("utils.getShortLink", token, url="https://example.com/a")["short_url"].startswith("https://vk.cc/")
        assert "upload_url" in vk.ok("docs.getWallUploadServer", token, group_id=GROUP_ID)
        assert "upload_url" in vk.ok("stories.getPhotoUploadServer", token, add_to_news=1, group_id=GROUP_ID)
        assert vk.ok("execute", token, code="return 1;") == 1


def test_missing_scope_is_error_15(vk: Vk) -> None:
    token = vk.control.vk_token("user", scopes=["photos", "offline"])
    error = vk.err("wall.post", token, owner_id=-GROUP_ID, message="x")
    assert error["error_code"] == 15
    assert error["error_msg"].startswith("Access denied: no access to call this method")
    community = vk.control.vk_token("community", scopes=["photos"])
    assert vk.err("messages.send", community, peer_id=1, random_id=1, message="x")["error_code"] == 15


def _rates(vk: Vk) -> None:
    vk.control.vk_configure(rate_limits={"user": 3, "community": 20})


def test_user_token_limit_is_3_per_second_on_the_sandbox_clock(vk: Vk, sandbox) -> None:
    _rates(vk)
    for _ in range(3):
        assert "response" in vk.raw("users.get", vk.user)
    error = vk.raw("users.get", vk.user)["error"]
    assert (error["error_code"], error["error_msg"]) == (6, "Too many requests per second")
    assert vk.control.vk_rate_limit_violations() == 1
    other = vk.control.vk_token("user")  # the limit is per token
    assert "response" in vk.raw("users.get", other)
    sandbox.control.advance(1.0)
    assert "response" in vk.raw("users.get", vk.user)


def test_community_token_limit_is_20_per_second(vk: Vk, sandbox) -> None:
    _rates(vk)
    for _ in range(20):
        assert "response" in vk.raw("users.get", vk.community, user_ids=1)
    assert vk.raw("users.get", vk.community, user_ids=1)["error"]["error_code"] == 6
    assert vk.raw("users.get", vk.community, user_ids=1)["error"]["error_code"] == 6
    assert vk.control.vk_rate_limit_violations() == 2
    sandbox.control.advance(0.5)
    assert vk.raw("users.get", vk.community, user_ids=1)["error"]["error_code"] == 6
    sandbox.control.advance(0.5)
    assert "response" in vk.raw("users.get", vk.community, user_ids=1)


def test_execute_counts_as_one_request(vk: Vk) -> None:
    _rates(vk)
    calls = ",".join(f'API.users.get({{"user_ids": [{i}]}})' for i in range(1, 26))
    for _ in range(3):
        assert len(vk.ok("execute", code=f"return [{calls}];")) == 25
    assert vk.err("execute", code="return 1;")["error_code"] == 6


def test_legacy_captcha_is_solved_by_repeating_with_sid_and_key(vk: Vk) -> None:
    vk.control.vk_configure(captcha_next={"method": "wall.post", "form": "legacy"})
    error = vk.err("wall.post", owner_id=-GROUP_ID, message="x")
    assert (error["error_code"], error["error_msg"]) == (14, "Captcha needed")
    assert error["captcha_img"].startswith("https://vk.ru/captcha.php?sid=" + error["captcha_sid"])
    key = vk.control.vk_state()["captcha"]["key"]
    wrong = vk.err("wall.post", owner_id=-GROUP_ID, message="x", captcha_sid=error["captcha_sid"], captcha_key="no")
    assert wrong["error_code"] == 14 and wrong["captcha_sid"] != error["captcha_sid"]  # a new captcha
    key = vk.control.vk_state()["captcha"]["key"]
    assert vk.ok("wall.post", owner_id=-GROUP_ID, message="x", captcha_sid=wrong["captcha_sid"], captcha_key=key)
    assert vk.control.vk_state()["captcha"] is None


def test_redirect_captcha_is_solved_with_success_token(vk: Vk) -> None:
    vk.control.vk_configure(captcha_next={"method": "wall.post", "form": "redirect"})
    error = vk.err("wall.post", owner_id=-GROUP_ID, message="x")
    assert error["error_code"] == 14 and "captcha_sid" not in error
    assert error["redirect_uri"].startswith("https://id.vk.ru/not_robot_captcha?")
    assert isinstance(error["remixstlid"], int)
    assert vk.err("wall.post", owner_id=-GROUP_ID, message="x")["error_code"] == 14  # unsolved: still 14
    token = vk.control.vk_state()["captcha"]["success_token"]
    assert vk.ok("wall.post", owner_id=-GROUP_ID, message="x", success_token=token,
                 remixstlid=vk.control.vk_state()["captcha"]["remixstlid"])["post_id"]


def test_flood_control_is_injected_once(vk: Vk) -> None:
    vk.control.vk_configure(flood_next="wall.post")
    error = vk.err("wall.post", owner_id=-GROUP_ID, message="x")
    assert (error["error_code"], error["error_msg"]) == (9, "Flood control")
    assert vk.post(message="x")
    assert len(vk.control.vk_state()["walls"][str(-GROUP_ID)]) == 1


def test_a_daily_cap_answers_29_per_token_until_the_moscow_day_ends(vk: Vk, sandbox) -> None:
    sandbox.state.clock.freeze(1_800_000_000 - (1_800_000_000 + 3 * 3600) % 86400 + 86400 - 60)  # 23:59 Moscow
    vk.control.vk_configure(daily_caps={"wall.get": 2})
    other = vk.control.vk_token("user")
    for _ in range(2):
        assert vk.ok("wall.get", owner_id=-GROUP_ID)["count"] == 0
    error = vk.err("wall.get", owner_id=-GROUP_ID)
    assert (error["error_code"], error["error_msg"]) == (29, "Rate limit reached")
    assert {"key": "method", "value": "wall.get"} in error["request_params"]
    assert vk.ok("wall.get", other, owner_id=-GROUP_ID)["count"] == 0  # the cap is per token
    assert vk.ok("users.get", user_ids=1)  # and per method
    sandbox.control.advance(60)  # 00:00 Moscow: a new quota day
    assert vk.ok("wall.get", owner_id=-GROUP_ID)["count"] == 0
    state = vk.control.vk_state()
    assert state["quota_refusals"] == 1 and state["daily_caps"]["wall.get"] == 2


def test_wall_get_is_capped_at_5000_a_day_by_default(vk: Vk) -> None:
    assert vk.control.vk_state()["daily_caps"] == {"wall.get": 5000}  # UNCONFIRMED figure (old data_limits page)


def test_control_refuses_bad_settings(vk: Vk) -> None:
    import pytest

    from airflow_provider_social.sandbox.control import SandboxControlError

    with pytest.raises(SandboxControlError):
        vk.control.vk_configure(rate_limits={"user": 0})
    with pytest.raises(SandboxControlError):
        vk.control.vk_configure(daily_caps={"wall.get": -1})
    with pytest.raises(SandboxControlError):
        vk.control.vk_configure(daily_caps={"nomethod": 1})
    with pytest.raises(SandboxControlError):
        vk.control.vk_configure(captcha_next={"method": "wall.post", "form": "image"})
    with pytest.raises(SandboxControlError):
        vk.control.vk_token("robot")


def test_messages_past_the_hourly_cap_to_one_user_answer_flood_control(vk: Vk, sandbox) -> None:
    vk.control.vk_configure(messages_per_peer_hour=2)
    for random_id in (1, 2):
        assert vk.ok("messages.send", vk.community, peer_id=2, random_id=random_id, message="hi")
    assert vk.ok("messages.send", vk.community, peer_id=2, random_id=2, message="hi")  # a repeat is not counted
    error = vk.err("messages.send", vk.community, peer_id=2, random_id=3, message="hi")
    assert (error["error_code"], error["error_msg"]) == (9, "Flood control: too much messages sent to user")
    sandbox.control.advance(3600)
    assert vk.ok("messages.send", vk.community, peer_id=2, random_id=4, message="hi")
    assert vk.control.vk_state()["messages_per_peer_hour"] == 2
