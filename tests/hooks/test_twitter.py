"""TwitterHook against the strict X sandbox: validation, posting, threads, media, errors, refresh, no double posts."""

from __future__ import annotations

import threading
from urllib.parse import quote

import pytest
import requests

from airflow_provider_social.core.errors import (
    AuthenticationError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    RateLimitError,
    ReauthorizationRequired,
    ValidationError,
)
from airflow_provider_social.core.oauth import oauth1_auth
from airflow_provider_social.core.tokens import FileTokenStore, MemoryTokenStore
from airflow_provider_social.hooks.twitter import (
    DuplicateTweetError,
    MediaProcessingError,
    TwitterHook,
    twitter_error_parser,
    weighted_length,
)
from tests.hooks.twitter_helpers import write_gif, write_png, write_video, x_connection


@pytest.fixture
def conn(sandbox, make_connection):
    return x_connection(sandbox, make_connection)


def make_hook(sandbox, conn_id, store=None, **kwargs):
    sleeps = []

    def sleep(seconds):
        sleeps.append(seconds)
        sandbox.state.clock.advance(seconds)

    hook = TwitterHook(conn_id, token_store=store or MemoryTokenStore(), clock=sandbox.state.clock.now, sleep=sleep,
                       **kwargs)
    hook.sleeps = sleeps
    return hook


@pytest.fixture
def hook(sandbox, conn):
    return make_hook(sandbox, conn)


def tweets(sandbox):
    return sandbox.control.state("twitter")["tweets"]


# ------------------------------------------------------------------------------------------------ OAuth 1.0a


def test_oauth1_signing_reproduces_the_published_signature():
    auth = oauth1_auth(
        "xvz1evFS4wEEPTGEFPHBog",
        "kAcSOqF21Fu85e7zjz7ZN2U4ZRhfV3WpwPAoE3Z7kBw",
        "370773112-GmHxMAgYyLbNEtIKZeRNFsMKPR9EyMZeS9weJAEb",
        "LswwdoUaIvS8ltyTt5jkRh4J50vUPVVHtR2YPi5kE",
    )
    auth.client.nonce = "kYjzVBB8Y0ZFabxSWbWovY3uYSQ2pTgmZeNu2VS4cg"
    auth.client.timestamp = "1318622958"
    request = requests.Request(
        "POST", "https://api.twitter.com/1.1/statuses/update.json?include_entities=true",
        data={"status": "Hello Ladies + Gentlemen, a signed OAuth request!"}, auth=auth,
    ).prepare()
    header = request.headers["Authorization"]
    header = header.decode() if isinstance(header, bytes) else header
    assert f'oauth_signature="{quote("hCtSmYh+iHYCEqBWrE7C7hYmtUk=", safe="")}"' in header


def test_oauth1_mode_posts_and_v1_uploads(sandbox, make_connection, tmp_path):
    conn_id = x_connection(sandbox, make_connection, "twitter_v1", access_token=None, refresh_token=None,
                           media_upload_api="v1.1")
    hook = make_hook(sandbox, conn_id)
    assert hook.auth_mode == "oauth1"
    ok, message = hook.test_connection()
    assert ok and "@sandbox_user" in message and "oauth1" in message
    hook.media.chunk_size = 1024 * 1024
    media = hook.upload_media(write_video(tmp_path, 2_500_000))
    assert media["state"] == "succeeded"
    posted = hook.create_tweet("video over v1.1", media_ids=[media["media_id"]])
    state = sandbox.control.state("twitter")
    uploaded = [m for m in state["media"] if m["id"] == media["media_id"]][0]
    assert uploaded["api"] == "v1.1" and uploaded["segments"] == 3
    assert state["tweets"][0]["id"] == posted["id"]
    assert sandbox.control.created("twitter")[-1]["data"]["auth"] == "oauth1"


