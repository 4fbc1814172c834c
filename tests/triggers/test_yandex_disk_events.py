"""YandexDiskFolderEventTrigger against the sandbox: new and changed files (a re-upload of the same name counts),
oldest first, a name pattern, and a cursor that survives a rebuilt trigger. Polls wait on a gate the test opens,
never on a real clock."""

from __future__ import annotations

import asyncio
import json

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from airflow_provider_social.hooks.yandex_disk.events import FolderWatch
from airflow_provider_social.triggers.yandex_disk_events import YandexDiskFolderEventTrigger
from tests.triggers.test_yandex_disk import until


@pytest.fixture
def hook(disk_conn):
    return YandexDiskHook(disk_conn)


class Gate:
    """The trigger's sleep: each poll waits here until the test lets one more through."""

    def __init__(self) -> None:
        self.waiting = 0
        self.opened = asyncio.Event()

    async def __call__(self, seconds: float) -> None:
        self.waiting += 1
        await self.opened.wait()
        self.opened.clear()


def trigger(conn: str, **kwargs) -> tuple[YandexDiskFolderEventTrigger, Gate]:
    made = YandexDiskFolderEventTrigger(path="disk:/Inbox", yandex_disk_conn_id=conn, poll_interval=30, **kwargs)
    made.sleep = gate = Gate()
    return made, gate


def upload(hook, tmp_path, name: str, text: str) -> None:
    (tmp_path / name).write_text(text)
    hook.upload_file(tmp_path / name, f"Inbox/{name}", overwrite=True)


def test_serialize_and_input_checked_before_any_call():
    made = YandexDiskFolderEventTrigger(path="/Inbox", name_pattern="*.csv", yandex_disk_conn_id="c")
    path, kwargs = made.serialize()
    assert kwargs["path"] == "disk:/Inbox" and json.dumps(kwargs)
    assert YandexDiskFolderEventTrigger(**kwargs).serialize() == (path, kwargs)
    with pytest.raises(ValidationError, match="poll_interval"):
        YandexDiskFolderEventTrigger(path="disk:/Inbox", poll_interval=0)
    with pytest.raises(ValidationError, match="name_pattern"):
        YandexDiskFolderEventTrigger(path="disk:/Inbox", name_pattern="")


def test_a_folder_made_after_the_watcher_started_is_watched(disk_conn, hook, sandbox, tmp_path):
    async def go():
        made, gate = trigger(disk_conn)
        events = made.run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: gate.waiting == 1)  # no folder yet: nothing there
        hook.create_folder("Inbox")
        upload(hook, tmp_path, "first.csv", "1")
        gate.opened.set()
        got = (await asyncio.wait_for(pending, 20)).payload
        await events.aclose()
        return got

    assert asyncio.run(go())["name"] == "first.csv"


def test_new_and_changed_files_fire_once_each_and_a_restart_repeats_nothing(disk_conn, hook, sandbox, tmp_path):
    hook.create_folder("Inbox")
    upload(hook, tmp_path, "old.txt", "already there")

    async def first_life():
        made, gate = trigger(disk_conn)
        events = made.run()
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: gate.waiting == 1)  # the first listing marked old.txt as seen
        sandbox.state.clock.advance(5)
        upload(hook, tmp_path, "b.txt", "b")
        upload(hook, tmp_path, "a.csv", "a, version 1")  # the same second as b.txt: by path
        gate.opened.set()
        got = [(await asyncio.wait_for(pending, 20)).payload]
        got.append((await asyncio.wait_for(events.__anext__(), 20)).payload)
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: gate.waiting == 2)
        upload(hook, tmp_path, "a.csv", "a, version 2")  # same name, same second, new bytes: a change
        gate.opened.set()
        got.append((await asyncio.wait_for(pending, 20)).payload)
        pending = asyncio.ensure_future(events.__anext__())
        await until(lambda: gate.waiting == 3)  # all recorded; killed while idle
        pending.cancel()
        await asyncio.gather(pending, return_exceptions=True)
        await events.aclose()
        return got

    async def second_life():
        made, gate = trigger(disk_conn)
        events = made.run()
        pending = asyncio.ensure_future(events.__anext__())
        got = [(await asyncio.wait_for(pending, 20)).payload]  # what arrived while no triggerer ran
        await events.aclose()
        return got

    first = asyncio.run(first_life())
    sandbox.state.clock.advance(5)
    upload(hook, tmp_path, "c.csv", "c")
    second = asyncio.run(second_life())
    assert [(p["name"], p["md5"]) for p in first] == [("a.csv", first[0]["md5"]), ("b.txt", first[1]["md5"]),
                                                       ("a.csv", first[2]["md5"])]
    assert first[0]["md5"] != first[2]["md5"] and first[0]["path"] == "disk:/Inbox/a.csv"
    assert [p["name"] for p in second] == ["c.csv"]
    for payload in first + second:
        assert "file" not in payload and set(payload) >= {"path", "name", "md5", "size", "modified"}


