"""X costs: every call counted per connection as X bills it, compared with what the sandbox billed; the daily budget
refuses a call before anything is sent; the ledger is shared through the token store's backend."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.spending import BudgetExceededError
from airflow_provider_social.core.tokens import FileTokenStore, MemoryTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.hooks.twitter.costs import PRICES, kind_of
from tests.hooks.twitter_helpers import write_png, write_video, x_connection


def make_hook(sandbox, conn_id, store=None):
    def sleep(seconds):
        sandbox.state.clock.advance(seconds)

    return TwitterHook(conn_id, token_store=store or MemoryTokenStore(), clock=sandbox.state.clock.now, sleep=sleep)


def read_me(hook):
    """``GET /2/users/me`` sent every time (``get_me`` keeps its first answer)."""
    return hook.client.call("get me").json()["data"]


def billed(sandbox):
    return sandbox.control.state("twitter")["billing"]


def our_kinds(hook):
    return {kind: line["units"] for kind, line in hook.spend_ledger().today()["kinds"].items() if line["calls"]}


def sandbox_kinds(sandbox):
    days = billed(sandbox)["days"]
    return {kind: line["units"] for day in days.values() for kind, line in day.items()}


def test_each_kind_is_counted_as_the_sandbox_bills_it(sandbox, make_connection, tmp_path):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection))
    hook.get_me()
    read_me(hook)  # the same user again the same UTC day: billed once
    first = hook.create_tweet("plain words")
    hook.create_tweet("read https://example.com/page today")  # a link: "Content: Create (with URL)"
    hook.create_tweet("a picture", media_paths=[write_png(tmp_path)])  # one-shot upload + create
    hook.upload_media(write_video(tmp_path, 6 * 1024 * 1024), wait=False)  # initialize, 2 appends, finalize
    hook.find_recent_tweet("plain words")  # reads the account's 3 posts
    hook.find_recent_tweet("plain words")  # the same 3 posts again: billed once
    hook.delete_tweet(first["id"])

    ours = hook.spend_ledger().today()
    theirs = billed(sandbox)
    assert our_kinds(hook) == sandbox_kinds(sandbox) == {
        "user_read": 1, "content_create": 2, "content_create_url": 1, "media_upload": 5, "post_read": 3,
        "content_manage": 1,
    }
    assert ours["usd"] == pytest.approx(theirs["usd"]) == pytest.approx(
        0.010 + 2 * 0.015 + 0.200 + 5 * 0.015 + 3 * 0.005 + 0.005)
    month = hook.spend_ledger().this_month()
    assert month["usd"] == pytest.approx(ours["usd"]) and month["calls"] == ours["calls"]


def test_refused_calls_are_not_counted(sandbox, make_connection):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection))
    sandbox.state.services["twitter"].set_rate_limit("users_me", 0)
    with pytest.raises(Exception):
        hook.get_me()
    assert hook.spend_ledger().today()["calls"] == 0
    assert billed(sandbox)["usd"] == 0


def test_over_budget_in_dollars_nothing_is_sent(sandbox, make_connection):
    conn = x_connection(sandbox, make_connection, daily_budget="$0.21")
    hook = make_hook(sandbox, conn)
    hook.create_tweet("see https://example.com")  # $0.200
    served = sandbox.control.requests()["total"]
    with pytest.raises(BudgetExceededError) as refused:
        hook.create_tweet("and another https://example.org")  # $0.400 > $0.21
    message = str(refused.value)
    assert "$0.21" in message and "$0.200" in message and "1 calls" in message and "twitter_test" in message
    assert "daily_budget" in message
    assert sandbox.control.requests()["total"] == served  # nothing was sent
    assert [t["text"] for t in sandbox.control.state("twitter")["tweets"]] == ["see https://example.com"]
    read_me(hook)  # $0.21 exactly: still within the budget


def test_over_budget_in_requests(sandbox, make_connection):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection, daily_budget="2 requests"))
    read_me(hook)
    read_me(hook)
    with pytest.raises(BudgetExceededError, match="2 requests"):
        read_me(hook)
    assert billed(sandbox)["days"] and sandbox_kinds(sandbox) == {"user_read": 1}


def test_budget_resets_at_midnight_utc(sandbox, make_connection):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection, daily_budget="1 request"))
    read_me(hook)
    with pytest.raises(BudgetExceededError):
        read_me(hook)
    sandbox.state.clock.advance(86_400)
    read_me(hook)


def test_the_file_store_shares_the_ledger(sandbox, make_connection, tmp_path):
    conn = x_connection(sandbox, make_connection, daily_budget="2 requests")
    one = make_hook(sandbox, conn, FileTokenStore(tmp_path))
    two = make_hook(sandbox, conn, FileTokenStore(tmp_path))  # another worker on the host
    read_me(one)
    read_me(two)
    with pytest.raises(BudgetExceededError):
        read_me(one)
    assert two.spend_ledger().today()["calls"] == 2


@pytest.mark.parametrize("value", ["5", "five dollars", "-1 USD", 5])
def test_a_bad_budget_is_refused_before_any_call(sandbox, make_connection, value):
    hook = make_hook(sandbox, x_connection(sandbox, make_connection, daily_budget=value))
    with pytest.raises(ValidationError, match="daily_budget"):
        read_me(hook)
    assert sandbox.control.requests()["total"] == 0


def test_price_table_kinds():
    assert kind_of("POST", "/x-api/2/tweets", {"text": "no link here"}) == "content_create"
    assert kind_of("POST", "/2/tweets", {"text": "x.com is a link"}) == "content_create_url"
    assert kind_of("GET", "/2/media/upload") is None  # media status: not billed [UNCONFIRMED]
    assert kind_of("POST", "/2/oauth2/token") is None
    assert kind_of("GET", "/2/users/42/mentions") == "post_read"
    assert all(price.usd > 0 for price in PRICES.values())


def test_usage_command_prints_our_count_beside_xs(sandbox, make_connection, tmp_path):
    from argparse import Namespace

    from airflow_provider_social.hooks.twitter.usage import usage_twitter

    conn = x_connection(sandbox, make_connection, daily_budget="$1", token_store=f"file:{tmp_path}")
    worker = make_hook(sandbox, conn, FileTokenStore(tmp_path))
    worker.create_tweet("one")
    worker.create_tweet("two")
    worker.find_recent_tweet("one")  # 2 posts read
    lines: list[str] = []
    usage_twitter(Namespace(conn_id=conn), announce=lines.append,
                  hook=TwitterHook(conn, clock=sandbox.state.clock.now))  # another process, the same store
    out = "\n".join(lines)
    assert "today" in out and "4 calls, $0.050" in out  # get me $0.010, 2 posts $0.030, 2 reads $0.010
    assert "Content: Create" in out and "Posts: Read" in out
    assert "daily budget: $1.00, spent today $0.050" in out
    assert "posts read today 2 (ours 2)" in out


def test_usage_command_says_when_x_refuses_its_count(sandbox, make_connection):
    from argparse import Namespace

    from airflow_provider_social.hooks.twitter.usage import usage_twitter

    conn = x_connection(sandbox, make_connection, auth_mode="oauth1")
    lines: list[str] = []
    usage_twitter(Namespace(conn_id=conn), announce=lines.append, hook=make_hook(sandbox, conn))
    assert "daily budget: none" in lines[-2]
    assert lines[-1].startswith("X's own count (GET /2/usage/tweets): not available") and "OAuth 1.0a" in lines[-1]