def test_oauth1_missing_keys_named(sandbox, make_connection):
    conn_id = x_connection(sandbox, make_connection, "twitter_v1", access_token=None, refresh_token=None,
                           oauth_token_secret=None, auth_mode="oauth1")
    with pytest.raises(ValidationError, match="oauth_token_secret"):
        TwitterHook(conn_id).get_me()


# ------------------------------------------------------------------------------------------------ validation


def test_weighted_length():
    assert weighted_length("a" * 280) == 280
    assert weighted_length("日" * 140) == 280
    assert weighted_length("😷" * 140) == 280
    assert weighted_length("see x.com") == 4 + 23


@pytest.mark.parametrize(
    "kwargs, field",
    [
        ({"text": "a" * 281}, "text"),
        ({"text": "日" * 141}, "text"),
        ({"text": ""}, "text"),
        ({"text": "x", "poll_options": ["only"], "poll_duration_minutes": 60}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "b", "c", "d", "e"], "poll_duration_minutes": 60}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "b" * 26], "poll_duration_minutes": 60}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "a"], "poll_duration_minutes": 60}, "poll_options"),
        ({"text": "x", "poll_options": "a,b", "poll_duration_minutes": 60}, "poll_options"),
        ({"text": "x", "poll_options": ["a", "b"], "poll_duration_minutes": 4}, "poll_duration_minutes"),
        ({"text": "x", "poll_options": ["a", "b"], "poll_duration_minutes": 10081}, "poll_duration_minutes"),
        ({"text": "x", "poll_options": ["a", "b"], "poll_duration_minutes": True}, "poll_duration_minutes"),
        ({"text": "x", "poll_options": ["a", "b"]}, "poll_duration_minutes"),
        ({"text": "x", "poll_options": ["a", "b"], "poll_duration_minutes": 60, "quote_tweet_id": "1"},
         "quote_tweet_id"),
        ({"text": "x", "media_ids": ["1"], "poll_options": ["a", "b"], "poll_duration_minutes": 60}, "poll"),
        ({"text": "x", "media_ids": ["1"], "quote_tweet_id": "2"}, "quote_tweet_id"),
        ({"text": "x", "media_ids": ["1", "2", "3", "4", "5"]}, "media_paths"),
        ({"text": "x", "media_ids": ["abc"]}, "media_ids"),
        ({"text": "x", "reply_to": "12ab"}, "reply_to"),
        ({"text": "x", "quote_tweet_id": "1" * 20}, "quote_tweet_id"),
    ],
)
def test_bad_input_is_refused_before_any_call(sandbox, hook, kwargs, field):
    with pytest.raises(ValidationError, match=field):
        hook.create_tweet(**kwargs)
    assert tweets(sandbox) == [] and sandbox.control.state("twitter")["media"] == []


def test_bad_files_are_refused_before_any_call(sandbox, hook, tmp_path):
    png, gif = write_png(tmp_path), write_gif(tmp_path)
    video = write_video(tmp_path, 1000)
    (tmp_path / "doc.txt").write_text("hi")
    (tmp_path / "empty.png").write_bytes(b"")
    big = tmp_path / "big.png"
    big.write_bytes(b"\x89PNG")
    with open(big, "r+b") as fh:
        fh.truncate(5 * 1024 * 1024 + 1)
    cases = [
        ({"media_paths": [tmp_path / "missing.png"]}, ValidationError, "does not exist"),
        ({"media_paths": [tmp_path]}, ValidationError, "directory"),
        ({"media_paths": [tmp_path / "doc.txt"]}, ValidationError, "unsupported file type"),
        ({"media_paths": [tmp_path / "empty.png"]}, ValidationError, "empty"),
        ({"media_paths": [big]}, PayloadTooLargeError, "5.0 MiB limit"),
        ({"media_paths": [png] * 5}, ValidationError, "at most 4"),
        ({"media_paths": [png, gif]}, ValidationError, "1 GIF"),
        ({"media_paths": [video, png]}, ValidationError, "1 video"),
        ({"media_paths": [video], "poll_options": ["a", "b"], "poll_duration_minutes": 5}, ValidationError, "poll"),
    ]
    for kwargs, error, message in cases:
        with pytest.raises(error, match=message):
            hook.create_tweet("text", **kwargs)
    assert tweets(sandbox) == [] and sandbox.control.state("twitter")["media"] == []


