"""VkVisionVideoResultsTrigger under asyncio against the sandbox, and the deferrable sensor around it."""

from __future__ import annotations

import asyncio
import json

import pytest

from airflow_provider_social.core.errors import SocialApiError
from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN
from airflow_provider_social.sensors.vk_vision import VkVisionVideoResultsSensor
from airflow_provider_social.triggers.vk_vision import VkVisionVideoResultsTrigger

FILE = "https://example.com/clip.mp4?duration=10"


@pytest.fixture
def vision(sandbox, make_connection):
    make_connection("vk_vision_default", "vk_vision", password=SANDBOX_SERVICE_TOKEN,
                    api_base_url=f"{sandbox.base_url}/vk-vision", max_retry_wait=5)
    return VkVisionHook("vk_vision_default")


def polls(sandbox) -> int:
    return sum(1 for e in sandbox.control.created("vk_vision") if e["kind"] == "/api/v1/video/get")


def test_serialize_round_trip():
    trigger = VkVisionVideoResultsTrigger(video_task_id=3, until_ms=5000, name="n", vk_vision_conn_id="c",
                                          poll_interval=2.0)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_social.triggers.vk_vision.VkVisionVideoResultsTrigger"
    assert VkVisionVideoResultsTrigger(**kwargs).serialize() == (path, kwargs)


def test_the_trigger_fires_once_the_moment_is_processed(vision, sandbox):
    task = vision.subscribe_video(FILE, ["od"])
    trigger = VkVisionVideoResultsTrigger(video_task_id=task["video_task_id"], until_ms=8000, poll_interval=0.01)

    async def go():
        pending = asyncio.ensure_future(trigger.run().__anext__())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 20
        while polls(sandbox) < 3:
            assert loop.time() < deadline
            await asyncio.sleep(0.005)
        assert not pending.done()  # 0 of 8 s processed: still waiting
        sandbox.state.clock.advance(8)
        return await asyncio.wait_for(pending, 20)

    event = asyncio.run(go())
    assert event.payload == {"status": "success", "video_task_id": task["video_task_id"]}


def test_the_trigger_reports_an_unknown_task(vision):
    async def go():
        return await VkVisionVideoResultsTrigger(video_task_id=999, until_ms=0, poll_interval=0.01).run().__anext__()

    event = asyncio.run(go())
    assert event.payload["status"] == "error" and "task not found" in event.payload["message"]


def test_the_deferrable_sensor_reads_the_results_when_the_trigger_fires(vision, sandbox, context, tmp_path):
    task = vision.subscribe_video(FILE, ["od", "pd"])
    out = tmp_path / "v.json"
    sensor = VkVisionVideoResultsSensor(task_id="results", video_task_id=task["video_task_id"], until_ms=10_000,
                                        output_path=str(out), deferrable=True)
    sandbox.state.clock.advance(20)
    summary = sensor.execute_complete(context, {"status": "success", "video_task_id": task["video_task_id"]})
    assert summary["count"] == 22 and json.loads(out.read_text())["last_timestamp_ms"] == 10_000
    with pytest.raises(SocialApiError, match="task not found"):
        sensor.execute_complete(context, {"status": "error", "message": "SocialApiError: task not found"})
    assert sensor.execute(context)["count"] == 22  # already processed: no deferral needed
