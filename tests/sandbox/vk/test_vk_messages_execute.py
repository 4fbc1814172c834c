"""messages.send and execute on the VK sandbox."""

from __future__ import annotations

import json

from vk_helpers import GROUP_ID, Vk

KEYBOARD = {"one_time": False, "buttons": [[{"action": {"type": "text", "label": "OK"}, "color": "positive"}]]}


def test_random_id_is_required_and_dedupes(vk: Vk, sandbox) -> None:
    error = vk.err("messages.send", vk.community, peer_id=1, message="hi")
    assert error["error_msg"] == "One of the parameters specified was missing or invalid: random_id is undefined"
    first = vk.ok("messages.send", vk.community, peer_id=1, random_id=77, message="hi")
    assert vk.ok("messages.send", vk.community, peer_id=1, random_id=77, message="hi") == first
    assert vk.ok("messages.send", vk.community, peer_id=2, random_id=77, message="hi") != first
    assert len(vk.control.vk_state()["messages"]) == 2
    sandbox.control.advance(3601)
    assert vk.ok("messages.send", vk.community, peer_id=1, random_id=77, message="hi") != first


def test_keyboard_is_validated(vk: Vk) -> None:
    assert vk.ok("messages.send", vk.community, peer_id=1, random_id=1, message="k", keyboard=json.dumps(KEYBOARD))
    assert vk.control.vk_state()["messages"][0]["keyboard"] == KEYBOARD
    bad = [
        "{not json",
        json.dumps({"buttons": {}}),
        json.dumps({"buttons": [[{"action": {"type": "teleport", "label": "x"}}]]}),
        json.dumps({"buttons": [[{"action": {"type": "text", "label": "x" * 41}}]]}),
        json.dumps({"buttons": [[{"action": {"type": "text", "label": "x"}}] * 6]}),
        json.dumps({"inline": True, "buttons": [[{"action": {"type": "text", "label": "x"}}]] * 7}),
        json.dumps({"buttons": [[{"action": {"type": "open_link", "label": "x"}}]]}),
    ]
    for keyboard in bad:
        error = vk.err("messages.send", vk.community, peer_id=1, random_id=2, message="k", keyboard=keyboard)
        assert error["error_code"] == 911 and error["error_msg"].startswith("Keyboard format is invalid"), keyboard


def test_messages_to_users_without_permission_and_too_long(vk: Vk) -> None:
    error = vk.err("messages.send", vk.community, peer_id=3, random_id=1, message="hi")
    assert (error["error_code"], error["error_msg"]) == (901, "Can't send messages for users without permission")
    assert vk.err("messages.send", vk.community, peer_id=1, random_id=1, message="x" * 4097)["error_code"] == 914
    many = vk.ok("messages.send", vk.community, peer_ids="1,3", random_id=5, message="hi")
    assert many[0]["peer_id"] == 1 and "message_id" in many[0] and many[1]["error"]["code"] == 901


def test_execute_runs_calls_and_reports_failures_in_order(vk: Vk) -> None:
    code = ('return [API.users.get({"user_ids": [1, 2]}), API.wall.post({"owner_id": -1000001}),'
            ' API.groups.getById({"group_id": 1000001}), API.nope.nope(), ];')
    body = vk.raw("execute", vk.user, code=code)
    users, failed, groups, unknown = body["response"]
    assert [u["id"] for u in users] == [1, 2] and failed is False and unknown is False
    assert groups["groups"][0]["id"] == GROUP_ID
    errors = body["execute_errors"]
    assert [(e["method"], e["error_code"]) for e in errors] == [("wall.post", 100), ("nope.nope", 3),
                                                                ("execute", 3)]
    assert errors[0]["error_msg"].endswith("message is undefined")


def test_execute_single_call_and_token_kinds_inside(vk: Vk) -> None:
    assert vk.ok("execute", code='return API.users.get({"user_ids": 2});')[0]["id"] == 2
    body = vk.raw("execute", vk.community, code='return [API.wall.post({"owner_id": -1000001, "message": "x"})];')
    assert body["response"] == [False] and body["execute_errors"][0]["error_code"] == 27


def test_execute_allows_25_calls_and_refuses_26(vk: Vk) -> None:
    def code(n: int) -> str:
        return "return [" + ",".join(f'API.users.get({{"user_ids": {i}}})' for i in range(1, n + 1)) + "];"

    assert len(vk.ok("execute", code=code(25))) == 25
    assert vk.err("execute", code=code(26))["error_code"] == 13


def test_execute_compile_errors(vk: Vk) -> None:
    for code in ("API.users.get({});", "return [API.users.get({})", "return a;", "return Args.user_id;",
                 "function f() { return 1; } return f();", "return API.users.get({})@.id;",
                 "for (var i = 0; i < 2; i = i + 1) {} return 1;", "var a = [1]; return a.map(1);"):
        assert vk.err("execute", code=code)["error_code"] == 12, code
    assert vk.err("execute")["error_msg"].endswith("code is undefined")


def test_execute_values_are_json_not_pasted(vk: Vk) -> None:
    message = 'He said "hi"}); API.wall.delete({"post_id": 1'
    code = "return API.wall.post(" + json.dumps({"owner_id": -GROUP_ID, "from_group": 1, "message": message}) + ");"
    post_id = vk.ok("execute", code=code)["post_id"]
    assert vk.ok("wall.getById", posts=f"-{GROUP_ID}_{post_id}")["items"][0]["text"] == message