def test_thread_items_validated_first(sandbox, hook):
    with pytest.raises(ValidationError, match=r"tweets\[1\].*text"):
        hook.create_thread(["fine", "a" * 281])
    with pytest.raises(ValidationError, match=r"tweets\[0\].*unknown keys"):
        hook.create_thread([{"txt": "typo"}])
    with pytest.raises(ValidationError, match="non-empty list"):
        hook.create_thread("not a list")
    assert tweets(sandbox) == []


# ------------------------------------------------------------------------------------------------ posting


def test_create_tweet_poll_reply_quote_delete(sandbox, hook):
    first = hook.create_tweet("first post", poll_options=["yes", "no"], poll_duration_minutes=60)
    assert first["url"] == f"https://x.com/i/web/status/{first['id']}"
    reply = hook.create_tweet("a reply", reply_to=first["id"])
    quote = hook.create_tweet("a quote", quote_tweet_id=first["id"])
    state = {t["id"]: t for t in tweets(sandbox)}
    assert state[first["id"]]["poll"] == {"options": ["yes", "no"], "duration_minutes": 60}
    assert state[reply["id"]]["reply_to"] == first["id"] and state[quote["id"]]["quote_of"] == first["id"]
    assert hook.delete_tweet(reply["id"]) is True
    with pytest.raises(NotFoundError):
        hook.delete_tweet(reply["id"])


def test_thread_with_image_and_poll_is_a_reply_chain(sandbox, hook, tmp_path):
    posted = hook.create_thread([
        {"text": "1/3 digest", "media_paths": [write_png(tmp_path)]},
        "2/3 details https://example.com/very/long/url/" + "x" * 300,
        {"text": "3/3 vote", "poll_options": ["up", "down"], "poll_duration_minutes": 1440},
    ])
    state = {t["id"]: t for t in tweets(sandbox)}
    ids = [p["id"] for p in posted]
    assert len(ids) == 3
    assert state[ids[0]]["reply_to"] is None and len(state[ids[0]]["media_ids"]) == 1
    assert state[ids[1]]["reply_to"] == ids[0] and state[ids[2]]["reply_to"] == ids[1]


def test_duplicate_is_a_dedicated_error(hook):
    hook.create_tweet("same words")
    with pytest.raises(DuplicateTweetError) as info:
        hook.create_tweet("same words")
    assert info.value.status_code == 403 and "duplicate" in str(info.value)


def test_retried_task_finds_the_post_instead_of_posting_twice(sandbox, hook):
    first = hook.create_tweet("landed before the retry")
    again = hook.create_tweet("landed before the retry", dedupe=True)
    assert again["id"] == first["id"] and again["deduplicated"] is True
    assert len(tweets(sandbox)) == 1


def count_timeline_lookups(monkeypatch):
    """Count GET /2/users/{id}/tweets sent by any hook (each costs X rate limit)."""
    calls = []
    original = requests.Session.request

    def request(self, method, url, *args, **kwargs):
        if method == "GET" and "/2/users/" in url and url.split("?")[0].endswith("/tweets"):
            calls.append(url)
        return original(self, method, url, *args, **kwargs)

    monkeypatch.setattr(requests.Session, "request", request)
    return calls


def test_a_deduplicated_post_looks_for_its_twin_once(sandbox, hook, monkeypatch):
    lookups = count_timeline_lookups(monkeypatch)
    hook.create_tweet("a new post, looked for once", dedupe=True)
    assert len(lookups) == 1
    lookups.clear()
    hook.create_thread(["thread 1/3", "thread 2/3", "thread 3/3"], dedupe=True)
    assert len(lookups) == 1  # one look at the timeline serves every post of the thread
    assert len(tweets(sandbox)) == 4


