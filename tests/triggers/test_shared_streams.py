"""Watchers on the triggerer's shared stream (Airflow 3.3's ``SharedStreamManager``, the real one, in this process):
watchers of one community with other event types and filters share one long poll, and each gets exactly its own
events."""

from __future__ import annotations

import asyncio

from airflow.triggers.shared_stream import SharedStreamManager

from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger
from tests.triggers.test_vk_events import emit, messages, run, started
from tests.triggers.test_yandex_disk import until


async def take(events, n: int) -> list[dict]:
    return [(await asyncio.wait_for(events.__anext__(), 20)).payload for _ in range(n)]


def test_watchers_of_one_community_share_one_long_poll_and_each_gets_its_events(vk_events_conn, sandbox):
    messages_only = VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id=vk_events_conn)
    orders_and_order_talk = VkCommunityEventTrigger(event_types=["market_order_new", "message_new"],
                                                    vk_conn_id=vk_events_conn, text_pattern="order", wait=60)
    key = messages_only.shared_stream_key()
    assert key is not None and orders_and_order_talk.shared_stream_key() == key
    longpoll = sandbox.state.services["vk"].longpoll

    async def go():
        manager = SharedStreamManager()
        first = messages_only.filter_shared_stream(manager.subscribe(trigger_id=1, trigger=messages_only, key=key))
        second = orders_and_order_talk.filter_shared_stream(
            manager.subscribe(trigger_id=2, trigger=orders_and_order_talk, key=key))
        pending = [asyncio.ensure_future(first.__anext__()), asyncio.ensure_future(second.__anext__())]
        await until(lambda: started(sandbox, vk_events_conn) >= 1)
        emit(sandbox, *messages("hello", "my order #7?"),
             {"type": "market_order_new", "user_id": 2, "amount": 10, "comment": "gift order"},
             {"type": "group_join", "user_id": 3})
        got_first = [(await asyncio.wait_for(pending[0], 20)).payload, *await take(first, 1)]
        got_second = [(await asyncio.wait_for(pending[1], 20)).payload, *await take(second, 1)]
        await until(lambda: started(sandbox, vk_events_conn) >= 2)  # the one poll asks again
        await manager.stop_all()
        await first.aclose()
        await second.aclose()
        return got_first, got_second

    got_first, got_second = run(sandbox, go())
    assert [p["object"]["message"]["text"] for p in got_first] == ["hello", "my order #7?"]
    assert [p["type"] for p in got_second] == ["message_new", "market_order_new"]
    assert got_second[0]["object"]["message"]["text"] == "my order #7?"
    # One poll: one Long Poll key asked for, and one held check at a time (the first, then its successor).
    assert len(longpoll.keys) == 1
    assert started(sandbox, vk_events_conn) == 2
    # Each event says which watcher it is for and where it stands in VK's ts sequence.
    assert got_first[1]["delivery"]["position"] == got_first[0]["delivery"]["position"] + 1
    assert got_first[0]["delivery"]["watcher"] != got_second[0]["delivery"]["watcher"]
    assert got_second[0]["delivery"]["position"] == got_first[1]["delivery"]["position"]
