"""Twitter/X operators and the media-processing trigger against the sandbox."""

from __future__ import annotations

import asyncio
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.core.errors import NotFoundError, RateLimitError, ValidationError
from airflow_provider_social.links.twitter import TwitterTweetLink
from airflow_provider_social.operators.twitter import (
    TwitterCreateTweetOperator,
    TwitterDeleteTweetOperator,
    TwitterRefreshTokenOperator,
    TwitterThreadOperator,
)
from airflow_provider_social.triggers.twitter import TwitterMediaProcessingTrigger
from tests.hooks.twitter_helpers import write_png, write_video, x_connection
from tests.operators.garbage import assert_refused_before_any_request, garbage_cases


@pytest.fixture
def x_conn(sandbox, make_connection, tmp_path):
    return x_connection(sandbox, make_connection, "twitter_default", token_store=f"file:{tmp_path / 'tokens'}")


@pytest.fixture
def on_sandbox_clock(sandbox, monkeypatch):
    """The operators' hooks read time from the sandbox clock: a spent rate window is held until its reset on the
    hook's clock, so a test's jump of the sandbox clock past the reset must be the hook's too (as real time is)."""
    from airflow_provider_social.hooks.twitter import TwitterHook
    from airflow_provider_social.operators import twitter as ops

    monkeypatch.setattr(ops._TwitterOperator, "get_hook",
                        lambda self: TwitterHook(self.twitter_conn_id, clock=sandbox.state.clock.now))


def ctx(try_number: int = 1, start_date: datetime | None = None):
    return {"ti": SimpleNamespace(try_number=try_number, start_date=start_date)}


def tweets(sandbox):
    return sandbox.control.state("twitter")["tweets"]


def run_trigger(trigger, sandbox):
    async def advance(seconds):
        sandbox.state.clock.advance(seconds)

    trigger.sleep = advance

    async def first():
        async for event in trigger.run():
            return event.payload

    return asyncio.run(first())


def test_create_tweet_operator_result_link_and_xcom_shape(sandbox, x_conn, tmp_path):
    op = TwitterCreateTweetOperator(task_id="post", text="digest https://example.com", media_paths=str(
        write_png(tmp_path)))
    result = op.execute(ctx())
    assert set(result) == {"id", "text", "url", "media_ids", "deduplicated"} and len(result["media_ids"]) == 1
    assert TwitterTweetLink().get_link(op, ti_key=SimpleNamespace(task_id="post")) == result["url"]
    assert "token" not in str(result).lower()
    assert tweets(sandbox)[0]["media_ids"] == result["media_ids"]


def test_retried_task_does_not_post_twice(sandbox, x_conn):
    first = TwitterCreateTweetOperator(task_id="post", text="once only").execute(ctx())
    again = TwitterCreateTweetOperator(task_id="post", text="once only").execute(ctx(try_number=2))
    assert again["id"] == first["id"] and again["deduplicated"] is True and len(tweets(sandbox)) == 1


def test_a_retry_looks_for_earlier_posts_once(sandbox, x_conn, monkeypatch):
    from tests.hooks.test_twitter import count_timeline_lookups

    lookups = count_timeline_lookups(monkeypatch)
    TwitterCreateTweetOperator(task_id="post", text="first try lost").execute(ctx(try_number=2))
    assert len(lookups) == 1
    lookups.clear()
    TwitterThreadOperator(task_id="thread", tweets=["a 1/2", "a 2/2"]).execute(ctx(try_number=2))
    assert len(lookups) == 1
    assert len(tweets(sandbox)) == 3


def test_retry_finds_the_post_before_uploading_again(sandbox, x_conn, tmp_path):
    image = str(write_png(tmp_path))
    first = TwitterCreateTweetOperator(task_id="post", text="with a chart", media_paths=[image]).execute(ctx())
    again = TwitterCreateTweetOperator(task_id="post", text="with a chart", media_paths=[image]).execute(ctx(2))
    assert again["id"] == first["id"] and again["deduplicated"] is True
    assert len(sandbox.control.state("twitter")["media"]) == 1  # the retry uploaded nothing


