"""TwitterMentionEventTrigger against the sandbox's mentions and recent search: new posts oldest first, a cursor
(since_id) that survives a rebuilt trigger, the read budget's gap, and polls paced by the rate window. Waits move
the sandbox clock (recorded), never a real one."""

from __future__ import annotations

import asyncio
import json

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.sensors.twitter import TwitterMentionEventSensor
from airflow_provider_social.triggers.twitter_events import TwitterMentionEventTrigger, paced_pause
from tests.hooks.twitter_helpers import x_connection
from tests.triggers.test_yandex_disk import until


@pytest.fixture
def x_events_conn(sandbox, make_connection, tmp_path):
    """An X connection to the sandbox whose cursors live in a file token store."""
    return x_connection(sandbox, make_connection, "x_events", token_store=f"file:{tmp_path / 'store'}")


class SandboxSleep:
    """The trigger's sleep: records each pause and moves the sandbox clock by it; ``before`` runs first (the test's
    next step: new posts) and may stop the trigger by raising."""

    def __init__(self, sandbox, before=None) -> None:
        self.sandbox = sandbox
        self.pauses: list[float] = []
        self.before = before

    async def __call__(self, seconds: float) -> None:
        self.pauses.append(seconds)
        if self.before is not None:
            self.before(len(self.pauses))
        self.sandbox.state.clock.advance(seconds)


def make(sandbox, conn: str, before=None, **kwargs) -> tuple[TwitterMentionEventTrigger, SandboxSleep]:
    trigger = TwitterMentionEventTrigger(twitter_conn_id=conn, **{"poll_interval": 30, **kwargs})
    trigger.sleep = sleep = SandboxSleep(sandbox, before)
    trigger.clock = sandbox.state.clock.now
    return trigger, sleep


def mention(sandbox, count: int) -> None:
    """``count`` new posts of another user mentioning the sandbox user (``@sandbox_user seeded question i``)."""
    start = int(sandbox.state.clock.now()) + 1  # posted from now on (search's first cursor is a time)
    sandbox.control.configure("twitter", seed={"mentions": count, "step": 1, "start": start})


async def take(trigger, n: int) -> list[dict]:
    """The first ``n`` events; then the trigger runs on to its next pause (a cursor is saved once the triggerer
    took the event, i.e. when the trigger is resumed) and is stopped there."""
    events = trigger.run()
    got = [(await asyncio.wait_for(events.__anext__(), 20)).payload for _ in range(n)]
    pauses = len(trigger.sleep.pauses)
    pending = asyncio.ensure_future(events.__anext__())
    await until(lambda: len(trigger.sleep.pauses) > pauses)
    pending.cancel()
    await asyncio.gather(pending, return_exceptions=True)
    await events.aclose()
    return got


def x_requests(sandbox) -> int:
    return sandbox.control.requests()["by_service"].get("twitter", 0)


def test_serialize_round_trip_and_input_checked_before_any_call():
    trigger = TwitterMentionEventTrigger(query="#airflow -is:retweet", twitter_conn_id="c", poll_interval=15,
                                         max_reads_per_poll=50)
    path, kwargs = trigger.serialize()
    assert path.endswith("twitter_events.TwitterMentionEventTrigger") and json.dumps(kwargs)
    assert TwitterMentionEventTrigger(**kwargs).serialize() == (path, kwargs)
    assert trigger.source == "x_search" and TwitterMentionEventTrigger().source == "x_mentions"
    assert trigger.shared_stream_key() != TwitterMentionEventTrigger(query="other").shared_stream_key()
    # Watchers of one query share its polling loop whatever their pace; positions are X's growing post ids.
    same_query = TwitterMentionEventTrigger(query="#airflow -is:retweet", twitter_conn_id="c", poll_interval=60)
    assert same_query.shared_stream_key() == trigger.shared_stream_key()
    assert same_query.watcher_id() != trigger.watcher_id()
    assert trigger.already_delivered({"position": 1900}, 1900)
    assert not trigger.already_delivered({"position": 1901}, 1900)
    for bad, field in [({"poll_interval": 0}, "poll_interval"), ({"poll_interval": True}, "poll_interval"),
                       ({"query": " "}, "query"), ({"query": "x" * 513}, "query"),
                       ({"max_reads_per_poll": 0}, "max_reads_per_poll"),
                       ({"max_reads_per_poll": None}, "max_reads_per_poll")]:
        with pytest.raises(ValidationError, match=field):
            TwitterMentionEventTrigger(**bad)


