"""Issue 20: bad input to the VK hook is an input error naming the field and the rule, before any request, never a
raw Python error; against the sandbox, which counts the requests it served."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.sensors.vk import VkUserOnlineSensor
from tests.hooks.vk import test_vk_sandbox
from tests.hooks.vk.conftest import png

vk_sandbox = test_vk_sandbox.vk_sandbox  # the fixture: a hook factory on the sandbox's vk_default connection


def vk_requests(sandbox) -> int:
    served = sandbox.control.requests()["by_service"]
    return sum(n for service, n in served.items() if service.startswith("vk") and service != "vk_vision")


def truncated_jpeg(path) -> str:
    """A JPEG cut off inside its frame header (SOF0 marker and length, then nothing)."""
    path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00\xff\xc0\x00\x11\x08")
    return str(path)


CASES = {
    "publish_date inf": (lambda h, d: h.create_post("x", publish_date="inf"), "publish_date"),
    "publish_date float inf": (lambda h, d: h.create_post("x", publish_date=float("inf")), "publish_date"),
    "publish_date True": (lambda h, d: h.create_post("x", publish_date=True), "publish_date: expected a datetime"),
    "publish_date year 318857": (lambda h, d: h.create_post("x", publish_date=10_000_000_000_000), "publish_date"),
    "publish_date text": (lambda h, d: h.create_post("x", publish_date="soon"), "publish_date"),
    "date_from inf": (lambda h, d: h.get_community_stats("inf"), "date_from"),
    "date_from True": (lambda h, d: h.get_community_stats(True), "date_from"),
    "date_from year 318857": (lambda h, d: h.get_community_stats(10_000_000_000_000), "date_from"),
    "message a number": (lambda h, d: h.send_message(2, 5), "message"),
    "message a dict": (lambda h, d: h.send_message(2, {"text": "hi"}), "message"),
    "message over 4096": (lambda h, d: h.send_message(2, "x" * 4097), "message"),  # VK answers 914 above 4096
    "post text a dict": (lambda h, d: h.create_post({"text": "hi"}), "message"),
    "comment text a list": (lambda h, d: h.create_comment(1, ["hi"]), "message"),
    "reach of post -1": (lambda h, d: h.get_post_reach([-1]), "post_ids"),
    "reach of post 0": (lambda h, d: h.get_post_reach(["0"]), "post_ids"),
    "empty user id": (lambda h, d: h.get_users([""]), "user_ids"),
    "poll end_date in the past": (lambda h, d: h.create_post("x", photos=[png(d / "a.png", 64, 48)], poll={
        "question": "Q?", "answers": ["A", "B"], "end_date": 1}), "poll.end_date: "),
    "poll end_date nonsense": (lambda h, d: h.create_post("x", photos=[png(d / "a.png", 64, 48)], poll={
        "question": "Q?", "answers": ["A", "B"], "end_date": "next week"}), "poll.end_date: "),
    "poll empty answers": (lambda h, d: h.create_post("x", poll={"question": "Q?", "answers": ["", " "]}),
                           "poll.answers: "),
    "create_poll empty answer": (lambda h, d: h.create_poll("Q?", ["A", ""]), "poll.answers: "),
    "link ftp": (lambda h, d: h.create_post("x", link="ftp://example.com/file"), "link: expected one http"),
    "truncated jpeg wall photo": (lambda h, d: h.upload_wall_photos([truncated_jpeg(d / "a.jpg")]), "photos"),
    "truncated jpeg album photo": (lambda h, d: h.upload_album_photos(1, [truncated_jpeg(d / "a.jpg")]), "photos"),
    "truncated jpeg story": (lambda h, d: h.create_story(truncated_jpeg(d / "a.jpg")), "path"),
    "truncated jpeg post": (lambda h, d: h.create_post("x", photos=[truncated_jpeg(d / "a.jpg")]), "photos"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_an_input_error_naming_the_field_before_any_request(sandbox, vk_sandbox, tmp_path, case):
    hook = vk_sandbox()
    hook.group()  # reads the connection (no request)
    call, field = CASES[case]
    before = vk_requests(sandbox)
    with pytest.raises(ValidationError, match=rf"VK[^:]*: {field}"):
        call(hook, tmp_path)
    assert vk_requests(sandbox) == before


def test_an_iso_time_with_a_timezone_is_read_as_a_templated_datetime_renders(sandbox, vk_sandbox):
    hook = vk_sandbox()
    when = datetime.fromtimestamp(sandbox.control.now() + 86400, tz=timezone.utc)
    post = hook.create_post("Scheduled", publish_date=str(when), guid="iso-time")
    assert post["post_id"]


def test_the_sensor_refuses_an_empty_user_id_before_any_request(sandbox, vk_sandbox):
    sensor = VkUserOnlineSensor(task_id="wait", user_id="")
    sensor.__dict__["hook"] = vk_sandbox()
    before = vk_requests(sandbox)
    with pytest.raises(ValidationError, match="VK: user_id: "):
        sensor.poke({})
    assert vk_requests(sandbox) == before
