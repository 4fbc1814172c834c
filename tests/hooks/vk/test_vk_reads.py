"""VK reads paged to the end, against the strict sandbox: execute pages, boundaries, windows, bounds, kinds."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import RateLimitError, ValidationError
from airflow_provider_social.core.reads import ReadLimitReached
from tests.hooks.vk.test_vk_sandbox import vk_sandbox

__all__ = ["vk_sandbox"]  # the fixture: a hook on the sandbox's vk_default connection


def seed(sandbox, **spec):
    sandbox.control.vk_configure(rate_limits={"user": None, "community": None}, seed=spec)


def api_requests(sandbox) -> int:
    return sandbox.control.requests()["by_service"].get("vk", 0)


@pytest.mark.parametrize(("posts", "requests"), [(0, 1), (1, 1), (100, 1), (101, 1), (2500, 1), (2501, 2),
                                                  (5000, 2), (5001, 3)])
def test_wall_posts_are_read_to_the_end_25_pages_per_request(sandbox, vk_sandbox, posts, requests):
    seed(sandbox, posts=posts)
    hook = vk_sandbox()
    before = api_requests(sandbox)
    stream = hook.read_wall_posts()
    ids = [post["id"] for post in stream]
    assert len(ids) == posts and len(set(ids)) == posts
    assert ids == sorted(ids, reverse=True)  # newest first
    assert stream.requests == requests == api_requests(sandbox) - before
    assert stream.report()["complete"] is True


def test_posts_carry_their_counters(sandbox, vk_sandbox):
    seed(sandbox, posts=3, comments_per_post=2)
    post = next(iter(vk_sandbox().read_wall_posts()))
    assert {"views", "likes", "reposts", "comments"} <= set(post)
    assert post["comments"]["count"] == 2


def test_the_window_keeps_since_and_drops_until_and_stops_at_older_posts(sandbox, vk_sandbox):
    now = int(sandbox.control.now())
    seed(sandbox, posts=1000, step=60, start=now - 60_000)
    since, until = now - 60_000 + 60 * 100, now - 60_000 + 60 * 200  # posts 100..199 (0-based)
    stream = vk_sandbox().read_wall_posts(since=since, until=until)
    dates = [post["date"] for post in stream]
    assert len(dates) == 100 and min(dates) == since and max(dates) == until - 60
    # 1000 posts newest first: the read stops at the first post older than since, in the one request made
    assert stream.requests == 1


def test_max_items_stops_the_read_and_says_so(sandbox, vk_sandbox, caplog):
    seed(sandbox, posts=300)
    stream = vk_sandbox().read_wall_posts(max_items=150)
    assert len(list(stream)) == 150
    report = stream.report()
    assert report["complete"] is False and "max_items=150" in report["stopped"]
    assert report["requests"] == 1  # two pages asked for, no request after the bound
    assert "max_items=150" in caplog.text
    with pytest.raises(ValidationError, match="max_items"):
        vk_sandbox().read_wall_posts(max_items=0)


def test_a_bound_that_must_not_be_passed_fails_after_the_items(sandbox, vk_sandbox):
    from airflow_provider_social.core.reads import ReadStream

    items = iter(range(10))
    stream = ReadStream("VK", "numbers", lambda s: items, limit=3, fail_at_limit=True)
    got = []
    with pytest.raises(ReadLimitReached, match="limit|max_items=3"):
        for item in stream:
            got.append(item)
    assert got == [0, 1, 2]


@pytest.mark.parametrize(("members", "requests"), [(1000, 1), (1001, 1), (25_000, 1), (25_001, 2)])
def test_members_pages_of_1000(sandbox, vk_sandbox, members, requests):
    seed(sandbox, members=members)
    stream = vk_sandbox().read_members()
    ids = list(stream)
    fixtures = len(sandbox.state.services["vk"].groups[1000001].members) - members
    assert len(ids) == members + fixtures and ids == sorted(set(ids))
    assert stream.requests == requests + (1 if (members + fixtures) > 25_000 * requests else 0)


def test_members_with_fields_are_user_objects(sandbox, vk_sandbox):
    seed(sandbox, members=3)
    first = next(iter(vk_sandbox().read_members(fields=["sex"], sort="id_desc")))
    assert first["id"] == 10_000_003


def test_comments_of_every_post_are_planned_from_the_counters(sandbox, vk_sandbox):
    seed(sandbox, posts=60, comments_per_post=3)
    stream = vk_sandbox().read_comments()
    comments = list(stream)
    assert len(comments) == 180 and len({c["id"] for c in comments}) == 180
    assert all("post_id" in c and "thread" in c for c in comments)
    # one request reads the 60 posts; the 60 comment pages take 3 requests of 25 pages at most
    assert stream.requests == 1 + 3


def test_comments_of_given_posts_over_101(sandbox, vk_sandbox):
    seed(sandbox, posts=2, comments_per_post=101)
    posts = [post["id"] for post in vk_sandbox().read_wall_posts()]
    stream = vk_sandbox().read_comments(posts)
    comments = list(stream)
    assert len(comments) == 202
    for post_id in posts:  # pages of several posts share requests; each post's comments stay in order
        ids = [c["id"] for c in comments if c["post_id"] == post_id]
        assert len(ids) == 101 and ids == sorted(ids)
    # two unknown lists: a first page each, then the second pages planned from the counts
    assert stream.requests == 2


def test_orders_pages_of_50_in_the_window(sandbox, vk_sandbox):
    now = int(sandbox.control.now())
    seed(sandbox, orders=120, step=60, start=now - 7200)
    stream = vk_sandbox().read_orders(since=now - 7200, until=now - 7200 + 60 * 50)
    orders = list(stream)
    assert len(orders) == 50
    assert stream.requests == 1


def test_a_read_the_connection_has_no_token_for_fails_before_any_request(sandbox, vk_sandbox):
    hook = vk_sandbox(access_token=None, refresh_token=None)
    before = api_requests(sandbox)
    with pytest.raises(ValidationError, match=r"wall\.get.*user token"):
        hook.read_wall_posts()
    assert api_requests(sandbox) == before
    # members take the community key the connection has
    assert list(hook.read_members(max_items=1))


def test_a_daily_quota_reached_inside_execute_is_error_29(sandbox, vk_sandbox):
    seed(sandbox, posts=500)
    sandbox.control.vk_configure(daily_caps={"wall.get": 3})
    with pytest.raises(RateLimitError, match="daily quota"):
        list(vk_sandbox().read_wall_posts())


def test_a_post_published_while_paging_doubles_nothing(sandbox, vk_sandbox):
    seed(sandbox, posts=2600)
    stream = vk_sandbox().read_wall_posts()
    items = iter(stream)
    ids = [next(items)["id"]]
    assert stream.requests == 1  # 25 pages read; the wall's last 100 posts are in the next request
    seed(sandbox, posts=1, start=int(sandbox.control.now()))  # shifts every older post down by one
    ids += [post["id"] for post in items]
    assert len(ids) == len(set(ids)) == 2600


def test_memory_stays_flat_reading_100000_members(sandbox, vk_sandbox):
    """Items arrive request by request: after the first member only one request was made, and a read of 100,000
    members never holds them all (100,000 member dicts would take tens of MiB; the bound is the issue's 16 MiB).
    The peak is measured in-process with the sandbox, whose allocations tracemalloc counts too, so it is compared
    with a bound rather than with a smaller read's peak (that ratio was 1.5 on Python 3.11 and 1.54 on 3.13)."""
    import tracemalloc

    seed(sandbox, members=100_000)

    def peak(count: int) -> int:
        stream = vk_sandbox().read_members(max_items=count)
        items = iter(stream)
        next(items)
        assert stream.requests == 1
        tracemalloc.start()
        try:
            consumed = 1 + sum(1 for _ in items)
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
            assert consumed == count

    assert peak(100_000) < 16 * 1024 * 1024


def test_a_request_s_pages_are_let_go_before_the_next_answer_is_decoded(sandbox, vk_sandbox):
    """The pages of one ``execute`` answer (25,000 members) are no longer referenced when the next answer arrives,
    so a read's peak holds one request's pages, not two. Measured as what the JSON decoder allocated and is still
    alive at that moment (the in-process sandbox encodes, it decodes nothing this size). Before the fix the
    previous answer's pages were alive then: ~1.2 MiB."""
    import tracemalloc

    seed(sandbox, members=100_000)
    hook = vk_sandbox()
    stream = hook.read_members(max_items=100_000)
    items = iter(stream)
    next(items)
    alive_at_answer: list[int] = []

    def measure(response, *args, **kwargs):
        snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(True, "*/json/decoder.py")])
        alive_at_answer.append(sum(stat.size for stat in snapshot.statistics("filename")))

    hook.transport.session.hooks["response"].append(measure)
    tracemalloc.start()
    try:
        assert 1 + sum(1 for _ in items) == 100_000
    finally:
        tracemalloc.stop()
    assert len(alive_at_answer) == 3 and stream.requests == 4
    assert max(alive_at_answer) < 64 * 1024, alive_at_answer


def test_an_empty_window_reads_nothing_and_asks_nothing(sandbox, vk_sandbox):
    seed(sandbox, posts=10, orders=3)
    hook = vk_sandbox()
    now = int(sandbox.control.now())
    before = api_requests(sandbox)
    for stream in (hook.read_wall_posts(since=now, until=now), hook.read_comments(since=now, until=now),
                   hook.read_orders(since=now, until=now)):
        assert list(stream) == [] and stream.requests == 0
    assert api_requests(sandbox) == before
    with pytest.raises(ValidationError, match="until"):
        hook.read_wall_posts(since=now, until=now - 1)