def test_mentions_fire_oldest_first_and_a_rebuilt_trigger_repeats_and_skips_nothing(sandbox, x_events_conn):
    mention(sandbox, 3)  # already there when the watcher first starts: not events

    def first_steps(polls: int) -> None:
        if polls == 1:
            mention(sandbox, 4)

    first, _ = make(sandbox, x_events_conn, first_steps)
    got = asyncio.run(take(first, 4))
    mention(sandbox, 2)  # while no triggerer runs
    second, _ = make(sandbox, x_events_conn)
    again = asyncio.run(take(second, 2))
    ids = [int(p["id"]) for p in got + again]
    assert ids == sorted(ids) and len(set(ids)) == 6
    assert [p["text"] for p in got] == [f"@sandbox_user seeded question {i}" for i in range(4)]
    assert all(p["source"] == "mentions" and p["query"] is None and "events_may_be_lost" not in p
               for p in got + again)
    assert set(got[0]) >= {"id", "text", "author_id", "created_at", "public_metrics"}


def test_a_search_query_fires_for_matching_posts_only(sandbox, x_events_conn):
    def steps(polls: int) -> None:
        if polls == 1:
            mention(sandbox, 2)
            own = {"posts": 2, "step": 1, "start": int(sandbox.state.clock.now()) + 1}
            sandbox.control.configure("twitter", seed=own)  # own posts: '#airflow', no match

    trigger, _ = make(sandbox, x_events_conn, steps, query="seeded question")
    got = asyncio.run(take(trigger, 2))
    assert [p["text"] for p in got] == ["@sandbox_user seeded question 0", "@sandbox_user seeded question 1"]
    assert got[0]["source"] == "search" and got[0]["query"] == "seeded question"


def test_a_burst_past_the_read_budget_says_which_posts_were_not_read(sandbox, x_events_conn):
    def steps(polls: int) -> None:
        if polls == 1:
            mention(sandbox, 12)

    trigger, _ = make(sandbox, x_events_conn, steps, max_reads_per_poll=5)
    got = asyncio.run(take(trigger, 5))
    assert [p["text"][-2:].strip() for p in got] == ["7", "8", "9", "10", "11"]  # the newest five
    gap = got[0]["events_may_be_lost"]
    assert gap["before_id"] == got[0]["id"] and "max_reads_per_poll=5" in gap["message"]
    assert all("events_may_be_lost" not in p for p in got[1:])


def test_polls_keep_to_the_rate_window_however_short_the_poll_interval(sandbox, x_events_conn, caplog):
    sandbox.control.configure("twitter", rate_limits={"users_mentions": {"limit": 10, "window": 60}})
    start = sandbox.state.clock.now()
    before = x_requests(sandbox)

    def steps(polls: int) -> None:
        if polls % 7 == 0:
            mention(sandbox, 1)

    trigger, sleep = make(sandbox, x_events_conn, steps, poll_interval=0.01)
    got = asyncio.run(take(trigger, 6))
    elapsed = sandbox.state.clock.now() - start
    requests = x_requests(sandbox) - before - 1  # GET /2/users/me once, to know whose mentions
    assert len(got) == 6 and requests >= 40 and "rate window spent" not in caplog.text  # X never refused one
    assert requests / elapsed <= 10 / 60  # never faster than the window allows
    assert max(sleep.pauses) > 0.01  # the window, not poll_interval, set the pace


@pytest.mark.parametrize(("window", "requests", "expected"), [
    (None, 1, 30.0), ((300, 900.0), 1, 30.0), ((10, 600.0), 1, 60.0), ((10, 600.0), 3, 180.0),
    ((0, 600.0), 1, 601.0), ((5, 0.0), 1, 30.0),
])
def test_paced_pause(window, requests, expected):
    assert paced_pause(30.0, window, requests, now=0.0) == expected


def test_the_sensor_defers_with_its_own_cursor_and_returns_the_post(sandbox, x_events_conn, context):
    sensor = TwitterMentionEventSensor(task_id="wait_for_mention", twitter_conn_id=x_events_conn, timeout=600,
                                       poke_interval=30)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context)
    trigger = deferred.value.trigger
    assert trigger.consumer.endswith(".wait_for_mention") and trigger.shared_stream_key() is None
    trigger.sleep = SandboxSleep(sandbox, lambda polls: mention(sandbox, 1) if polls == 1 else None)
    trigger.clock = sandbox.state.clock.now
    event = asyncio.run(take(trigger, 1))[0]
    assert sensor.execute_complete(context, event)["text"].startswith("@sandbox_user")
    with pytest.raises(ValidationError, match="query"):
        TwitterMentionEventSensor(task_id="bad", query="")