def test_name_pattern_and_the_cursor_rules():
    watch = FolderWatch("disk:/Inbox", "*.csv")
    def file(name: str, md5: str, second: int, kind: str = "file") -> dict:
        return {"type": kind, "name": name, "path": f"disk:/Inbox/{name}", "md5": md5,
                "modified": f"2026-01-01T00:00:0{second}+00:00"}

    listing = [file("n.csv", "3", 2), file("m.txt", "2", 2), file("sub", "", 2, "dir"), file("o.csv", "1", 1)]
    start = watch.first_cursor(listing[3:])
    assert start == {"mark": "2026-01-01T00:00:01+00:00", "at_mark": [["disk:/Inbox/o.csv", "1"]]}
    assert [i["name"] for i in watch.changes(listing, start)] == ["n.csv"]
    after = watch.advance(start, listing[0])
    assert watch.changes(listing, after) == []
    assert FolderWatch("disk:/Inbox").changes(listing, after) == [listing[1]]


def test_watchers_of_one_folder_share_a_stream_and_skip_what_was_stored_for_them():
    """One stream per connection and folder whatever the pattern; each watcher keeps its own files, and a file is
    at or before a delivered position when it is no change for that cursor (same second: by path and md5)."""
    csv = YandexDiskFolderEventTrigger(path="disk:/Inbox", name_pattern="*.csv", yandex_disk_conn_id="c")
    every = YandexDiskFolderEventTrigger(path="disk:/Inbox/", yandex_disk_conn_id="c", poll_interval=5)
    assert csv.shared_stream_key() == every.shared_stream_key()
    assert csv.shared_stream_key() != YandexDiskFolderEventTrigger(path="disk:/Other",
                                                                   yandex_disk_conn_id="c").shared_stream_key()
    assert csv.watcher_id() != every.watcher_id()

    def event(name: str, md5: str, second: int) -> dict:
        return {"kind": "event", "payload": {"type": "file", "name": name, "path": f"disk:/Inbox/{name}", "md5": md5,
                                             "modified": f"2026-01-01T00:00:0{second}+00:00"}}

    assert csv.wants(event("a.csv", "1", 1)["payload"]) and not csv.wants(event("a.txt", "1", 1)["payload"])
    delivered = {"mark": "2026-01-01T00:00:02+00:00", "at_mark": [["disk:/Inbox/b.csv", "2"]]}
    assert csv.already_delivered(event("a.csv", "1", 1), delivered)
    assert csv.already_delivered(event("b.csv", "2", 2), delivered)
    assert not csv.already_delivered(event("c.csv", "3", 2), delivered)  # the same second, not reported yet
    assert not csv.already_delivered(event("b.csv", "9", 2), delivered)  # re-uploaded: another md5
    assert not csv.already_delivered(event("d.csv", "4", 3), delivered)
    assert not csv.already_delivered(event("a.csv", "1", 1), None)


def test_a_gap_reaches_the_next_event_a_watcher_wants_even_when_another_file_carried_it():
    csv = YandexDiskFolderEventTrigger(path="disk:/Inbox", name_pattern="*.csv", yandex_disk_conn_id="c")
    gap = {"message": "events in between may be lost"}

    def event(name: str, second: int, **extra) -> dict:
        payload = {"type": "file", "name": name, "path": f"disk:/Inbox/{name}", "md5": name,
                   "modified": f"2026-01-01T00:00:0{second}+00:00", **extra}
        return {"kind": "event", "payload": payload, "position": {"mark": payload["modified"], "at_mark": []}}

    async def stream():
        yield {"kind": "tick"}
        yield event("a.txt", 1, events_may_be_lost=gap)  # not this watcher's
        yield event("b.csv", 2)
        yield event("c.csv", 3)

    async def go():
        return [e.payload async for e in csv.filter_shared_stream(stream())]

    first, second = asyncio.run(go())
    assert (first["name"], first["events_may_be_lost"]) == ("b.csv", gap) and "events_may_be_lost" not in second
    assert first["delivery"] == {"watcher": csv.watcher_id(), "position": {"mark": first["modified"], "at_mark": []}}