def test_lost_response_is_looked_up_before_resending(sandbox, hook):
    """The post reaches X, then the answer is lost (read timeout): the hook finds the post instead of re-sending."""
    session = hook.transport.session
    original = session.request
    lost = []

    def request(method, url, **kwargs):
        response = original(method, url, **kwargs)
        if method == "POST" and url.endswith("/2/tweets") and not lost:
            lost.append(response.json()["data"]["id"])
            raise requests.exceptions.ReadTimeout("read timed out")
        return response

    session.request = request
    result = hook.create_tweet("posted, but the answer never came https://example.com/x")
    assert result["id"] == lost[0] and result["deduplicated"] is True
    assert len(tweets(sandbox)) == 1


def test_failed_create_with_nothing_landed_is_sent_once_more(sandbox, hook):
    sandbox.control.add_fault(service="twitter", method="POST", path_contains="/2/tweets", status=503)
    result = hook.create_tweet("nothing landed the first time")
    assert result["deduplicated"] is False
    assert [t["text"] for t in tweets(sandbox)] == ["nothing landed the first time"]


def test_dedupe_window_is_respected(sandbox, hook):
    hook.create_tweet("old post")
    sandbox.state.clock.advance(16 * 60)
    with pytest.raises(DuplicateTweetError):
        hook.create_tweet("old post", dedupe=True)  # outside the 15-minute window: posted again, X refuses it


# ------------------------------------------------------------------------------------------------ media


def test_image_one_shot_and_video_chunked_with_processing_wait(sandbox, hook, tmp_path):
    image = hook.upload_media(write_png(tmp_path))
    assert image["state"] == "succeeded" and image["kind"] == "image"
    hook.media.chunk_size = 1024 * 1024
    video = hook.upload_media(write_video(tmp_path, 3 * 1024 * 1024 + 5))
    assert video["state"] == "succeeded"
    assert hook.sleeps[0] == 1 and sum(hook.sleeps) >= 10  # check_after_secs honoured, over the sandbox clock
    media = {m["id"]: m for m in sandbox.control.state("twitter")["media"]}
    assert media[video["media_id"]]["segments"] == 4 and media[image["media_id"]]["category"] == "tweet_image"
    gif = hook.upload_media(write_gif(tmp_path))
    assert media.get(gif["media_id"]) is None and gif["media_key"].startswith("16_")


@pytest.mark.parametrize("api", ["v2", "v1.1"])
def test_a_lost_finalize_answer_is_followed_by_status_not_a_second_finalize(sandbox, make_connection, tmp_path, api):
    """The sandbox finalizes the upload, then the answer is lost. FINALIZE is not idempotent (a second one is
    refused), so the hook asks STATUS and carries on: the upload completes with exactly one FINALIZE."""
    conn_id = x_connection(sandbox, make_connection, media_upload_api=api)
    hook = make_hook(sandbox, conn_id)
    video = write_video(tmp_path, 6 * 1024 * 1024)
    if api == "v2":
        sandbox.control.add_fault(service="twitter", method="POST", path_contains="/finalize", action="lose_answer")
    else:  # v1.1 sends every command to one path: the fault is armed when the FINALIZE is about to go
        lose_v1_finalize(sandbox, hook)
    media = hook.upload_media(video)
    assert media["state"] == "succeeded" and media["kind"] == "video"
    record = next(m for m in sandbox.control.state("twitter")["media"] if m["id"] == media["media_id"])
    assert record["finalized"] is True and record["finalize_refused"] == 0


def lose_v1_finalize(sandbox, hook):
    """Lose the answer of the v1.1 FINALIZE (its path is shared with INIT/APPEND, so match on the body)."""
    session = hook.transport.session
    original = session.request

    def request(method, url, **kwargs):
        data = kwargs.get("data")
        if isinstance(data, dict) and data.get("command") == "FINALIZE" and not getattr(request, "done", False):
            request.done = True
            sandbox.control.add_fault(service="twitter_upload", method="POST", action="lose_answer")
        return original(method, url, **kwargs)

    session.request = request