def test_retried_thread_reuses_every_landed_post_without_uploading(sandbox, x_conn, tmp_path):
    items = [{"text": "1/2 chart", "media_paths": [str(write_png(tmp_path))]}, "2/2 end"]
    first = TwitterThreadOperator(task_id="t", tweets=items).execute(ctx())
    again = TwitterThreadOperator(task_id="t", tweets=items).execute(ctx(2))
    assert again == first and len(tweets(sandbox)) == 2
    assert len(sandbox.control.state("twitter")["media"]) == 1


def test_retried_thread_continues_after_the_landed_part(sandbox, x_conn, tmp_path):
    from airflow_provider_social.hooks.twitter import TwitterHook

    # The earlier try posted the first part (with its image) and stopped.
    landed = TwitterHook("twitter_default").create_tweet("1/3 first", media_paths=[str(write_png(tmp_path))])
    items = [{"text": "1/3 first", "media_paths": [str(write_png(tmp_path))]}, "2/3 second",
             {"text": "3/3 third", "media_paths": [str(write_png(tmp_path, "b.png"))]}]
    result = TwitterThreadOperator(task_id="t", tweets=items).execute(ctx(2))
    assert len(sandbox.control.state("twitter")["media"]) == 2  # the landed part's image was not uploaded again
    state = {t["id"]: t for t in tweets(sandbox)}
    assert result["ids"][0] == landed["id"] and len(state) == 3
    assert state[result["ids"][1]]["reply_to"] == landed["id"] and state[result["ids"][2]]["reply_to"] == (
        result["ids"][1]
    )


def test_bad_input_fails_before_any_call(sandbox, x_conn):
    op = TwitterCreateTweetOperator(task_id="post", text="x", poll_options=["a"], poll_duration_minutes=60)
    with pytest.raises(ValidationError, match="poll_options"):
        op.execute(ctx())
    with pytest.raises(ValidationError, match="tweets"):
        TwitterThreadOperator(task_id="t", tweets=[]).execute(ctx())
    with pytest.raises(ValidationError, match="tweet_id"):
        TwitterDeleteTweetOperator(task_id="d", tweet_id="abc").execute(ctx())
    assert tweets(sandbox) == []


def test_deferrable_video_waits_in_the_trigger(sandbox, x_conn, tmp_path):
    op = TwitterCreateTweetOperator(task_id="post", text="a video", media_paths=[str(write_video(tmp_path, 4096))],
                                    deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx())
    trigger = deferred.value.trigger
    assert isinstance(trigger, TwitterMediaProcessingTrigger) and deferred.value.method_name == "execute_complete"
    classpath, kwargs = trigger.serialize()
    assert classpath.endswith("TwitterMediaProcessingTrigger") and kwargs["media_ids"] == trigger.media_ids
    assert tweets(sandbox) == []  # nothing posted while the video processes
    event = run_trigger(TwitterMediaProcessingTrigger(**kwargs), sandbox)
    assert event["status"] == "success"
    result = op.execute_complete(ctx(), event=event, **deferred.value.kwargs)
    assert tweets(sandbox)[0]["media_ids"] == result["media_ids"] != []


def test_deferred_thread_keeps_its_media_when_only_the_event_comes_back(sandbox, x_conn, tmp_path):
    """`airflow dags test` resumes with the event alone (no defer kwargs): the media ids travel in the event."""
    op = TwitterThreadOperator(task_id="thread", deferrable=True, tweets=[
        {"text": "1/2 image", "media_paths": [str(write_png(tmp_path))]},
        {"text": "2/2 video", "media_paths": [str(write_video(tmp_path, 4096))]},
    ])
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx())
    event = run_trigger(deferred.value.trigger, sandbox)
    result = op.execute_complete(ctx(), event=event)
    state = {t["id"]: t for t in tweets(sandbox)}
    assert [len(state[i]["media_ids"]) for i in result["ids"]] == [1, 1]


