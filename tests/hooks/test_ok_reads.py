"""OK reads against the sandbox: a group's topics with counters paged by anchor to the end, windows that meet
without gaps or doubles, the bound, daily statistics, and the permission checks (ours before any call, OK's)."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import PermissionDeniedError, SocialApiError, ValidationError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.sandbox.ok import SANDBOX_GROUP_ID
from airflow_provider_social.sandbox.ok.constants import OTHER_GROUP_ID
from tests.hooks.test_ok import ok_conn
from tests.sandbox.ok_helpers import Ok

__all__ = ["ok_conn"]

DAY = 86_400


@pytest.fixture
def ok_reads(ok_conn, fake_sleep, sandbox):
    def make(**extra) -> OkHook:
        conn_id, _ = ok_conn("ok_reads", **extra)
        return OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)

    return make


def seed(sandbox, topics: int, *, start: int, step: int, gid: str = SANDBOX_GROUP_ID) -> None:
    sandbox.control.configure("ok", seed={"topics": topics, "start": start, "step": step, "gid": gid})


def test_topics_are_read_to_the_end_page_by_page_with_their_counters(sandbox, ok_reads):
    now = int(sandbox.control.now())
    seed(sandbox, 250, start=now - 250 * 60, step=60)
    stream = ok_reads().read_group_topics()
    topics = list(stream)
    assert len(topics) == len({t["id"] for t in topics}) == 250
    assert stream.requests == 3 and stream.complete  # 100 + 100 + 50, anchors followed while has_more
    assert [t["created_ms"] for t in topics] == sorted((t["created_ms"] for t in topics), reverse=True)
    assert {"views", "reach", "likes", "comments", "reshares", "engagement"} <= set(topics[0])
    assert len({t["likes"] for t in topics}) > 10  # counters differ topic by topic


def test_consecutive_windows_meet_without_gaps_or_doubles(sandbox, ok_reads):
    now = int(sandbox.control.now())
    first = now - 3 * 3600
    seed(sandbox, 180, start=first, step=60)
    hook, seen = ok_reads(), []
    for hour in range(3):
        start, end = first + hour * 3600, first + (hour + 1) * 3600
        topics = list(hook.read_group_topics(since=start, until=end))
        assert len(topics) == 60 and all(start * 1000 <= t["created_ms"] < end * 1000 for t in topics)
        seen += [t["id"] for t in topics]
    assert len(set(seen)) == 180


def test_the_bound_stops_the_read_and_says_so(sandbox, ok_reads):
    now = int(sandbox.control.now())
    seed(sandbox, 150, start=now - 150 * 60, step=60)
    stream = ok_reads().read_group_topics(max_items=120)
    assert len(list(stream)) == 120 and stream.requests == 2
    assert not stream.complete and "max_items=120" in (stream.stopped or "")


def test_an_empty_window_asks_nothing(sandbox, ok_reads):
    now = int(sandbox.control.now())
    stream = ok_reads().read_group_topics(since=now, until=now)
    assert list(stream) == [] and stream.requests == 0


def test_daily_statistics_one_row_per_day_of_the_window(sandbox, ok_reads):
    now = int(sandbox.control.now())
    today = now - now % DAY
    seed(sandbox, 72, start=today - 3 * DAY, step=3600)  # 24 topics a day for three days
    rows = list(ok_reads().read_group_trends(since=today - 3 * DAY, until=today, counters=["likes", "reach",
                                                                                           "members_count"]))
    assert [r["time"] for r in rows] == [(today - d * DAY) * 1000 for d in (3, 2, 1)]
    assert all(set(r) == {"date", "time", "likes", "reach", "members_count"} for r in rows)
    topics = list(ok_reads().read_group_topics(since=today - 3 * DAY, until=today - 2 * DAY, counters=["likes"]))
    assert rows[0]["likes"] == sum(t["likes"] for t in topics)


def test_without_group_content_the_read_fails_before_any_call(sandbox, ok_reads):
    hook = ok_reads(permissions="VALUABLE_ACCESS;LONG_ACCESS_TOKEN")
    before = sandbox.control.requests()["total"]
    with pytest.raises(ValidationError, match="GROUP_CONTENT"):
        hook.read_group_topics()
    assert sandbox.control.requests()["total"] == before


def test_a_plain_member_is_refused_as_ok_refuses(sandbox, ok_reads):
    with pytest.raises(PermissionDeniedError, match="not an administrator"):
        list(ok_reads().read_group_topics(group_id=OTHER_GROUP_ID))


def test_bad_arguments_are_refused_before_any_call(ok_reads):
    hook = ok_reads()
    with pytest.raises(ValidationError, match="until"):
        hook.read_group_topics(since=2000, until=1000)
    with pytest.raises(ValidationError, match="max_items"):
        hook.read_group_topics(max_items=0)
    with pytest.raises(ValidationError, match="counters"):
        hook.read_group_trends(counters=["likes; drop"])


def test_the_sandbox_is_strict_about_anchors_counts_and_fields(sandbox):
    now = int(sandbox.control.now())
    seed(sandbox, 5, start=now - 300, step=60)
    token = sandbox.control.mint_tokens("ok", client_id="512000000001",
                                        scope="VALUABLE_ACCESS;GROUP_CONTENT")["access_token"]
    ok = Ok(sandbox.base_url)
    page = ok.ok("group.getStatTopics", token, gid=SANDBOX_GROUP_ID, fields="ID,LIKES", count=2)
    assert len(page["topics"]) == 2 and page["has_more"] is True and page["totalCount"] == 5
    rest = ok.ok("group.getStatTopics", token, gid=SANDBOX_GROUP_ID, fields="likes", count=10, anchor=page["anchor"])
    assert len(rest["topics"]) == 3 and rest["has_more"] is False
    for params, code in [({"fields": "likes", "count": 101}, 100), ({"fields": "likes", "anchor": "bogus!"}, 100),
                         ({}, 100), ({"fields": "nonsense"}, 100), ({"fields": "likes", "end_time": "x"}, 100)]:
        body = ok.call("group.getStatTopics", token, gid=SANDBOX_GROUP_ID, **params).json()
        assert body["error_code"] == code and body["error_msg"].startswith("PARAM : "), (params, body)
    no_group_content = sandbox.control.mint_tokens("ok", client_id="512000000001",
                                                   scope="VALUABLE_ACCESS")["access_token"]
    body = ok.call("group.getStatTrends", no_group_content, gid=SANDBOX_GROUP_ID, fields="likes").json()
    assert body["error_code"] == 10 and "GROUP_CONTENT" in body["error_msg"]


def test_an_ok_error_during_a_read_carries_the_method(sandbox, ok_reads):
    sandbox.control.configure("ok", errors={"group.getStatTopics": [100]})
    with pytest.raises(SocialApiError) as caught:
        list(ok_reads().read_group_topics())
    assert caught.value.api_code == 100