def test_get_media_status_and_wait_false(sandbox, hook, tmp_path):
    pending = hook.upload_media(write_video(tmp_path, 5000), wait=False)
    assert pending["state"] == "pending" and pending["check_after_secs"] == 1
    sandbox.state.clock.advance(3)
    assert hook.get_media_status(pending["media_id"])["state"] == "in_progress"
    sandbox.state.clock.advance(30)
    assert hook.get_media_status(pending["media_id"])["state"] == "succeeded"


def test_failed_processing_raises(sandbox, hook, tmp_path):
    with pytest.raises(MediaProcessingError, match="Invalid or Unsupported media"):
        hook.upload_media(write_video(tmp_path, 5000, valid=False))


# ------------------------------------------------------------------------------------------------ errors


class _Response:
    def __init__(self, body, status=400):
        self._body = body
        self.status_code = status
        self.text = str(body)
        self.reason = "Bad"

    def json(self):
        return self._body


@pytest.mark.parametrize("host", ["api.x.com", "api.twitter.com"])
def test_problem_types_of_both_hosts_are_mapped(host):
    info = twitter_error_parser(_Response({"type": f"https://{host}/2/problems/resource-not-found",
                                           "title": "Not Found Error", "detail": "Could not find tweet"}))
    assert info.error_class is NotFoundError and info.code == "resource-not-found"
    info = twitter_error_parser(_Response({"type": f"https://{host}/2/problems/client-forbidden", "detail": "no"}))
    assert info.error_class is PermissionDeniedError
    info = twitter_error_parser(_Response({"type": f"https://{host}/2/problems/invalid-request", "detail": "bad",
                                           "errors": [{"message": "text too long"}]}))
    assert info.error_class is ValidationError and "text too long" in info.message


def test_duplicate_and_v1_bodies_are_mapped():
    body = {"detail": "You are not allowed to create a Tweet with duplicate content.", "type": "about:blank",
            "title": "Forbidden", "status": 403}
    assert twitter_error_parser(_Response(body, 403)).error_class is DuplicateTweetError
    assert twitter_error_parser(_Response({"errors": [{"code": 187, "message": "Status is a duplicate."}]},
                                          403)).error_class is DuplicateTweetError
    assert twitter_error_parser(_Response({"errors": [{"code": 88, "message": "Rate limit exceeded"}]},
                                          429)).error_class is RateLimitError


def test_429_waits_until_reset_measured_against_the_sandbox_date(sandbox, make_connection):
    conn_id = x_connection(sandbox, make_connection, max_retry_wait=1000)
    hook = make_hook(sandbox, conn_id)
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    hook.create_tweet("one")
    hook.create_tweet("two")
    assert 899 <= hook.sleeps[-1] <= 901  # the sandbox clock is frozen; only the Date header makes this exact
    assert len(tweets(sandbox)) == 2


def test_429_over_the_bound_is_a_rate_limit_error(sandbox, hook):
    sandbox.state.services["twitter"].set_rate_limit("tweets_create", 1, 900)
    hook.create_tweet("one")
    with pytest.raises(RateLimitError) as info:
        hook.create_tweet("two")
    assert 899 <= info.value.retry_after <= 901 and hook.sleeps == []


# ------------------------------------------------------------------------------------------------ tokens


def test_expired_access_token_is_refreshed_before_use(sandbox, hook):
    hook.get_me()
    sandbox.state.clock.advance(7300)
    hook.account._me = None
    assert hook.get_me()["username"] == "sandbox_user"
    assert hook.token_store.load(hook.conn_id).expires_at > sandbox.state.clock.now() + 7000