def test_trigger_reports_failed_processing(sandbox, x_conn, tmp_path):
    op = TwitterCreateTweetOperator(task_id="post", text="bad video",
                                    media_paths=[str(write_video(tmp_path, 4096, valid=False))], deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx())
    event = run_trigger(deferred.value.trigger, sandbox)
    assert event["status"] == "failed" and "Invalid or Unsupported media" in event["message"]
    with pytest.raises(RuntimeError, match="did not succeed"):
        op.execute_complete(ctx(), event=event, **deferred.value.kwargs)


def test_trigger_timeout_and_injected_poll_interval(sandbox, x_conn, tmp_path):
    from airflow_provider_social.hooks.twitter import TwitterHook

    media = TwitterHook("twitter_default").upload_media(write_video(tmp_path, 4096), wait=False)
    trigger = TwitterMediaProcessingTrigger(media_ids=[media["media_id"]], poll_interval=0.5, timeout=2)
    slept = []
    ticks = iter(range(100))
    trigger.clock = lambda: float(next(ticks))

    async def no_wait(seconds):
        slept.append(seconds)

    trigger.sleep = no_wait

    async def first():
        async for event in trigger.run():
            return event.payload

    event = asyncio.run(first())
    assert event["status"] == "error" and "still processing" in event["message"]
    assert slept and set(slept) == {0.5}


def test_thread_operator_with_image_and_poll(sandbox, x_conn, tmp_path):
    op = TwitterThreadOperator(task_id="thread", tweets=[
        {"text": "1/2 today", "media_paths": [str(write_png(tmp_path))]},
        {"text": "2/2 vote", "poll_options": ["yes", "no"], "poll_duration_minutes": 60},
    ])
    result = op.execute(ctx())
    state = {t["id"]: t for t in tweets(sandbox)}
    assert state[result["ids"][1]]["reply_to"] == result["ids"][0]
    assert op.tweet_url == result["url"] == result["urls"][0]


def test_rate_limited_post_defers_until_reset(sandbox, x_conn, on_sandbox_clock):
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    TwitterCreateTweetOperator(task_id="a", text="first").execute(ctx())
    with pytest.raises(RateLimitError):
        TwitterCreateTweetOperator(task_id="b", text="second").execute(ctx())
    op = TwitterCreateTweetOperator(task_id="c", text="second", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx())
    assert deferred.value.method_name == "resume_after_rate_limit"
    sandbox.state.clock.advance(901)
    assert op.resume_after_rate_limit(ctx(), **deferred.value.kwargs)["text"] == "second"


def test_rate_limit_resume_without_kwargs_starts_over_with_media(sandbox, x_conn, on_sandbox_clock, tmp_path):
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    TwitterCreateTweetOperator(task_id="a", text="first").execute(ctx())
    op = TwitterCreateTweetOperator(task_id="c", text="with image", media_paths=[str(write_png(tmp_path))],
                                    deferrable=True)
    with pytest.raises(TaskDeferred):
        op.execute(ctx())
    sandbox.state.clock.advance(901)
    result = op.resume_after_rate_limit(ctx(), event=None)
    assert len(result["media_ids"]) == 1 and tweets(sandbox)[-1]["media_ids"] == result["media_ids"]


@pytest.mark.parametrize("keep_kwargs", [True, False])
def test_thread_deferred_by_rate_limit_midway_does_not_repeat_posts(sandbox, x_conn, on_sandbox_clock, tmp_path,
                                                                    keep_kwargs):
    """The wait (901 s) is longer than the no-double-post look-back (15 min): the resumed try looks back to when
    the task started posting (the resume kwargs, or without them the task instance's start), not 15 minutes."""
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 2, 900)
    items = ["1/3 alpha", {"text": "2/3 beta", "media_paths": [str(write_png(tmp_path))]}, "3/3 gamma"]
    op = TwitterThreadOperator(task_id="t", tweets=items, deferrable=True)
    started = datetime.fromtimestamp(sandbox.state.clock.now(), timezone.utc)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ctx(start_date=started))
    assert len(tweets(sandbox)) == 2  # the window closed after two posts
    sandbox.state.clock.advance(901)
    kwargs = deferred.value.kwargs if keep_kwargs else {}
    result = op.resume_after_rate_limit(ctx(start_date=started), event=None, **kwargs)
    state = {t["id"]: t for t in tweets(sandbox)}
    assert len(state) == 3
    assert state[result["ids"][1]]["reply_to"] == result["ids"][0]
    assert state[result["ids"][2]]["reply_to"] == result["ids"][1]


