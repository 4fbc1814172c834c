"""The deferrable event sensors defer to the event triggers (a cursor of their own) and return the event."""

from __future__ import annotations

import asyncio

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from airflow_provider_social.sensors.vk import VkCommunityEventSensor
from airflow_provider_social.sensors.yandex_disk import YandexDiskFolderEventSensor
from tests.triggers.conftest import vk_events_conn  # noqa: F401
from tests.triggers.test_vk_events import emit, messages, run, started, until
from tests.triggers.test_yandex_disk_events import Gate


def test_vk_sensor_defers_with_its_own_cursor_and_returns_the_event(vk_events_conn, sandbox, context):  # noqa: F811
    sensor = VkCommunityEventSensor(task_id="wait_for_order", event_types=["message_new"], vk_conn_id=vk_events_conn,
                                    text_pattern="order", timeout=600)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context)
    trigger = deferred.value.trigger
    assert trigger.consumer.endswith(".wait_for_order") and deferred.value.method_name == "execute_complete"

    async def go():
        events = trigger.run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) >= 1)
        emit(sandbox, *messages("hello", "my order?"))
        event = (await asyncio.wait_for(pending, 20)).payload
        await events.aclose()
        return event

    event = run(sandbox, go())
    assert sensor.execute_complete(context, event)["object"]["message"]["text"] == "my order?"


def test_disk_sensor_defers_and_returns_the_file(disk_conn, sandbox, context, tmp_path):
    hook = YandexDiskHook(disk_conn)
    hook.create_folder("Inbox")
    sensor = YandexDiskFolderEventSensor(task_id="inbox", path="disk:/Inbox", name_pattern="*.csv",
                                         yandex_disk_conn_id=disk_conn, poke_interval=30, timeout=600)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context)
    trigger = deferred.value.trigger
    trigger.sleep = gate = Gate()

    async def go():
        events = trigger.run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: gate.waiting == 1)
        (tmp_path / "x.csv").write_text("1,2")
        hook.upload_file(tmp_path / "x.csv", "Inbox/x.csv")
        gate.opened.set()
        event = (await asyncio.wait_for(pending, 20)).payload
        await events.aclose()
        return event

    event = asyncio.run(go())
    assert sensor.execute_complete(context, event)["path"] == "disk:/Inbox/x.csv"