def test_401_refreshes_once_then_names_the_command(sandbox, make_connection):
    tokens = sandbox.control.mint_tokens("twitter", scope="tweet.read tweet.write users.read media.write")
    conn_id = x_connection(sandbox, make_connection, tokens={**tokens, "refresh_token": "xrt_spent"})
    hook = make_hook(sandbox, conn_id)
    sandbox.control.revoke_token("twitter", tokens["access_token"])
    with pytest.raises(ReauthorizationRequired) as info:
        hook.get_me()
    assert "airflow social auth twitter --conn-id twitter_test" in str(info.value)
    assert tokens["access_token"] not in str(info.value)


def test_a_spent_refresh_token_in_xs_words_is_a_refused_grant_that_names_the_command(sandbox, make_connection):
    """X answers a spent refresh token with 400 invalid_request "Value passed for the token was invalid." (not
    invalid_grant). It must still run the protocol: re-read the store, then ReauthorizationRequired."""
    tokens = sandbox.control.mint_tokens("twitter", scope="tweet.read tweet.write users.read media.write")
    conn_id = x_connection(sandbox, make_connection, tokens=tokens)
    first = make_hook(sandbox, conn_id)
    sandbox.state.clock.advance(7300)
    first.refresh_tokens()  # rotates: the Connection's refresh token is now spent, the new set is in first's store
    late = make_hook(sandbox, conn_id)  # a worker whose store never got the rotated set
    with pytest.raises(ReauthorizationRequired) as info:
        late.get_me()
    assert "airflow social auth twitter --conn-id twitter_test" in str(info.value)
    assert late.sleeps, "the store was re-read (another worker may have rotated the token) before giving up"
    assert tokens["refresh_token"] not in str(info.value)


def test_a_confidential_client_without_its_secret_is_named_when_a_refresh_is_needed(sandbox, make_connection,
                                                                                   monkeypatch):
    conn_id = x_connection(sandbox, make_connection, client_secret=None)
    hook = make_hook(sandbox, conn_id)
    sandbox.state.clock.advance(7300)  # the access token expired: a refresh is needed
    sent = []
    original = requests.adapters.HTTPAdapter.send
    monkeypatch.setattr(requests.adapters.HTTPAdapter, "send",
                        lambda self, request, **k: sent.append(request.path_url) or original(self, request, **k))
    with pytest.raises(AuthenticationError) as info:
        hook.get_me()
    message = str(info.value)
    assert "needs client_secret in the connection" in message and "refused even after a refresh" not in message
    assert sent == ["/x-api/2/oauth2/token"]  # only the refresh went out, never the API call


def test_token_refused_early_is_renewed_on_401(sandbox, conn, hook):
    hook.get_me()
    current = hook.token_manager.current().access_token
    sandbox.control.expire_token("twitter", current)  # expired before its stated expiry
    hook.account._me = None
    assert hook.get_me()["id"] == "1000000001"


def test_a_token_refused_again_after_the_refresh_says_so_and_names_the_command(sandbox, hook):
    """The policy sees that the call's token was already refreshed once (the call context), and says so."""
    hook.get_me()
    hook.account._me = None
    sandbox.control.add_fault(service="twitter", method="GET", path_contains="/2/users/me", status=401, times=2,
                              body={"title": "Unauthorized", "type": "about:blank", "status": 401,
                                    "detail": "Unauthorized"})
    with pytest.raises(AuthenticationError) as info:
        hook.get_me()
    assert info.value.hint == ("the token was refused even after a refresh; "
                               "run `airflow social auth twitter --conn-id twitter_test`")


def test_refused_oauth1_keys_are_named_not_a_token(sandbox, make_connection):
    conn_id = x_connection(sandbox, make_connection, "twitter_v1", access_token=None, refresh_token=None,
                           oauth_token_secret="not-the-secret")
    with pytest.raises(AuthenticationError) as info:
        make_hook(sandbox, conn_id).get_me()
    assert info.value.status_code == 401
    assert info.value.hint == "the OAuth 1.0a keys were refused; check the consumer key/secret and access token/secret"


