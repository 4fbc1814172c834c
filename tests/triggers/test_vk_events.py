"""VkCommunityEventTrigger runs under asyncio against the sandbox's Bots Long Poll: settings checked at start,
events in order with their payload, filters, failed 1/2/3, and a cursor that survives a rebuilt trigger."""

from __future__ import annotations

import asyncio
import contextlib
import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.tokens import FileTokenStore
from airflow_provider_social.hooks.vk.longpoll import LongPollDisabled
from airflow_provider_social.sandbox.vk import GROUP_ID
from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger
from tests.triggers.test_yandex_disk import until


def emit(sandbox, *events: dict) -> None:
    sandbox.control.configure("vk", longpoll_events=list(events))


def messages(*texts: str) -> list[dict]:
    return [{"type": "message_new", "from_id": 2, "text": t} for t in texts]


async def take(agen, n: int, *, limit: float = 20.0) -> list[dict]:
    return [(await asyncio.wait_for(agen.__anext__(), limit)).payload for _ in range(n)]


def run(sandbox, coro):
    """Run ``coro``; then release the check the trigger left held open (the sandbox clock is frozen)."""
    try:
        return asyncio.run(coro)
    finally:
        sandbox.state.clock.advance(100)


def started(sandbox, conn: str) -> int:
    """How many a_check requests the sandbox has served (the trigger is waiting once this grows)."""
    return sandbox.control.requests()["by_service"].get("vk_longpoll", 0)


def test_serialize_round_trip_and_input_checked_before_any_call():
    trigger = VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id="c", text_pattern="order", peer_id=2,
                                      wait=30)
    path, kwargs = trigger.serialize()
    assert path == "airflow_provider_social.triggers.vk_events.VkCommunityEventTrigger"
    assert VkCommunityEventTrigger(**kwargs).serialize() == (path, kwargs)
    assert json.dumps(kwargs)
    with pytest.raises(ValidationError, match="event_types"):
        VkCommunityEventTrigger(event_types=[])
    with pytest.raises(ValidationError, match="wait"):
        VkCommunityEventTrigger(event_types=["message_new"], wait=91)
    with pytest.raises(ValidationError, match="text_pattern"):
        VkCommunityEventTrigger(event_types=["message_new"], text_pattern="(")


def test_settings_checked_at_start_name_what_to_switch_on(vk_events_conn, sandbox):
    sandbox.control.vk_configure(longpoll_settings={"enabled": False, "events": ["message_new"]})
    trigger = VkCommunityEventTrigger(event_types=["message_new", "group_join"], vk_conn_id=vk_events_conn)
    with pytest.raises(LongPollDisabled) as caught:
        run(sandbox, trigger.run().__anext__())
    text = str(caught.value)
    assert "Long Poll API is off" in text and "event types off: group_join (tab 'Event types')" in text
    assert "setLongPollSettings" in caught.value.hint and "group_join=1" in caught.value.hint


def test_events_fire_in_order_with_their_payload_and_a_filter(vk_events_conn, sandbox):
    trigger = VkCommunityEventTrigger(event_types=["message_new", "market_order_new"], vk_conn_id=vk_events_conn)
    only_orders_text = VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id=vk_events_conn,
                                               text_pattern=r"order #\d+", from_id=2)

    async def go():
        events, filtered = trigger.run(), only_orders_text.run()
        first = asyncio.ensure_future(events.__anext__())
        second = asyncio.ensure_future(filtered.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) >= 2)
        emit(sandbox, *messages("hello", "where is order #12?"),
             {"type": "market_order_new", "user_id": 2, "amount": 4990}, {"type": "group_join", "user_id": 3})
        got = [(await asyncio.wait_for(first, 20)).payload, *await take(events, 2)]
        matched = (await asyncio.wait_for(second, 20)).payload
        await events.aclose()
        await filtered.aclose()
        return got, matched

    got, matched = run(sandbox, go())
    assert [p["type"] for p in got] == ["message_new", "message_new", "market_order_new"]
    assert [p["object"]["message"]["text"] for p in got[:2]] == ["hello", "where is order #12?"]
    assert got[2]["object"]["total_price"]["amount"] == "4990" and got[2]["group_id"] == GROUP_ID
    assert all(len(p["event_id"]) == 40 and p["v"] == "5.199" for p in got)
    assert matched["object"]["message"]["text"] == "where is order #12?"
    text = json.dumps(got)
    community_token = json.loads(sandbox_conn_extra(vk_events_conn))["community_token"]
    assert community_token not in text and "key" not in got[0]
    # The Long Poll host is reached with its key alone: no token ever went there.
    assert not [e for e in sandbox.control.created() if e["kind"] == "authorization_received"]