def test_delete_operator_and_retry(sandbox, x_conn):
    posted = TwitterCreateTweetOperator(task_id="a", text="to delete").execute(ctx())
    assert TwitterDeleteTweetOperator(task_id="d", tweet_id=posted["id"]).execute(ctx()) == {
        "id": posted["id"], "deleted": True}
    with pytest.raises(NotFoundError):
        TwitterDeleteTweetOperator(task_id="d", tweet_id=posted["id"]).execute(ctx())
    assert TwitterDeleteTweetOperator(task_id="d", tweet_id=posted["id"]).execute(ctx(2))["deleted"] is False


def test_refresh_operator_rotates_and_returns_no_token(sandbox, x_conn, tmp_path):
    result = TwitterRefreshTokenOperator(task_id="refresh").execute(ctx())
    assert set(result) == {"conn_id", "expires_at", "scope"}
    stored = (tmp_path / "tokens" / "twitter_default.json").read_text()
    assert "xrt_" in stored and "xrt_" not in str(result) and "xat_" not in str(result)
    assert TwitterCreateTweetOperator(task_id="p", text="after refresh").execute(ctx())["id"]


def test_deferrable_defaults_to_the_airflow_setting(monkeypatch):
    assert TwitterCreateTweetOperator(task_id="a", text="x").deferrable is False
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert TwitterThreadOperator(task_id="b", tweets=["x"]).deferrable is True
    assert TwitterThreadOperator(task_id="c", tweets=["x"], deferrable=False).deferrable is False


# ------------------------------------------------------------- issue 20: rendered garbage, refused before any request
#: Placeholders made real under tmp_path: an existing directory, a text file, an empty image.
DIR, TEXT_FILE, EMPTY_IMAGE = "<dir>", "<notes.txt>", "<empty.png>"
ID_GARBAGE = ["abc", "-1", "9" * 50, "[1, 2]", "[junk", 12.5, {"a": 1}, True, "1e5", [1], "12 34"]
CONN_ID_GARBAGE = [5, True, "", "[junk", "two words", "x" * 300, "['twitter_default']"]

X_GARBAGE = {
    TwitterCreateTweetOperator: {
        # any text is a post's text, brackets included ("[junk" and "['a']" may be what the author means)
        "text": [12345, True, ["a list"], {"a": 1}, "", "x" * 300, "bad \ufffe", 3.5, "a\ud800b"],
        "media_paths": [7, True, "[junk", "['/no/such/file.png']", "[{'a': 1}]", "{'a': 1}", DIR, "x" * 5000,
                        "relative/missing.png", "ftp://example.com/a.png", TEXT_FILE, EMPTY_IMAGE, [None],
                        "~no-such-user-xy/a.png", "a\ud800b.png"],
        "media_ids": ["abc", "[1, 'x']", "[junk", "-1", "9" * 50, "{'a': 1}", True, 3.5, [None], "1e5", 7.0,
                      "[" * 100_000 + "]" * 100_000],
        "poll_options": [5, True, "one", "['only one']", "[junk", "{'a': 1}", [None, "b"], ["x" * 26, "b"], "",
                         [["a"], "b"], "['a', 'a']", ["a\ud800", "b"]],
        "poll_duration_minutes": ["inf", True, "abc", 5.5, "1e9", "4", "10081", "[60]", "nan", -5, "", "60.5"],
        "reply_to": ID_GARBAGE,
        "quote_tweet_id": ID_GARBAGE,
        "twitter_conn_id": CONN_ID_GARBAGE,
    },
    TwitterThreadOperator: {
        "tweets": [5, True, "", "one post", "[junk", "['']", "[{'text': 'a', 'bogus': 1}]", "[1, 2]", "{'a': 1}",
                   [None], [["nested"]], ["x" * 300], [{"text": "a", "media_paths": 7}], [], "[]",
                   [{"text": "a", "poll_options": "['a']", "poll_duration_minutes": 60}]],
        "reply_to": ID_GARBAGE,
        "twitter_conn_id": CONN_ID_GARBAGE,
    },
    TwitterDeleteTweetOperator: {"tweet_id": [*ID_GARBAGE, "", None], "twitter_conn_id": CONN_ID_GARBAGE},
    TwitterRefreshTokenOperator: {"twitter_conn_id": CONN_ID_GARBAGE},
}
X_VALID = {
    TwitterCreateTweetOperator: {"text": "valid text"},
    TwitterThreadOperator: {"tweets": ["1/2", "2/2"]},
    TwitterDeleteTweetOperator: {"tweet_id": "123"},
    TwitterRefreshTokenOperator: {},
}


