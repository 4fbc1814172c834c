"""Vision's video calls on the sandbox over plain HTTP: strict requests, tasks and results on the sandbox clock."""

from __future__ import annotations

import json

import requests

from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN

TOKEN = {"oauth_token": SANDBOX_SERVICE_TOKEN, "oauth_provider": "mcs"}
FILE = "https://example.com/clip.mp4?duration=5"


def call(sandbox, path, body, params=None, content_type="application/json"):
    response = requests.post(f"{sandbox.base_url}/vk-vision/api/v1/video/{path}", params=TOKEN if params is None
                             else params, data=json.dumps(body), headers={"Content-Type": content_type}, timeout=10)
    assert response.status_code == 200
    return response.json()


def subscribe(sandbox, **video):
    entry = {"name": "v", "link": FILE, "actions": ["od"], **video}
    return call(sandbox, "subscribe", {"video": [entry]})["body"]["subscribed"][0]


def test_subscribe_get_unsubscribe_on_the_sandbox_clock(sandbox):
    task = subscribe(sandbox, actions=["od", "fd"])
    assert task["status"] == 0 and task["name"] == "v" and isinstance(task["id"], int)
    query = {"video": [{"name": "v", "id": task["id"]}]}
    first = call(sandbox, "get", query)
    assert first["status"] == 200
    assert [(i["timestamp"], i["action"]) for i in first["body"]["results"][0]["items"]] == [(0, "od"), (0, "fd")]
    sandbox.state.clock.advance(2.5)
    items = call(sandbox, "get", query)["body"]["results"][0]["items"]
    assert [i["timestamp"] for i in items] == [0, 0, 1000, 1000, 2000, 2000]
    meta = json.loads(items[2]["meta"])  # a JSON string, as documented
    assert meta["timestamp"] == 1000 and meta["labels"][0]["eng"] and 0.5 <= meta["labels"][0]["prob"] < 1
    assert items == call(sandbox, "get", query)["body"]["results"][0]["items"]  # deterministic
    sandbox.state.clock.advance(60)  # the 5 s file ends at 5000 ms
    assert call(sandbox, "get", query)["body"]["results"][0]["items"][-1]["timestamp"] == 5000
    stopped = call(sandbox, "unsubscribe", query)["body"]["unsubscribed"][0]
    assert stopped == {"status": 1, "error": "task already stopped", "name": "v", "id": task["id"]}


def test_from_to_and_limit_select_results(sandbox):
    task = subscribe(sandbox, actions=["od", "sd"])
    sandbox.state.clock.advance(10)
    query = {"name": "v", "id": task["id"], "from": 1000, "to": 3000}
    items = call(sandbox, "get", {"video": [query]})["body"]["results"][0]["items"]
    assert {i["timestamp"] for i in items} == {1000, 2000, 3000} and len(items) == 6
    limited = call(sandbox, "get", {"video": [{**query, "limit": 3}]})["body"]["results"][0]["items"]
    assert limited == items[:3]
    assert call(sandbox, "get", {"video": [{**query, "from": 1500}]})["body"]["results"][0]["items"][0][
        "timestamp"] == 2000


def test_a_stream_runs_until_unsubscribed_and_then_stops(sandbox):
    task = subscribe(sandbox, link="rtsp://camera.example/live", rtsp_login="cam", rtsp_password="secret-pass-1")
    query = {"video": [{"name": "v", "id": task["id"]}]}
    sandbox.state.clock.advance(100)
    assert call(sandbox, "get", query)["body"]["results"][0]["items"][-1]["timestamp"] == 100_000
    assert call(sandbox, "unsubscribe", query)["body"]["unsubscribed"][0]["status"] == 0
    sandbox.state.clock.advance(100)
    assert call(sandbox, "get", query)["body"]["results"][0]["items"][-1]["timestamp"] == 100_000
    again = call(sandbox, "unsubscribe", query)["body"]["unsubscribed"][0]
    assert (again["status"], again["error"]) == (1, "task already stopped")
    assert "secret-pass-1" not in json.dumps(sandbox.control.created("vk_vision"))
    assert "secret-pass-1" not in json.dumps(sandbox.control.state("vk_vision"))


def test_per_video_refusals(sandbox):
    bad = [({"link": "ftp://example.com/a.mp4"}, "wrong link ftp"), ({"link": "file:///etc/passwd"}, "wrong link"),
           ({"link": ""}, "link is required"), ({"actions": ["od", "xx"]}, "unknown action xx"),
           ({"actions": []}, "no actions"), ({"rtsp_password": 5}, "wrong rtsp_password")]
    for fields, error in bad:
        answer = subscribe(sandbox, **fields)
        assert answer["status"] == 1 and error in answer["error"] and "id" not in answer, fields
    unknown = call(sandbox, "get", {"video": [{"name": "x", "id": 999}]})["body"]["results"][0]
    assert (unknown["status"], unknown["error"]) == (1, "task not found")


def test_whole_request_refusals(sandbox):
    for body, error in [({}, "no video has been provided"), ({"video": []}, "no video has been provided"),
                        ({"video": [{"link": FILE, "actions": ["od"]}]}, "video name is required"),
                        ({"video": [{"name": "a", "link": FILE, "actions": ["od"]}] * 2}, "duplicate video name")]:
        answer = call(sandbox, "subscribe", body)
        assert (answer["status"], answer["body"]) == (400, error)
    assert call(sandbox, "get", {"video": [{"name": "a"}]})["body"] == "video a: id is required"
    assert call(sandbox, "get", {"video": [{"name": "a", "id": True}]})["body"] == "video a: id is required"
    assert call(sandbox, "get", {"video": [{"name": "a", "id": 1, "limit": 0}]})["body"] == \
        "video a: wrong limit param 0"
    assert call(sandbox, "subscribe", {"video": []}, content_type="text/plain")["status"] == 400
    assert call(sandbox, "subscribe", {"video": []}, params={"oauth_token": "nope", "oauth_provider": "mcs"})[
        "status"] == 403
