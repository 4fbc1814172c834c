"""VkVisionHook's video calls against the sandbox: subscribe, results paged by time, unsubscribe; inputs refused
before any request; a lost subscribe answer never sent again unless asked; the stream password kept secret."""

from __future__ import annotations

import json
import logging

import pytest

from airflow_provider_social.core.errors import NotFoundError, SocialApiError, ValidationError
from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN

FILE = "https://example.com/clip.mp4?duration=20"


@pytest.fixture
def vision_conn(sandbox, make_connection):
    def make(conn_id="vk_vision_default"):
        return make_connection(conn_id, "vk_vision", password=SANDBOX_SERVICE_TOKEN,
                               api_base_url=f"{sandbox.base_url}/vk-vision", max_retry_wait=5)

    return make


@pytest.fixture
def hook(vision_conn, fake_sleep):
    return VkVisionHook(vision_conn(), sleep=fake_sleep)


def video_events(sandbox, path):
    return [e["data"]["videos"] for e in sandbox.control.created("vk_vision") if e["kind"] == path]


def test_subscribe_read_everything_page_by_page_and_unsubscribe(hook, sandbox):
    task = hook.subscribe_video(FILE, ["od", "fd", "pd"], name="clip")
    assert task == {"video_task_id": task["video_task_id"], "name": "clip", "actions": ["od", "fd", "pd"]}
    sandbox.state.clock.advance(30)  # the whole 20 s video is processed
    results = hook.video_results(task["video_task_id"], name="clip", page_size=5)
    stamps = [item["timestamp_ms"] for item in results["items"]]
    assert stamps == sorted(stamps) and len(stamps) == 21 * 3  # 0..20 s, every action, none lost at page edges
    assert len({(i["timestamp_ms"], i["action"]) for i in results["items"]}) == 63  # no item twice
    assert results["last_timestamp_ms"] == 20_000 and results["items"][0]["meta"]["labels"]  # meta parsed
    gets = video_events(sandbox, "/api/v1/video/get")
    assert len(gets) > 10  # it really paged (5 per request, the last timestamp's items read again whole)
    window = hook.video_results(task["video_task_id"], name="clip", from_ms=5000, to_ms=7000)
    assert {i["timestamp_ms"] for i in window["items"]} == {5000, 6000, 7000}
    assert len(hook.video_results(task["video_task_id"], name="clip", max_items=4)["items"]) == 4
    assert hook.unsubscribe_video(task["video_task_id"], name="clip")["already_stopped"] is True  # file ended


def test_a_page_too_small_for_one_moment_is_refused_not_looped(hook, sandbox):
    task = hook.subscribe_video(FILE, "od,fd,pd")
    sandbox.state.clock.advance(5)
    with pytest.raises(ValidationError, match="page_size"):
        hook.video_results(task["video_task_id"], page_size=2)


def test_unknown_task_is_not_found(hook):
    with pytest.raises(NotFoundError, match="task not found"):
        hook.video_results(12345)


def test_stream_password_is_masked_and_never_returned(hook, sandbox, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "rtsp-secret-871"  # noqa: S105 - a test value
    task = hook.subscribe_video("rtsp://cam.example/live", ["sd"], rtsp_login="cam", rtsp_password=secret)
    assert secret not in json.dumps(task) and secret not in caplog.text
    assert hook.unsubscribe_video(task["video_task_id"]) == {"video_task_id": task["video_task_id"],
                                                             "stopped": True, "already_stopped": False}
    assert hook.unsubscribe_video(task["video_task_id"])["already_stopped"] is True


@pytest.mark.parametrize(("args", "field"), [
    (("ftp://example.com/a.mp4", ["od"]), "link"),
    (("example.com/a.mp4", ["od"]), "link"),
    ((FILE, []), "actions"),
    ((FILE, ["od", "xx"]), "actions"),
    ((FILE, "od, xx"), "actions"),
])
def test_bad_input_is_refused_before_any_request(hook, sandbox, args, field):
    with pytest.raises(ValidationError, match=field):
        hook.subscribe_video(*args)
    assert video_events(sandbox, "/api/v1/video/subscribe") == []


def test_rtsp_credentials_only_with_rtsp_and_bad_paging_refused(hook, sandbox):
    with pytest.raises(ValidationError, match="rtsp_password: is only for rtsp"):
        hook.subscribe_video(FILE, ["od"], rtsp_password="x")
    with pytest.raises(ValidationError, match="name"):
        hook.subscribe_video(FILE, ["od"], name="")
    for kwargs, field in [({"page_size": 0}, "page_size"), ({"from_ms": -1}, "from_ms"),
                          ({"from_ms": 10, "to_ms": 5}, "to_ms"), ({"page_size": True}, "page_size")]:
        with pytest.raises(ValidationError, match=field):
            hook.video_results(1, **kwargs)
    assert sandbox.control.created("vk_vision") == []


def test_a_lost_subscribe_answer_is_not_sent_again(hook, sandbox):
    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/video/subscribe", times=1)
    with pytest.raises(SocialApiError, match="not sent again"):
        hook.subscribe_video(FILE, ["od"])
    assert len(video_events(sandbox, "/api/v1/video/subscribe")) == 1  # one task exists; no second one started


def test_a_lost_subscribe_answer_is_resent_when_asked(vision_conn, sandbox, fake_sleep):
    hook = VkVisionHook(vision_conn(), sleep=fake_sleep, resend_on_lost_answer=True)
    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/video/subscribe", times=1)
    assert hook.subscribe_video(FILE, ["od"])["video_task_id"] == 2  # the first task runs too, as the caller accepted
    assert len(video_events(sandbox, "/api/v1/video/subscribe")) == 2


def test_reading_results_is_repeated_after_a_lost_answer(hook, sandbox):
    task = hook.subscribe_video(FILE, ["od"])
    sandbox.control.add_fault(service="vk_vision", action="lose_answer", path_contains="/video/get", times=1)
    assert hook.video_results(task["video_task_id"])["items"][0]["timestamp_ms"] == 0