def real_value(value, tmp_path):
    if not isinstance(value, str) or value not in (DIR, TEXT_FILE, EMPTY_IMAGE):
        return value
    (tmp_path / "dir").mkdir(exist_ok=True)
    (tmp_path / "notes.txt").write_text("not an image")
    (tmp_path / "empty.png").write_bytes(b"")
    return str(tmp_path / {DIR: "dir", TEXT_FILE: "notes.txt", EMPTY_IMAGE: "empty.png"}[value])


@pytest.mark.parametrize("operator", list(X_VALID))
def test_the_garbage_table_covers_every_templated_field(operator):
    assert set(X_GARBAGE[operator]) == set(operator.template_fields)


@pytest.mark.parametrize(("operator", "field", "value"), list(garbage_cases(X_GARBAGE)))
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(sandbox, x_conn, tmp_path,
                                                                                    operator, field, value):
    kwargs = {**X_VALID[operator], field: real_value(value, tmp_path)}
    if field == "poll_options":
        kwargs["poll_duration_minutes"] = 60
    elif field == "poll_duration_minutes":
        kwargs["poll_options"] = ["Yes", "No"]
    elif field == "text" and value == "":
        kwargs = {"text": ""}
    assert_refused_before_any_request(sandbox, lambda: operator(task_id="t", **kwargs).execute(ctx()), field, "X")


def test_lists_and_numbers_rendered_as_text_are_read(sandbox, x_conn, tmp_path):
    # "{{ params.x }}" renders a list as its Python repr and a number as its digits
    image = str(write_png(tmp_path))
    posted = TwitterCreateTweetOperator(task_id="p", text="chart", media_paths=str([image])).execute(ctx())
    assert len(posted["media_ids"]) == 1
    polled = TwitterCreateTweetOperator(task_id="q", text="Tea or coffee?", poll_options="['Tea', 'Coffee']",
                                        poll_duration_minutes="60").execute(ctx())
    poll = next(t for t in tweets(sandbox) if t["id"] == polled["id"])["poll"]
    assert poll["options"] == ["Tea", "Coffee"] and poll["duration_minutes"] == 60
    thread = TwitterThreadOperator(task_id="t", tweets="['a 1/2', {'text': 'a 2/2'}]",
                                   reply_to=str(int(posted["id"]))).execute(ctx())
    assert len(thread["ids"]) == 2
    assert TwitterCreateTweetOperator(task_id="r", text="ids", media_ids=str(posted["media_ids"])).execute(
        ctx())["media_ids"] == posted["media_ids"]



def test_a_post_is_announced_through_the_outlets(sandbox, x_conn):
    from tests.operators.conftest import run_announcing

    result, events = run_announcing(TwitterCreateTweetOperator, ctx(), task_id="post", text="announced")
    assert events == [(result["url"], {"url": result["url"]})]
