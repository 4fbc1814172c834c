"""X and Yandex waits follow the one rule of core/waiting.py: the API's advised interval, and a bound checked
before sleeping (never a sleep that ends past it); triggers build their hook with SocialHook.for_trigger."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

import airflow_provider_social


class FakeTime:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def clock(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds

    async def asleep(self, seconds):
        self.sleep(seconds)


def test_yandex_wait_gives_up_before_sleeping_past_the_bound(monkeypatch):
    from airflow_provider_social.hooks.yandex_disk import OperationFailedError, YandexDiskHook

    time = FakeTime()
    hook = YandexDiskHook("unused", sleep=time.sleep, clock=time.clock)
    polls = []
    monkeypatch.setattr(hook.operations, "get_operation_status",
                        lambda operation_id: polls.append(time.now) or "in-progress")
    with pytest.raises(OperationFailedError, match="still in progress after 2 s") as caught:
        hook.wait_for_operation("op-1", poll_interval=1, timeout=1.5)
    assert polls == [0.0, 1.0] and time.sleeps == [1] and caught.value.api_code == "timeout"


def test_yandex_wait_reports_a_failed_operation(monkeypatch):
    from airflow_provider_social.hooks.yandex_disk import OperationFailedError, YandexDiskHook

    time = FakeTime()
    hook = YandexDiskHook("unused", sleep=time.sleep, clock=time.clock)
    states = iter(["in-progress", "failed"])
    monkeypatch.setattr(hook.operations, "get_operation_status", lambda operation_id: next(states))
    with pytest.raises(OperationFailedError, match="operation op-2 failed"):
        hook.wait_for_operation("op-2", poll_interval=3)
    assert time.sleeps == [3]


class _MediaHook:
    def __init__(self, states):
        self.states = list(states)

    def get_media_status(self, media_id):
        state, advice = self.states.pop(0)
        return {"media_id": media_id, "state": state, "check_after_secs": advice}


def _run_trigger(monkeypatch, states, **kwargs):
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.triggers.twitter import TwitterMediaProcessingTrigger

    made = []

    async def for_trigger(conn_id, **options):
        made.append(conn_id)
        return _MediaHook(states)

    monkeypatch.setattr(TwitterHook, "for_trigger", for_trigger)
    time = FakeTime()
    trigger = TwitterMediaProcessingTrigger(media_ids=["7"], twitter_conn_id="x_conn", **kwargs)
    trigger.sleep, trigger.clock = time.asleep, time.clock

    async def first():
        return await trigger.run().__anext__()

    return asyncio.run(first()).payload, time, made


def test_media_trigger_waits_what_x_advises_through_a_hook_built_for_triggers(monkeypatch):
    event, time, made = _run_trigger(monkeypatch, [("pending", 3), ("in_progress", 5), ("succeeded", None)])
    assert event["status"] == "success" and time.sleeps == [3, 5] and made == ["x_conn"]


def test_media_trigger_gives_up_before_a_sleep_past_its_timeout(monkeypatch):
    event, time, _ = _run_trigger(monkeypatch, [("in_progress", 5)], timeout=4)
    assert event["status"] == "error" and "still processing" in event["message"] and time.sleeps == []


def test_no_hook_is_built_by_writing_into_its_connection_cache():
    package = Path(airflow_provider_social.__file__).parent
    offenders = [str(p.relative_to(package)) for p in package.rglob("*.py")
                 if '__dict__["connection"]' in p.read_text() or "__dict__['connection']" in p.read_text()]
    assert offenders == []