def sandbox_conn_extra(conn_id: str) -> str:
    import os

    return json.dumps(json.loads(os.environ[f"AIRFLOW_CONN_{conn_id.upper()}"])["extra"])


def test_a_rebuilt_trigger_resumes_from_the_cursor_without_losing_or_doubling(vk_events_conn, sandbox, tmp_path):
    """Like the triggerer, the test asks for the next event as soon as it has one: the trigger then resumes after
    its ``yield`` and records the event as delivered. A trigger rebuilt from its arguments (a restarted triggerer)
    goes on from that record."""
    kwargs = {"event_types": ["message_new"], "vk_conn_id": vk_events_conn}

    async def life(emitted: tuple[str, ...], receive: int, *, idle_after: bool) -> list[dict]:
        events = VkCommunityEventTrigger(**kwargs).run()
        before = started(sandbox, vk_events_conn)
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) > before)
        emit(sandbox, *messages(*emitted))
        got = []
        for _ in range(receive):
            got.append((await asyncio.wait_for(pending, 20)).payload)
            checks = started(sandbox, vk_events_conn)
            pending = asyncio.ensure_future(events.__anext__())
        if idle_after:  # killed while waiting for more: everything received was recorded
            await until(lambda: started(sandbox, vk_events_conn) > checks)
        pending.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await pending
        await events.aclose()
        return got

    def texts(payloads):
        return [p["object"]["message"]["text"] for p in payloads]

    # Killed mid-batch: 1 and 2 handed over; the trigger had resumed after 1 (recorded) but not after 2.
    first = run(sandbox, life(("1", "2", "3"), 2, idle_after=False))
    emit(sandbox, *messages("while down"))  # sent while no triggerer ran
    # 2 comes again (its hand-over was never recorded: the triggerer may have died before storing it), then the
    # rest; killed while idle.
    second = run(sandbox, life(("4",), 4, idle_after=True))
    third = run(sandbox, life(("5",), 1, idle_after=True))
    assert texts(first) == ["1", "2"]
    assert texts(second) == ["2", "3", "while down", "4"]
    assert texts(third) == ["5"]
    assert len(list((tmp_path / "store").glob("vk_events_cursor_vk_longpoll_*.json"))) == 1


def test_failed_answers_as_documented(vk_events_conn, sandbox, caplog):
    trigger = VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id=vk_events_conn)

    async def go():
        events = trigger.run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) >= 1)
        sandbox.control.vk_configure(longpoll_expire_keys=True)  # failed 2: a new key, nothing lost
        sandbox.state.clock.advance(100)  # release the held check: the next one finds the key expired
        emit(sandbox, *messages("after new key"))
        got = [(await asyncio.wait_for(pending, 20)).payload]
        checks = started(sandbox, vk_events_conn)
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) > checks)
        api_calls = sandbox.control.requests()["by_service"]["vk"]
        sandbox.control.vk_configure(longpoll_lose_keys=True)  # failed 3: new key and ts, events may be lost
        await until(lambda: sandbox.control.requests()["by_service"]["vk"] > api_calls)  # the new key
        await until(lambda: started(sandbox, vk_events_conn) > checks + 1)  # checking with it
        emit(sandbox, *messages("after loss"))
        got.append((await asyncio.wait_for(pending, 20)).payload)
        await events.aclose()
        return got

    with caplog.at_level("WARNING"):
        got = run(sandbox, go())
    assert got[0]["object"]["message"]["text"] == "after new key" and "events_may_be_lost" not in got[0]
    assert got[1]["object"]["message"]["text"] == "after loss"
    assert got[1]["events_may_be_lost"]["failed"] == 3
    assert "events in between may be lost" in got[1]["events_may_be_lost"]["message"]
    assert "events in between may be lost" in caplog.text


def test_failed_1_goes_on_from_the_new_ts_and_says_so(vk_events_conn, sandbox, tmp_path):
    kwargs = {"event_types": ["message_new"], "vk_conn_id": vk_events_conn}

    async def first():
        events = VkCommunityEventTrigger(**kwargs).run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: started(sandbox, vk_events_conn) >= 1)
        emit(sandbox, *messages("seen"))
        await asyncio.wait_for(pending, 20)
        await events.aclose()

    async def second():
        events = VkCommunityEventTrigger(**kwargs).run()
        got = await take(events, 1)
        await events.aclose()
        return got

    run(sandbox, first())
    sandbox.control.vk_configure(longpoll_keep=2)
    emit(sandbox, *messages("lost 1", "lost 2", "kept 1", "kept 2"))  # the history keeps the last two only
    got = run(sandbox, second())
    assert got[0]["object"]["message"]["text"] == "kept 1"
    assert got[0]["events_may_be_lost"]["failed"] == 1
    assert FileTokenStore(tmp_path / "store")  # the cursor store is the connection's
