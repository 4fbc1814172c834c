"""The Vision video operator and sensor against the sandbox: subscribe, wait on the sandbox clock, results to XCom or
a file, the task stopped when done."""

from __future__ import annotations

import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.operators.vk_vision import VkVisionVideoSubscribeOperator
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN
from airflow_provider_social.sensors.vk_vision import VkVisionVideoResultsSensor
from tests.operators.garbage import assert_refused_before_any_request, garbage_cases

FILE = "https://example.com/clip.mp4?duration=10"


@pytest.fixture
def vision(sandbox, make_connection):
    make_connection("vk_vision_default", "vk_vision", password=SANDBOX_SERVICE_TOKEN,
                    api_base_url=f"{sandbox.base_url}/vk-vision", max_retry_wait=5)


def test_subscribe_then_wait_for_the_whole_video_and_push_the_results(vision, sandbox, context):
    task = VkVisionVideoSubscribeOperator(task_id="subscribe", link=FILE, actions='["od", "sd"]',
                                          name="clip").execute(context)
    assert task == {"video_task_id": 1, "name": "clip", "actions": ["od", "sd"]}
    sensor = VkVisionVideoResultsSensor(task_id="results", video_task_id="1", until_ms="10000", name="clip")
    sandbox.state.clock.advance(4)
    assert sensor.poke(context).is_done is False  # 4 s of 10 processed
    sandbox.state.clock.advance(6)
    done = sensor.poke(context)
    assert done.is_done is True
    items = done.xcom_value["items"]
    assert len(items) == 22 and items[-1]["timestamp_ms"] == 10_000 and done.xcom_value["video_task_id"] == 1


def test_results_to_a_file_and_the_stream_stopped(vision, sandbox, context, tmp_path):
    task = VkVisionVideoSubscribeOperator(task_id="subscribe", link="rtsp://cam.example/live", actions="pd",
                                          rtsp_password="stream-secret-42").execute(context)
    out = tmp_path / "out" / "video.json"
    sensor = VkVisionVideoResultsSensor(task_id="results", video_task_id=task["video_task_id"], until_ms=3000,
                                        output_path=str(out), unsubscribe_when_done=True)
    sandbox.state.clock.advance(60)
    done = sensor.poke(context)
    assert done.xcom_value == {"video_task_id": task["video_task_id"], "count": 4, "last_timestamp_ms": 3000,
                               "output_path": str(out)}
    assert [i["timestamp_ms"] for i in json.loads(out.read_text())["items"]] == [0, 1000, 2000, 3000]
    assert [p.name for p in out.parent.iterdir()] == ["video.json"]  # no partial file left
    stopped = [e for e in sandbox.control.state("vk_vision")["videos"] if e["id"] == task["video_task_id"]]
    assert stopped[0]["stopped"] is True
    assert "stream-secret-42" not in json.dumps(task)


def test_bad_input_fails_before_any_request(vision, sandbox, context):
    with pytest.raises(ValidationError, match="actions"):
        VkVisionVideoSubscribeOperator(task_id="s", link=FILE, actions="od,zz").execute(context)
    with pytest.raises(ValidationError, match="^VK Cloud Vision: actions"):
        VkVisionVideoSubscribeOperator(task_id="s", link=FILE, actions="[od").execute(context)
    with pytest.raises(ValidationError, match="until_ms"):
        VkVisionVideoResultsSensor(task_id="r", video_task_id=1, until_ms="soon").poke(context)
    with pytest.raises(ValidationError, match="resend_on_lost_answer"):
        VkVisionVideoSubscribeOperator(task_id="s", link=FILE, actions="od", resend_on_lost_answer="yes")
    assert sandbox.control.created("vk_vision") == []


# ------------------------------------------------------------------ issue 20: rendered garbage in every templated field
VIDEO_GARBAGE = {
    VkVisionVideoSubscribeOperator: {
        "link": ["", 5, "ftp://example.com/a.mp4", "[junk", "example.com/clip.mp4", "x" * 10_000, ["a list"]],
        "actions": ["", "zz", "[junk", "['od', 'zz']", 5, "{'od': 1}", "[]"],
        "name": ["", 5, ["n"], {"n": 1}],
    },
    VkVisionVideoResultsSensor: {
        "video_task_id": ["", "abc", "-1", True, "inf", "[1]", 12.5],
        "until_ms": ["", "abc", "-5", True, "inf", "9" * 40, "[1]"],
        "name": ["", 5, ["n"]],
        "output_path": [5, ["a.json"], "<dir>", "<file>/out.json"],
    },
}
VIDEO_VALID = {
    VkVisionVideoSubscribeOperator: {"link": FILE, "actions": "od"},
    VkVisionVideoResultsSensor: {"video_task_id": 1, "until_ms": 1000},
}


@pytest.mark.parametrize("operator", sorted(VIDEO_GARBAGE, key=lambda c: c.__name__))
def test_the_video_garbage_table_covers_every_templated_field(operator):
    assert set(VIDEO_GARBAGE[operator]) == set(operator.template_fields)


@pytest.mark.parametrize(("operator", "field", "value"), list(garbage_cases(VIDEO_GARBAGE)))
def test_rendered_garbage_in_a_video_field_is_an_input_error_before_any_request(vision, sandbox, context, tmp_path,
                                                                               operator, field, value):
    if value == "<dir>":
        value = str(tmp_path)
    elif value == "<file>/out.json":
        (tmp_path / "file").write_text("x")
        value = str(tmp_path / "file" / "out.json")
    kwargs = {**VIDEO_VALID[operator], field: value}

    def build():
        task = operator(task_id="t", **kwargs)
        return task.poke(context) if operator is VkVisionVideoResultsSensor else task.execute(context)

    assert_refused_before_any_request(sandbox, build, field, "VK Cloud Vision")