def test_connection_test_never_refreshes(sandbox, hook):
    sandbox.state.clock.advance(7300)
    ok, message = hook.test_connection()
    assert not ok and "does not refresh" in message
    assert hook.token_store.load(hook.conn_id) is None


def test_refresh_tokens_rotates_and_persists(sandbox, hook):
    before = hook.token_manager.current()
    after = hook.refresh_tokens()
    assert after.refresh_token != before.refresh_token
    assert hook.token_store.load(hook.conn_id).refresh_token == after.refresh_token


@pytest.mark.parametrize("store_kind", ["memory", "file"])
def test_ten_concurrent_tasks_across_expiries_lose_no_token(sandbox, conn, tmp_path, store_kind):
    store = MemoryTokenStore() if store_kind == "memory" else FileTokenStore(tmp_path / "tokens")
    rounds, workers = 4, 10
    barrier = threading.Barrier(workers + 1)
    errors: list[BaseException] = []

    def task(number: int) -> None:
        try:
            for round_ in range(rounds):
                barrier.wait(timeout=30)
                hook = TwitterHook(conn, token_store=store, clock=sandbox.state.clock.now,
                                   sleep=lambda s: None)
                hook.create_tweet(f"task {number} round {round_}")
                barrier.wait(timeout=30)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            barrier.abort()

    threads = [threading.Thread(target=task, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for _ in range(rounds):
        barrier.wait(timeout=30)  # all tasks post
        barrier.wait(timeout=30)  # all done
        sandbox.state.clock.advance(7300)  # past the 2-hour expiry
    for t in threads:
        t.join(30)
    assert errors == []
    assert len(tweets(sandbox)) == rounds * workers
    # Family revocation on reuse is on in the sandbox: had any refresh token been replayed, everything would be dead.
    survivor = TwitterHook(conn, token_store=store, clock=sandbox.state.clock.now, sleep=lambda s: None)
    assert survivor.create_tweet("still alive")["id"]
    assert tweets(sandbox)[-1]["text"] == "still alive"
    refreshes = [t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"]
    # The minted token plus exactly one refresh per expiry crossed (3 between rounds, 1 before the survivor's post).
    assert len(refreshes) == 1 + rounds


def test_authentication_error_has_no_secret(sandbox, make_connection):
    conn_id = x_connection(sandbox, make_connection, refresh_token=None, access_token="xat_not_a_real_token_123")
    hook = make_hook(sandbox, conn_id)
    with pytest.raises(AuthenticationError) as info:
        hook.get_me()
    assert "xat_not_a_real_token_123" not in str(info.value)


@pytest.mark.parametrize("extra, field", [({"auth_mode": "oauth3"}, "auth_mode"),
                                          ({"media_upload_api": "v3"}, "media_upload_api"),
                                          ({"dedupe_window_minutes": "soon"}, "dedupe_window_minutes"),
                                          ({"dedupe_window_minutes": -5}, "dedupe_window_minutes")])
def test_bad_connection_settings_are_named(sandbox, make_connection, tmp_path, extra, field):
    conn_id = x_connection(sandbox, make_connection, "twitter_bad", **extra)
    hook = make_hook(sandbox, conn_id)
    with pytest.raises(ValidationError, match=field):
        if field == "auth_mode":
            hook.get_me()
        elif field == "media_upload_api":
            hook.upload_media(write_png(tmp_path))
        else:
            hook.create_tweet("retried", dedupe=True)


def test_refresh_in_oauth1_mode_is_refused(sandbox, make_connection):
    conn_id = x_connection(sandbox, make_connection, "twitter_v1", access_token=None, refresh_token=None)
    with pytest.raises(ValidationError, match="do not expire"):
        make_hook(sandbox, conn_id).refresh_tokens()


CHILD = """
import os, sys
from airflow_provider_social.core.tokens import FileTokenStore
from airflow_provider_social.hooks.twitter import TwitterHook
from airflow_provider_social.sandbox.control import SandboxControl

control = SandboxControl(os.environ["SANDBOX_URL"])
store = FileTokenStore(os.environ["TOKEN_DIR"])
for line in sys.stdin:
    hook = TwitterHook("twitter_test", token_store=store, clock=control.now, sleep=lambda s: None)
    try:
        hook.create_tweet(f"process {sys.argv[1]} round {line.strip()}")
        print("ok", flush=True)
    except Exception as exc:
        print("error", type(exc).__name__, str(exc)[:300].replace(chr(10), " "), flush=True)
"""


@pytest.mark.slow  # starts processes
def test_processes_across_expiries_lose_no_token(sandbox, conn, tmp_path):
    """Separate processes (separate hooks, one file store and host lock) post across three 2-hour expiries.

    Six processes rather than ten: each imports Airflow (~2 s of CPU); the ten-task case runs on threads above."""
    import os
    import subprocess
    import sys

    env = dict(os.environ, SANDBOX_URL=sandbox.base_url, TOKEN_DIR=str(tmp_path / "tokens"))
    children = [
        subprocess.Popen([sys.executable, "-c", CHILD, str(n)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                         stderr=subprocess.DEVNULL, text=True, env=env)
        for n in range(6)
    ]
    outcomes = []
    try:
        for round_ in range(3):
            for child in children:
                child.stdin.write(f"{round_}\n")
                child.stdin.flush()
            outcomes += [child.stdout.readline().strip() for child in children]
            sandbox.state.clock.advance(7300)
    finally:
        for child in children:
            child.stdin.close()
            child.wait(30)
    assert outcomes == ["ok"] * 18
    assert len(tweets(sandbox)) == 18
    refreshes = [t for t in sandbox.state.oauth["twitter"].dump()["tokens"] if t["kind"] == "refresh"]
    assert len(refreshes) == 1 + 2  # the minted one + one per expiry crossed between rounds


def test_dropped_connection_mid_append_is_retried_from_the_file(sandbox, hook, tmp_path):
    hook.media.chunk_size = 1024 * 1024
    sandbox.control.add_fault(service="twitter", method="POST", path_contains="/append", action="drop",
                              drop_after_bytes=200_000)
    sandbox.control.add_fault(service="twitter", method="POST", path_contains="/append", status=503)
    media = hook.upload_media(write_video(tmp_path, 2 * 1024 * 1024 + 10))
    assert media["state"] == "succeeded"
    uploaded = {m["id"]: m for m in sandbox.control.state("twitter")["media"]}[media["media_id"]]
    assert uploaded["segments"] == 3 and uploaded["received_bytes"] == 2 * 1024 * 1024 + 10
    assert sandbox.control.faults() == []  # both faults were hit, and the upload still completed


def test_resend_refused_as_duplicate_returns_the_landed_post(sandbox, hook):
    """The first create lands but times out, and the timeline does not show it yet: the resend gets X's duplicate
    403, after which the post is looked up again (the timeline caught up) and returned instead of an error."""
    session = hook.transport.session
    original = session.request
    calls = {"posts": 0, "lookups": 0}

    def request(method, url, **kwargs):
        if method == "GET" and "/tweets" in url:
            calls["lookups"] += 1
            if calls["lookups"] == 1:  # the timeline lags: the first look-up sees nothing
                kwargs = {**kwargs, "params": {**kwargs["params"], "start_time": "2100-01-01T00:00:00Z"}}
        response = original(method, url, **kwargs)
        if method == "POST" and url.endswith("/2/tweets"):
            calls["posts"] += 1
            if calls["posts"] == 1:
                raise requests.exceptions.ReadTimeout("read timed out")
        return response

    session.request = request
    result = hook.create_tweet("landed, but the timeline lagged")
    assert result["deduplicated"] is True and calls == {"posts": 2, "lookups": 2}
    assert len(tweets(sandbox)) == 1
