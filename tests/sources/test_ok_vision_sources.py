"""OK photos and Vision images from storage paths, URLs and file objects, against the sandbox: what arrives is the
source's bytes, a retried upload re-reads the source, and bad sources fail before any call to the service."""

from __future__ import annotations

import io

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook
from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_GROUP_ID
from airflow_provider_social.sandbox.vk_vision import SANDBOX_SERVICE_TOKEN
from airflow_provider_social.sandbox.vk_vision.fixtures import make_png

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256


@pytest.fixture
def ok_hook(sandbox, make_connection, fake_sleep):
    tokens = sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID,
                                         scope="VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT")
    conn_id = make_connection("ok_sources", "odnoklassniki", password=SANDBOX_APP_SECRET,
                              application_id=SANDBOX_APP_ID, application_key=SANDBOX_APP_KEY,
                              access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                              group_id=SANDBOX_GROUP_ID, api_base_url=f"{sandbox.base_url}/ok-api",
                              oauth_base_url=f"{sandbox.base_url}/ok-connect", max_retry_wait=5)
    return OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)


@pytest.fixture
def vision_hook(sandbox, make_connection, fake_sleep):
    conn_id = make_connection("vk_vision_sources", "vk_vision", password=SANDBOX_SERVICE_TOKEN,
                              api_base_url=f"{sandbox.base_url}/vk-vision",
                              oauth_endpoint=f"{sandbox.base_url}/vk-cloud-auth/auth/oauth/v1/token",
                              max_retry_wait=5)
    return VkVisionHook(conn_id, sleep=fake_sleep)


def test_ok_post_with_photos_from_a_store_a_url_and_a_file_object_retried(ok_hook, sandbox, memory_store,
                                                                          http_files):
    memory_store.pipe("/p/cat.png", PNG)
    http_files.files["dog"] = b"\xff\xd8\xff" + b"1" * 100  # no extension: the bytes say JPEG
    sandbox.control.add_fault(service="ok_upload", status=503, times=1)  # the retry reads every source again
    result = ok_hook.post_to_group("From everywhere", photo_paths=[
        "memory://p/cat.png", f"{http_files.url}/sized/dog", io.BufferedReader(io.BytesIO(PNG))])
    topic = sandbox.control.state("ok")["topics"][0]
    assert topic["id"] == result["topic_id"]
    assert [m["type"] for m in topic["media"]] == ["text", "photo"] and len(topic["media"][1]["list"]) == 3
    assert sandbox.control.faults() == []


def test_ok_refuses_a_source_that_is_not_an_image_before_any_request(ok_hook, sandbox, memory_store):
    memory_store.pipe("/p/notes.png", b"plain text")
    with pytest.raises(ValidationError, match=r"paths: notes\.png is not a JPEG, PNG"):
        ok_hook.upload_photos("memory://p/notes.png")
    assert sandbox.control.requests()["by_service"].get("ok_upload", 0) == 0


def test_vision_reads_images_from_a_store_and_a_url(vision_hook, memory_store, http_files):
    memory_store.pipe("/v/doc.png", make_png(20, 10, markers={"text": "from a store"}))
    http_files.files["sign.png"] = make_png(20, 10, markers={"text": "from a URL"})
    results = vision_hook.recognize_text(f'["memory://v/doc.png", "{http_files.url}/chunked/sign.png"]')
    assert [(r["image"], r["text"]) for r in results] == [
        ("memory://v/doc.png", "from a store"), (f"{http_files.url}/chunked/sign.png", "from a URL")]
    with pytest.raises(ValidationError, match=r"images\[0\]: memory://v/none\.png does not exist"):
        vision_hook.recognize_text(["memory://v/none.png"])


def test_vision_operator_writes_its_results_to_a_store(vision_hook, memory_store):
    import json

    from airflow_provider_social.operators.vk_vision import VkVisionRecognizeTextOperator

    memory_store.pipe("/v/page.png", make_png(20, 10, markers={"text": "exported"}))
    op = VkVisionRecognizeTextOperator(task_id="ocr", images="memory://v/page.png",
                                       vk_vision_conn_id=vision_hook.conn_id, output_path="memory://results/ocr.json")
    results = op.execute({})
    assert json.loads(memory_store.cat_file("/results/ocr.json")) == results
    assert results[0]["text"] == "exported" and memory_store.ls("/results", detail=False) == ["/results/ocr.json"]
    with pytest.raises(ValidationError, match="output_path: nosuch://r/x.json: Airflow's object storage has no"):
        VkVisionRecognizeTextOperator(task_id="ocr", images="memory://v/page.png", output_path="nosuch://r/x.json",
                                      vk_vision_conn_id=vision_hook.conn_id).execute({})


def test_vision_video_results_sensor_writes_to_a_store(vision_hook, sandbox, memory_store):
    import json

    from airflow_provider_social.operators.vk_vision import VkVisionVideoSubscribeOperator
    from airflow_provider_social.sensors.vk_vision import VkVisionVideoResultsSensor

    task = VkVisionVideoSubscribeOperator(task_id="subscribe", link="https://example.com/clip.mp4?duration=3",
                                          actions="od", vk_vision_conn_id=vision_hook.conn_id).execute({})
    sensor = VkVisionVideoResultsSensor(task_id="results", video_task_id=task["video_task_id"], until_ms=3000,
                                        output_path="memory://video/results.json",
                                        vk_vision_conn_id=vision_hook.conn_id)
    sandbox.state.clock.advance(60)
    done = sensor.poke({})
    assert done.xcom_value["output_path"] == "memory://video/results.json"
    items = json.loads(memory_store.cat_file("/video/results.json"))["items"]
    assert len(items) == done.xcom_value["count"] > 0
    assert memory_store.ls("/video", detail=False) == ["/video/results.json"]
