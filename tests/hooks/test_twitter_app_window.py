"""X's app 24-hour window is the app's: connections of one app (its users) share it, other apps do not, and a 429
waits for the spent day rather than the 15-minute reset. In one process (the shared store's cross-process case is in
tests/stores/test_shared_x_windows.py), against the sandbox's native 24-hour cap on its frozen clock."""

from __future__ import annotations

import pytest
import requests
from requests_oauthlib import OAuth1

from airflow_provider_social.core.errors import RateLimitError
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.sandbox import twitter as xs
from airflow_provider_social.sandbox.oauth_server import SANDBOX_PUBLIC_CLIENT_ID
from airflow_provider_social.sandbox.twitter.history import FRIEND_ID
from tests.hooks.twitter_helpers import SCOPE, x_connection

DAY = 86400


def make_hook(sandbox, conn_id):
    sleeps: list[float] = []

    def sleep(seconds):
        sleeps.append(seconds)
        sandbox.state.clock.advance(seconds)

    hook = TwitterHook(conn_id, token_store=MemoryTokenStore(), clock=sandbox.state.clock.now, sleep=sleep)
    hook.sleeps = sleeps  # type: ignore[attr-defined]
    return hook


def served(sandbox) -> int:
    return sandbox.control.requests()["by_service"].get("twitter", 0)


def texts(sandbox) -> list[str]:
    return [t["text"] for t in sandbox.control.state("twitter")["tweets"]]


@pytest.fixture
def one_post_a_day(sandbox):
    sandbox.control.configure("twitter", daily_limits={"tweets_create": {"app": 1}})


def test_the_app_window_one_user_spent_holds_the_apps_other_users(sandbox, make_connection, one_post_a_day):
    first = make_hook(sandbox, x_connection(sandbox, make_connection, "x_first", max_retry_wait=1000))
    second = make_hook(sandbox, x_connection(sandbox, make_connection, "x_second", max_retry_wait=1000,
                                             tokens=sandbox.control.mint_tokens("twitter", scope=SCOPE,
                                                                                user_id=FRIEND_ID)))
    first.create_tweet("first")  # answered with x-app-limit-24hour-remaining: 0
    before = served(sandbox)
    with pytest.raises(RateLimitError) as info:
        second.create_tweet("second")
    assert "not sent" in str(info.value) and info.value.status_code is None
    assert info.value.resume_at == pytest.approx(sandbox.state.clock.now() + DAY, abs=2)
    assert served(sandbox) == before and second.sleeps == []
    assert texts(sandbox) == ["first"]


def test_another_apps_connection_is_not_held(sandbox, make_connection, one_post_a_day):
    ours = make_hook(sandbox, x_connection(sandbox, make_connection, "x_ours"))
    public_tokens = sandbox.control.mint_tokens("twitter", client_id=SANDBOX_PUBLIC_CLIENT_ID, scope=SCOPE,
                                                user_id=FRIEND_ID)
    theirs = make_hook(sandbox, x_connection(sandbox, make_connection, "x_theirs", tokens=public_tokens,
                                             client_id=SANDBOX_PUBLIC_CLIENT_ID, client_secret=None))
    ours.create_tweet("ours")
    theirs.create_tweet("theirs")
    assert texts(sandbox) == ["ours", "theirs"]


def test_a_429_of_a_spent_app_day_waits_for_the_day_not_the_15_minute_reset(sandbox, make_connection,
                                                                             one_post_a_day):
    keys = OAuth1(xs.SANDBOX_CONSUMER_KEY, xs.SANDBOX_CONSUMER_SECRET, xs.SANDBOX_OAUTH_TOKEN,
                  xs.SANDBOX_OAUTH_TOKEN_SECRET)
    assert requests.post(f"{sandbox.base_url}/x-api/2/tweets", json={"text": "elsewhere"}, auth=keys,
                         timeout=10).status_code == 201  # another tool of the app spends its day
    hook = make_hook(sandbox, x_connection(sandbox, make_connection, "x_late", max_retry_wait=3600))
    with pytest.raises(RateLimitError) as info:
        hook.create_tweet("late")  # a 900 s wait would fit max_retry_wait, and draw a second 429
    assert info.value.status_code == 429 and info.value.retry_after == pytest.approx(DAY, abs=2)
    assert hook.sleeps == [] and texts(sandbox) == ["elsewhere"]
