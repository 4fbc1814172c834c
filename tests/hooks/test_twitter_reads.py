"""X reads against the strict sandbox: next_token paging, caps, windows, the read budget, rate windows."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airflow_provider_social.core.errors import RateLimitError, ValidationError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from tests.hooks.twitter_helpers import x_connection


@pytest.fixture
def x_reads(sandbox, make_connection):
    """A hook on the sandbox whose waits move the sandbox clock; ``hook.sleeps`` records them."""

    def make(**extra):
        conn_id = x_connection(sandbox, make_connection, **extra)
        sleeps: list[float] = []

        def sleep(seconds: float) -> None:
            sleeps.append(seconds)
            sandbox.state.clock.advance(seconds)

        hook = TwitterHook(conn_id, token_store=MemoryTokenStore(), clock=sandbox.state.clock.now, sleep=sleep)
        hook.sleeps = sleeps  # type: ignore[attr-defined]
        return hook

    return make


def seed(sandbox, **spec):
    sandbox.control.configure("twitter", seed=spec)


def x_requests(sandbox) -> int:
    return sandbox.control.requests()["by_service"].get("twitter", 0)


@pytest.mark.parametrize(("posts", "requests"), [(0, 1), (99, 1), (100, 1), (101, 2), (500, 5)])
def test_posts_are_paged_100_at_a_time_to_the_end(sandbox, x_reads, posts, requests):
    seed(sandbox, posts=posts)
    hook = x_reads()
    hook.get_me()
    before = x_requests(sandbox)
    stream = hook.read_posts(max_reads=None)
    got = list(stream)
    ids = [int(p["id"]) for p in got]
    assert len(ids) == len(set(ids)) == posts and ids == sorted(ids, reverse=True)
    assert all("public_metrics" in p and "non_public_metrics" not in p for p in got)
    assert stream.requests == requests == x_requests(sandbox) - before
    assert stream.complete


def test_the_timeline_reaches_its_3200_most_recent_posts(sandbox, x_reads):
    seed(sandbox, posts=3300)
    stream = x_reads().read_posts(max_reads=None)
    assert len(list(stream)) == 3200 and stream.requests == 32


def test_mentions_and_their_800_cap(sandbox, x_reads):
    seed(sandbox, mentions=850)
    stream = x_reads().read_mentions(max_reads=None)
    mentions = list(stream)
    assert len(mentions) == 800 and all(m["text"].startswith("@sandbox_user") for m in mentions)


def test_the_budget_stops_the_read_with_a_message_and_asks_for_no_more(sandbox, x_reads, caplog):
    seed(sandbox, posts=300)
    stream = x_reads().read_posts(max_reads=150)
    assert len(list(stream)) == 150
    assert stream.requests == 2  # 100, then the 50 left in the budget
    report = stream.report()
    assert report["complete"] is False and "max_reads=150" in report["stopped"] and "150 items" in report["stopped"]
    assert "max_reads=150" in caplog.text


def test_the_default_budget_is_modest(sandbox, x_reads):
    from airflow_provider_social.hooks.twitter.reads import DEFAULT_MAX_READS

    seed(sandbox, posts=DEFAULT_MAX_READS + 1)
    stream = x_reads().read_posts()
    assert len(list(stream)) == DEFAULT_MAX_READS and stream.stopped


def test_windows_start_inclusive_end_exclusive_and_since_id(sandbox, x_reads):
    now = int(sandbox.control.now())
    seed(sandbox, posts=300, step=60, start=now - 300 * 60)
    hook = x_reads()
    start, end = now - 200 * 60, now - 100 * 60
    posts = list(hook.read_posts(start_time=start, end_time=end))
    assert len(posts) == 100
    created = sorted(datetime.fromisoformat(p["created_at"].replace("Z", "+00:00")).timestamp() for p in posts)
    assert created[0] == start and created[-1] == end - 60
    newest = posts[0]["id"]
    seed(sandbox, posts=3, start=now)
    # since_id is exclusive: the 100 posts after the window and the 3 new ones
    assert len(list(hook.read_posts(since_id=newest))) == 103
    with pytest.raises(ValidationError, match="end_time"):
        hook.read_posts(start_time=end, end_time=start)


def test_recent_search_covers_seven_days_and_pages_with_next_token(sandbox, x_reads):
    clock = sandbox.control.now()
    now = int(clock)
    seed(sandbox, posts=400, step=3600, start=now - 400 * 3600)  # about 16 days of posts
    hook = x_reads()
    stream = hook.search_recent("#airflow from:sandbox_user -is:retweet")
    posts = list(stream)
    within = sum(1 for i in range(400) if now - 400 * 3600 + i * 3600 >= clock - 7 * 86400)
    assert len(posts) == within >= 167 and stream.requests == 2
    with pytest.raises(ValidationError, match="last 7 days"):
        hook.search_recent("airflow", start_time=now - 8 * 86400)
    with pytest.raises(ValidationError, match="10 seconds"):
        hook.search_recent("airflow", end_time=now)
    with pytest.raises(ValidationError, match="512"):
        hook.search_recent("a" * 513)


def test_the_sandbox_refuses_what_x_refuses(sandbox, x_reads):
    import requests

    hook = x_reads()
    base = f"{sandbox.base_url}/x-api/2/tweets/search/recent"
    headers = {"Authorization": f"Bearer {hook.secret_extra('access_token')}"}
    now = sandbox.control.now()
    old = datetime.fromtimestamp(now - 8 * 86400, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    for params, wording in [({"query": "a", "start_time": old}, "must be on or after"),
                            ({"query": "a", "max_results": 5}, "between 10 and 100"),
                            ({"query": "lang2:en"}, "invalid operator 'lang2'"),
                            ({"query": "a", "next_token": "forged"}, "is not valid")]:
        answer = requests.get(base, params=params, headers=headers, timeout=10)
        assert answer.status_code == 400 and wording in answer.text, (params, answer.text)


def test_private_metrics_only_for_own_recent_posts(sandbox, x_reads):
    now = int(sandbox.control.now())
    seed(sandbox, posts=5, mentions=2, step=86400 * 10, start=now - 86400 * 45)
    hook = x_reads()
    posts = list(hook.read_posts(private_metrics=True))
    recent = [p for p in posts if "non_public_metrics" in p]
    assert 0 < len(recent) < len(posts)  # older than 30 days: X gives an error entry instead
    assert all("organic_metrics" in p for p in recent)
    with pytest.raises(ValidationError, match="own posts"):
        hook.read_posts("1000000000000000002", private_metrics=True)
    with pytest.raises(ValidationError, match="last 30 days"):
        hook.read_posts(private_metrics=True, start_time=now - 31 * 86400)


def test_a_spent_window_is_waited_for_before_x_refuses(sandbox, x_reads):
    seed(sandbox, posts=500)
    sandbox.control.configure("twitter", rate_limits={"users_tweets": {"limit": 2, "window": 900}})
    hook = x_reads(max_retry_wait=1000)
    stream = hook.read_posts(max_reads=None)
    assert len(list(stream)) == 500
    assert stream.requests == 5 and len(hook.sleeps) == 2  # after pages 2 and 4, never a 429
    assert sandbox.control.state("twitter")["rate_limits"]["users_tweets"]["limit"] == 2


def test_a_wait_beyond_max_retry_wait_fails_with_the_reset_time(sandbox, x_reads):
    seed(sandbox, posts=300)
    sandbox.control.configure("twitter", rate_limits={"users_tweets": {"limit": 1, "window": 900}})
    hook = x_reads(max_retry_wait=60)
    stream = hook.read_posts(max_reads=None)
    got = []
    with pytest.raises(RateLimitError, match=r"spent until \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC"):
        for post in stream:
            got.append(post)
    assert len(got) == 100 and not hook.sleeps


def test_an_empty_window_reads_nothing_and_asks_nothing(sandbox, x_reads):
    """A manual run's data interval is empty (start == end): X would refuse it, so no request is made."""
    seed(sandbox, posts=10)
    hook = x_reads()
    hook.get_me()
    now = int(sandbox.control.now())
    before = x_requests(sandbox)
    for stream in (hook.read_posts(start_time=now, end_time=now), hook.search_recent("a", start_time=now,
                                                                                     end_time=now)):
        assert list(stream) == [] and stream.requests == 0 and stream.complete
    assert x_requests(sandbox) == before
