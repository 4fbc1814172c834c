"""One wait rule for hooks (blocking) and triggers (async): advised intervals, a bound checked before sleeping."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_social.core.waiting import Poll, WaitRule, WaitTimeout, await_for, wait_for


def scripted_checks(polls):
    remaining = list(polls)
    made = []

    def check():
        made.append(1)
        return remaining.pop(0)

    return check, made


def test_waits_the_interval_the_api_advises_and_returns_the_final_value(fake_sleep, fake_clock):
    check, made = scripted_checks([Poll(False, advice=5), Poll(False, advice=2), Poll(True, value="done")])
    result = wait_for(check, WaitRule(interval=1), what="media 7", sleep=fake_sleep, clock=fake_clock)
    assert result == "done" and fake_sleep.calls == [5, 2] and len(made) == 3


def test_without_advice_or_when_told_to_ignore_it_the_rules_interval_is_used(fake_sleep, fake_clock):
    check, _ = scripted_checks([Poll(False, advice=9), Poll(False), Poll(True)])
    wait_for(check, WaitRule(interval=3, honour_advice=False), what="x", sleep=fake_sleep, clock=fake_clock)
    assert fake_sleep.calls == [3, 3]
    check, _ = scripted_checks([Poll(False, advice=0), Poll(True)])
    wait_for(check, WaitRule(interval=3), what="x", sleep=fake_sleep, clock=fake_clock)
    assert fake_sleep.calls[-1] == 0.1  # a zero advice never busy-waits


def test_gives_up_before_sleeping_past_the_bound(fake_sleep, fake_clock):
    check, made = scripted_checks([Poll(False, state="in-progress")] * 10)
    with pytest.raises(WaitTimeout, match="operation 42 is still in-progress after 5 s") as info:
        wait_for(check, WaitRule(interval=2, timeout=5), what="operation 42", service="Yandex Disk",
                 operation="wait for operation", sleep=fake_sleep, clock=fake_clock)
    assert fake_sleep.calls == [2, 2] and len(made) == 3  # a third sleep would end at 6 s
    assert info.value.service == "Yandex Disk" and info.value.api_code == "timeout"


def test_the_async_side_follows_the_same_rule(fake_clock):
    slept = []

    async def sleep(seconds):
        slept.append(seconds)
        fake_clock.now += seconds

    polls = [Poll(False, advice=4), Poll(False), Poll(True, value={"state": "succeeded"})]

    async def check():
        return polls.pop(0)

    value = asyncio.run(await_for(check, WaitRule(interval=1, timeout=60), what="media", sleep=sleep,
                                  clock=fake_clock))
    assert value == {"state": "succeeded"} and slept == [4, 1]
    polls[:] = [Poll(False, advice=30)] * 3
    with pytest.raises(WaitTimeout):
        asyncio.run(await_for(check, WaitRule(timeout=45), what="media", sleep=sleep, clock=fake_clock))
