"""YandexDiskOperationTrigger / YandexDiskPathTrigger run under asyncio against the sandbox."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from airflow_provider_social.triggers.yandex_disk import YandexDiskOperationTrigger, YandexDiskPathTrigger


@pytest.fixture
def hook(disk_conn):
    return YandexDiskHook(disk_conn)


async def until(condition, *, limit: float = 20.0) -> None:
    """Yield to the loop until ``condition()`` holds (the triggers poll every 10 ms here)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + limit
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await asyncio.sleep(0.005)


def test_serialize_round_trip():
    trigger = YandexDiskOperationTrigger(operation_id="abc", yandex_disk_conn_id="c", poll_interval=2.5, timeout=60,
                                         result={"path": "disk:/x"})
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_social.triggers.yandex_disk.YandexDiskOperationTrigger"
    assert YandexDiskOperationTrigger(**kwargs).serialize() == (path, kwargs)
    path_trigger = YandexDiskPathTrigger(path="disk:/a", kind="file", poll_interval=3)
    assert YandexDiskPathTrigger(**path_trigger.serialize()[1]).serialize() == path_trigger.serialize()
    with pytest.raises(ValueError, match="kind"):
        YandexDiskPathTrigger(path="disk:/a", kind="folder")


def test_operation_trigger_polls_without_blocking_the_loop(disk_conn, hook, sandbox, tmp_path, monkeypatch):
    (tmp_path / "a.txt").write_text("a")
    hook.upload_file(tmp_path / "a.txt", "src/a.txt", parents=True)
    started = hook.copy("src", "dst", wait=False)
    polls = []
    original = YandexDiskHook.get_operation_status

    def counting(self, operation_id):
        status = original(self, operation_id)
        polls.append(status)
        return status

    monkeypatch.setattr(YandexDiskHook, "get_operation_status", counting)
    trigger = YandexDiskOperationTrigger(operation_id=started["operation_id"], yandex_disk_conn_id=disk_conn,
                                         poll_interval=0.01, result={"path": "disk:/dst"})

    async def go():
        ticks = 0

        async def ticker():  # runs only if the loop stays free while the trigger waits for HTTP answers
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        ticking = asyncio.ensure_future(ticker())
        pending = asyncio.ensure_future(trigger.run().__anext__())
        await until(lambda: len(polls) >= 3)
        assert not pending.done() and set(polls) == {"in-progress"}
        sandbox.state.clock.advance(2)  # the sandbox's operation_duration
        event = await asyncio.wait_for(pending, 20)
        ticking.cancel()
        return event, ticks

    event, ticks = asyncio.run(go())
    assert event.payload == {"status": "success", "operation_id": started["operation_id"],
                             "result": {"path": "disk:/dst"}, "message": ""}
    assert ticks > len(polls)  # the event loop kept running between polls
    assert hook.exists("dst/a.txt")


def test_operation_trigger_reports_failure_and_errors(disk_conn, hook, sandbox, tmp_path):
    (tmp_path / "a.txt").write_text("a")
    hook.upload_file(tmp_path / "a.txt", "src/a.txt", parents=True)
    sandbox.control.configure("yandex_disk", fail_next_operations=1, operation_duration=0)
    started = hook.copy("src", "dst", wait=False)
    trigger = YandexDiskOperationTrigger(operation_id=started["operation_id"], yandex_disk_conn_id=disk_conn,
                                         poll_interval=0.01)
    assert asyncio.run(trigger.run().__anext__()).payload["status"] == "failed"
    unknown = YandexDiskOperationTrigger(operation_id="f" * 64, yandex_disk_conn_id=disk_conn, poll_interval=0.01)
    payload = asyncio.run(unknown.run().__anext__()).payload
    assert payload["status"] == "error" and "Operation not found" in payload["message"]


def test_path_trigger_fires_when_the_file_appears(disk_conn, hook, tmp_path):
    trigger = YandexDiskPathTrigger(path="drop/flag.txt", kind="file", yandex_disk_conn_id=disk_conn,
                                    poll_interval=0.01)
    (tmp_path / "flag.txt").write_text("done")

    async def go():
        pending = asyncio.ensure_future(trigger.run().__anext__())
        await asyncio.sleep(0.05)
        assert not pending.done()
        await asyncio.to_thread(hook.upload_file, tmp_path / "flag.txt", "drop/flag.txt", parents=True)
        return await asyncio.wait_for(pending, 20)

    assert asyncio.run(go()).payload == {"status": "success", "path": "drop/flag.txt", "type": "file"}
