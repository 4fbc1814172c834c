"""The delivered-position listener under Airflow's real ``Trigger.submit_event`` and a real metadata database
(SQLite): the position commits or rolls back with the asset event, and a watcher rebuilt after a "kill" (a new
``SharedStreamManager`` whose persist confirmations never arrived, the cursor left behind) skips exactly what
Airflow stored."""

from __future__ import annotations

import asyncio

import pytest

from airflow_provider_social.core.tokens.cursors import delivered_variable, load_delivered
from airflow_provider_social.plugins import event_delivery
from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger
from tests.triggers.test_vk_events import emit, messages, run, started
from tests.triggers.test_yandex_disk import until

ASSET = "vk_delivery_test"


@pytest.fixture(scope="module")
def watcher_row(airflow_db):
    """A trigger row of a VK watcher with an asset watching it; returns ``(make, asset id)``: ``make(trigger)``
    stores that trigger's row under the asset and returns its id."""
    from airflow.models.asset import AssetModel, AssetWatcherModel
    from airflow.models.trigger import Trigger
    from airflow.utils.session import create_session

    with create_session() as session:
        asset = AssetModel(name=ASSET, uri=ASSET)
        session.add(asset)
        session.flush()
        asset_id = asset.id

    def make(trigger: VkCommunityEventTrigger) -> int:
        classpath, kwargs = trigger.serialize()
        with create_session() as session:
            row = Trigger(classpath=classpath, kwargs=kwargs)
            session.add(row)
            session.flush()
            session.add(AssetWatcherModel(name=f"w{row.id}", asset_id=asset_id, trigger_id=row.id))
            return row.id

    return make, asset_id


def stored_texts(asset_id: int) -> list[str]:
    from airflow.models.asset import AssetEvent
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        extras = session.scalars(select(AssetEvent.extra).where(AssetEvent.asset_id == asset_id)
                                 .order_by(AssetEvent.id)).all()
    return [extra["payload"]["object"].get("message", {}).get("text") for extra in extras]


def test_the_plugin_registers_the_listener_with_airflow(airflow_db):
    from airflow.listeners.listener import get_listener_manager

    assert get_listener_manager().pm.is_registered(event_delivery)


def test_the_position_commits_and_rolls_back_with_the_asset_event(watcher_row):
    from airflow.models.trigger import Trigger
    from airflow.triggers.base import TriggerEvent
    from airflow.utils.session import create_session

    make, asset_id = watcher_row
    trigger_id = make(VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id="rollback", group_id=1))
    before = stored_texts(asset_id)

    def event(text: str, position: int) -> TriggerEvent:
        return TriggerEvent({"type": "message_new", "object": {"message": {"text": text}},
                             "delivery": {"watcher": "w-rollback", "position": position}})

    with pytest.raises(RuntimeError), create_session() as session:
        Trigger.submit_event(trigger_id=trigger_id, event=event("rolled back", 7), session=session)
        raise RuntimeError("the triggerer died before the commit")
    assert stored_texts(asset_id) == before and load_delivered("w-rollback") is None

    Trigger.submit_event(trigger_id=trigger_id, event=event("stored", 8))
    assert stored_texts(asset_id) == [*before, "stored"] and load_delivered("w-rollback") == 8
    Trigger.submit_event(trigger_id=trigger_id, event=TriggerEvent({"type": "no delivery", "object": {}}))
    assert load_delivered("w-rollback") == 8  # an event without a delivery leaves positions alone


def test_a_watcher_rebuilt_after_a_kill_skips_what_airflow_stored(watcher_row, vk_events_conn, sandbox):
    """The triggerer stored 1 and 2 (the listener recorded 2) but the confirmations never reached the producer,
    so its cursor stayed before 1; the rebuilt watcher reads 1, 2, 3 again and fires for 3 only."""
    from airflow.models.trigger import Trigger
    from airflow.triggers.shared_stream import SharedStreamManager

    make, asset_id = watcher_row
    watcher = VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id=vk_events_conn)
    trigger_id = make(watcher)
    key = watcher.shared_stream_key()
    before = stored_texts(asset_id)

    async def life(stored: int, *emitted: str) -> list[dict]:
        manager = SharedStreamManager()
        events = watcher.filter_shared_stream(manager.subscribe(trigger_id=trigger_id, trigger=watcher, key=key))
        pending = asyncio.ensure_future(events.__anext__())
        checks = started(sandbox, vk_events_conn)
        await until(lambda: started(sandbox, vk_events_conn) > checks)
        emit(sandbox, *messages(*emitted))
        fired = []
        for n in range(stored):
            event = await asyncio.wait_for(pending, 20)
            assert manager.bind_pending_event(trigger_id=trigger_id, key=key) is not None  # ack mode
            await asyncio.to_thread(Trigger.submit_event, trigger_id=trigger_id, event=event)
            fired.append(event.payload)
            if n + 1 < stored:
                pending = asyncio.ensure_future(events.__anext__())
        await manager.stop_all()  # killed: no confirmation ever reached the stream
        await events.aclose()
        return fired

    first = run(sandbox, life(2, "1", "2", "3"))
    assert [p["object"]["message"]["text"] for p in first] == ["1", "2"]
    assert load_delivered(watcher.watcher_id()) == first[1]["delivery"]["position"]
    second = run(sandbox, life(2, "4"))
    assert [p["object"]["message"]["text"] for p in second] == ["3", "4"]
    assert stored_texts(asset_id) == [*before, "1", "2", "3", "4"]
    # The guarantee rests on the recorded position: without it the rebuilt watcher fires for 3 and 4 again.
    from airflow.models.variable import Variable

    Variable.delete(delivered_variable(watcher.watcher_id()))
    third = run(sandbox, life(2, "5"))
    assert [p["object"]["message"]["text"] for p in third] == ["3", "4"]
