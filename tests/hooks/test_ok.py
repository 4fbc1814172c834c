"""OkHook against the strict sandbox: signing, errors, session renewal, uploads, group posts, no double post."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
import requests

from airflow_provider_social.core.errors import (
    AuthenticationError,
    PermissionDeniedError,
    RateLimitError,
    ReauthorizationRequired,
    ValidationError,
)
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.ok import OkHook
from airflow_provider_social.hooks.ok.auth import sign
from airflow_provider_social.sandbox.ok import (
    SANDBOX_APP_ID,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_GROUP_ID,
)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 256
ALL = "VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT"


@pytest.fixture
def ok_conn(sandbox, make_connection):
    def make(conn_id: str = "ok_test", *, scope: str = ALL, password: str = SANDBOX_APP_SECRET, **extra):
        tokens = sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID, scope=scope)
        settings = {"application_id": SANDBOX_APP_ID, "application_key": SANDBOX_APP_KEY,
                    "access_token": tokens["access_token"], "refresh_token": tokens["refresh_token"],
                    "group_id": SANDBOX_GROUP_ID, "api_base_url": f"{sandbox.base_url}/ok-api",
                    "oauth_base_url": f"{sandbox.base_url}/ok-connect", "max_retry_wait": 5, **extra}
        return make_connection(conn_id, "odnoklassniki", password=password, **settings), tokens

    return make


@pytest.fixture
def hook(ok_conn, fake_sleep, sandbox):
    conn_id, _ = ok_conn()
    return OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "cat.png"
    path.write_bytes(PNG)
    return path


def count_requests(hook: OkHook) -> list[str]:
    """Record every request the hook's transport sends (method and URL path)."""
    seen: list[str] = []
    session = hook.transport.session
    original = session.request

    def request(method, url, **kwargs):
        seen.append(f"{method} {url}")
        return original(method, url, **kwargs)

    session.request = request  # type: ignore[method-assign]
    return seen


def test_signature_reproduces_the_published_example():
    params = {"application_key": "ABCDEFGHIGKLMNOPK", "format": "json", "method": "events.get"}
    token = "-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7"
    assert sign(params, token, "ABC123DEF456GHI789JKL123") == "232c8eb921951c4dba9b72606f9ddb4c"
    # the access token is not among the signed pairs, even when present
    assert sign({**params, "access_token": token}, token, "ABC123DEF456GHI789JKL123") == \
        "232c8eb921951c4dba9b72606f9ddb4c"


def test_current_user_and_connection_test(hook):
    me = hook.get_current_user()
    assert me["uid"] and me["name"] == "Sandbox User"
    assert hook.test_connection() == (True, f"Connected to OK as Sandbox User (uid {me['uid']})")


def test_group_info(hook):
    assert hook.get_group_info()["name"] == "Sandbox Announcements"
    with pytest.raises(ValidationError, match="group 999 was not found"):
        hook.get_group_info("999")


def test_error_102_refreshes_once_and_persists_before_use(hook, sandbox, ok_conn):
    store = hook.token_store
    old = hook.token_manager.current().access_token
    sandbox.control.expire_token("ok", old)
    assert hook.get_current_user()["uid"]
    stored = store.load(hook.conn_id)
    assert stored is not None and stored.access_token != old
    refreshes = [t for t in sandbox.state.oauth["ok"].dump()["tokens"] if t["kind"] == "access"]
    assert len(refreshes) == 2  # the minted one and exactly one refresh


def test_error_102_with_a_dead_refresh_token_names_the_reauth_command(hook, sandbox):
    hook.token_manager.current()
    sandbox.control.advance(31 * 86400)  # the 30-day refresh token and the long access token both lapse
    hook.token_manager.rotation_wait = 0
    with pytest.raises(ReauthorizationRequired) as info:
        hook.get_current_user()
    assert "airflow social auth ok --conn-id ok_test" in str(info.value)


def test_connection_test_does_not_refresh(hook, sandbox):
    sandbox.control.expire_token("ok", hook.token_manager.current().access_token)
    fresh = OkHook(hook.conn_id, token_store=hook.token_store)
    ok, message = fresh.test_connection()
    assert ok is False and "does not refresh" in message
    assert len([t for t in sandbox.state.oauth["ok"].dump()["tokens"] if t["kind"] == "access"]) == 1


def test_wrong_secret_key_is_a_clear_signature_error_without_the_secret(ok_conn, caplog):
    conn_id, _ = ok_conn("ok_bad_secret", password="WRONGSECRETKEY0123456789")
    hook = OkHook(conn_id, token_store=MemoryTokenStore())
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthenticationError) as info:
        hook.get_current_user()
    text = str(info.value)
    assert info.value.api_code == 104 and "application secret key" in text
    for secret in ("WRONGSECRETKEY0123456789", hook.token_manager.current().access_token):
        assert secret not in text and secret not in caplog.text


def test_missing_permission_and_flood_are_mapped(ok_conn, sandbox, photo):
    conn_id, _ = ok_conn("ok_narrow", scope="VALUABLE_ACCESS")
    hook = OkHook(conn_id, token_store=MemoryTokenStore())
    with pytest.raises(PermissionDeniedError, match="api-support@ok.ru"):
        hook.upload_photos([photo])
    sandbox.control.configure("ok", errors={"users.getCurrentUser": [8]})
    with pytest.raises(RateLimitError, match="flood"):
        hook.get_current_user()


def test_upload_photos_then_post_with_everything(hook, sandbox, photo, tmp_path):
    second = tmp_path / "dog.jpg"
    second.write_bytes(b"\xff\xd8\xff" + b"1" * 100)
    uploaded = hook.upload_photos([photo, second])
    assert [set(u) for u in uploaded] == [{"photo_id", "token"}] * 2
    at = datetime.fromtimestamp(sandbox.control.now(), timezone.utc) + timedelta(hours=2)
    result = hook.post_to_group("Launch day", photo_tokens=[u["token"] for u in uploaded], link="https://example.com",
                                poll_question="Coming?", poll_answers=["Yes", "No"], poll_options="SingleChoice",
                                publish_at=at)
    assert result["url"] == f"https://ok.ru/group/{SANDBOX_GROUP_ID}/topic/{result['topic_id']}"
    topic = sandbox.control.state("ok")["topics"][0]
    assert [m["type"] for m in topic["media"]] == ["text", "photo", "link", "poll"]
    assert topic["on_behalf_of_group"] is True and topic["publish_at"] == result["scheduled_for"]


def test_post_with_local_photos_uploads_them_first(hook, sandbox, photo):
    result = hook.post_to_group("With a photo", photo_paths=[photo])
    topic = sandbox.control.state("ok")["topics"][0]
    assert topic["id"] == result["topic_id"] and topic["media"][1]["type"] == "photo"


def test_an_expired_upload_url_is_retried_from_a_fresh_one(hook, sandbox, photo):
    sandbox.control.add_fault(service="ok_upload", status=503, times=1)
    assert len(hook.upload_photos([photo])) == 1
    assert len(sandbox.control.state("ok")["uploads"]) == 2


def test_a_lost_answer_is_looked_up_not_posted_twice(hook, sandbox):
    sandbox.control.configure("ok", lose_answers={"mediatopic.post": 1})
    result = hook.post_to_group("Exactly once")
    assert result["deduplicated"] is True
    assert len(sandbox.control.state("ok")["topics"]) == 1


def test_dedupe_on_a_retried_task_finds_the_earlier_topic(hook, sandbox, photo):
    first = hook.post_to_group("Retry me", photo_paths=[photo], dedupe=True)
    seen = count_requests(hook)
    again = hook.post_to_group("Retry me", photo_paths=[photo], dedupe=True)
    assert again["topic_id"] == first["topic_id"] and again["deduplicated"] is True
    assert len(sandbox.control.state("ok")["topics"]) == 1
    assert len(seen) == 1  # one look-up; nothing uploaded again
    sandbox.control.advance(16 * 60)  # outside the window: a new post
    assert hook.post_to_group("Retry me", dedupe=True)["deduplicated"] is False


def test_delete_topic(hook, sandbox):
    topic = hook.post_to_group("Short-lived")["topic_id"]
    assert hook.delete_topic(topic) is True
    assert sandbox.control.state("ok")["topics"][0]["deleted"] is True


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({}, "text"),
        ({"text": "x", "group_id": "abc"}, "group_id"),
        ({"text": "x", "link": "ftp://example.com"}, "link"),
        ({"text": "x", "poll_question": "q", "poll_answers": ["only one"]}, "poll_answers"),
        ({"text": "x", "poll_answers": ["a", "b"]}, "poll_question"),
        ({"text": "x", "poll_question": "q", "poll_answers": ["a", "b"], "poll_options": "Everything"},
         "poll_options"),
        ({"text": "x", "publish_at": "2001-01-01 10:00:00"}, "publish_at"),
        ({"text": "x", "publish_at": datetime(2099, 1, 1)}, "publish_at"),
        ({"text": "x", "publish_at": "next week"}, "publish_at"),
        ({"text": "x", "photo_paths": ["/no/such/file.png"]}, "photo_paths"),
        ({"text": "x", "on_behalf_of_group": "yes"}, "on_behalf_of_group"),
    ],
)
def test_bad_input_is_refused_before_any_request(hook, kwargs, field):
    seen = count_requests(hook)
    with pytest.raises(ValidationError, match=field):
        hook.post_to_group(**kwargs)
    assert seen == []


def test_bad_photo_files_are_refused_before_any_request(hook, tmp_path):
    seen = count_requests(hook)
    text = tmp_path / "notes.txt"
    text.write_text("x")
    empty = tmp_path / "empty.png"
    empty.write_bytes(b"")
    for path, message in ((text, "unsupported file type"), (empty, "is empty")):
        with pytest.raises(ValidationError, match=message):
            hook.upload_photos([path])
    with pytest.raises(ValidationError, match="method"):
        hook.call("noDot")
    assert seen == []


def test_missing_connection_fields_are_named(ok_conn):
    conn_id, _ = ok_conn("ok_no_key", application_key=None)
    hook = OkHook(conn_id, token_store=MemoryTokenStore())
    with pytest.raises(ValidationError, match="application_key"):
        hook.get_current_user()


def test_requests_carry_a_signature_and_never_the_secret(hook, sandbox):
    sent: list[requests.PreparedRequest] = []
    session = hook.transport.session
    original = session.send

    def send(request, **kwargs):
        sent.append(request)
        return original(request, **kwargs)

    session.send = send  # type: ignore[method-assign]
    hook.get_current_user()
    body = sent[0].body if isinstance(sent[0].body, str) else sent[0].body.decode()
    assert "sig=" in body and "application_key=" in body and "format=json" in body
    assert SANDBOX_APP_SECRET not in body and SANDBOX_APP_SECRET not in sent[0].url


@pytest.mark.parametrize("status", [200, 400, 500])
def test_policy_reads_ok_errors_at_any_status(status):
    from airflow_provider_social.core.policy import CallContext, Fail, Renew
    from airflow_provider_social.hooks.ok.policy import OkPolicy

    def answer(code: int) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = (b'{"error_code":%d,"error_msg":"X : y","error_data":null}' % code)
        response.headers["invocation-error"] = str(code)
        return response

    context = CallContext("OK", "test", lambda: 0.0)
    assert isinstance(OkPolicy().decide(answer(102), context), Renew)
    failed = OkPolicy().decide(answer(10), context)
    assert isinstance(failed, Fail) and isinstance(failed.error, PermissionDeniedError)


def test_error_102_again_after_the_one_refresh_names_the_reauth_command(hook, sandbox):
    sandbox.control.configure("ok", errors={"users.getCurrentUser": [102, 102]})
    with pytest.raises(AuthenticationError) as info:
        hook.get_current_user()
    assert info.value.api_code == 102 and "airflow social auth ok --conn-id ok_test" in str(info.value)
    assert len([t for t in sandbox.state.oauth["ok"].dump()["tokens"] if t["kind"] == "access"]) == 2  # one refresh


@pytest.mark.parametrize(
    ("code", "error", "words"),
    [
        (103, AuthenticationError, "airflow social auth ok --conn-id ok_test"),
        (104, AuthenticationError, "application secret key"),
        (100, ValidationError, "parameter"),
        (10, PermissionDeniedError, "api-support@ok.ru"),
        (8, RateLimitError, "flood"),
    ],
)
def test_api_errors_map_to_clear_errors(hook, sandbox, code, error, words):
    sandbox.control.configure("ok", errors={"users.getCurrentUser": [code]})
    with pytest.raises(error) as info:
        hook.get_current_user()
    assert info.value.api_code == code and words in str(info.value)


@pytest.mark.parametrize("status", [200, 500])
@pytest.mark.parametrize("body", [b"", b"<html>Bad request</html>"])
def test_the_invocation_error_header_alone_is_mapped(status, body):
    from airflow_provider_social.core.policy import CallContext, Fail, Renew
    from airflow_provider_social.hooks.ok.policy import OkPolicy

    def answer(code: int) -> requests.Response:
        response = requests.Response()
        response.status_code = status
        response._content = body
        response.headers["invocation-error"] = str(code)
        return response

    context = CallContext("OK", "test", lambda: 0.0)
    assert isinstance(OkPolicy().decide(answer(102), context), Renew)
    failed = OkPolicy().decide(answer(104), context)
    assert isinstance(failed, Fail) and isinstance(failed.error, AuthenticationError)
    assert failed.error.api_code == 104


@pytest.mark.parametrize("status", [200, 500])
@pytest.mark.parametrize(("code", "names_command"), [(102, True), (103, True), (104, False), (10, False)])
def test_the_policy_names_the_reauth_command_from_the_call_context(status, code, names_command):
    """The hint is the policy's, from its table and the context the transport fills (no hook patches it later)."""
    from airflow_provider_social.core.policy import CallContext
    from airflow_provider_social.hooks.ok.policy import OkPolicy

    command = "airflow social auth ok --conn-id ok_main"
    for headers in ({}, {"invocation-error": str(code)}):
        for reauth_command in (command, ""):
            response = requests.Response()
            response.status_code = status
            response._content = f'{{"error_code": {code}, "error_msg": "refused"}}'.encode()
            response.headers.update(headers)
            context = CallContext("OK", "test", lambda: 0.0, conn_id="ok_main", reauth_command=reauth_command)
            hint = OkPolicy().decide(response, context).error.hint  # type: ignore[union-attr]
            assert (f"run `{command}`" in hint) is (names_command and reauth_command == command), (headers, hint)


def test_an_unknown_post_field_is_refused_like_an_unknown_keyword(hook):
    with pytest.raises(TypeError, match="'lnk'"):
        hook.post_to_group("hello", lnk="https://example.com")
    with pytest.raises(TypeError, match="'lnk'"):
        hook.validate_post(text="hello", lnk="https://example.com")


def test_an_upload_url_that_really_expired_is_retried_from_a_fresh_one(hook, sandbox, photo):
    original = hook.client.call  # the photo upload asks the client for its link
    slow = iter([True])

    def call(method, **params):
        answer = original(method, **params)
        if method == "photosV2.getUploadUrl" and next(slow, False):
            sandbox.control.advance(2 * 86400)  # the URL (about a day) lapses before the file is sent
        return answer

    hook.client.call = call  # type: ignore[method-assign]
    assert len(hook.upload_photos([photo])) == 1
    uploads = sandbox.control.state("ok")["uploads"]
    assert [u["used"] for u in uploads] == [False, True]


def test_a_file_refused_twice_by_the_upload_host_is_final(hook, sandbox, photo):
    # A non-image is refused before the upload now (see the issue 20 tests), so the host's refusal is injected:
    # the answer it gives a file it will not take (the API's error shape).
    refusal = {"error_code": 100, "error_msg": "PARAM : pic1: the file is not an image", "error_data": None}
    sandbox.control.add_fault(service="ok_upload", status=200, body=refusal, headers={"invocation-error": "100"},
                              times=2)
    with pytest.raises(ValidationError, match="not an image"):
        hook.upload_photos([photo])
    assert len(sandbox.control.state("ok")["uploads"]) == 2  # one fresh URL, then the refusal stands


def test_a_long_access_token_in_daily_use_outlives_the_refresh_token(ok_conn, sandbox, fake_sleep):
    # expires_at as `airflow social auth ok` writes it (30 days): with LONG_ACCESS_TOKEN it is not a deadline
    conn_id, _ = ok_conn("ok_long", expires_at=sandbox.control.now() + 30 * 86400)
    hook = OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)
    seen = count_requests(hook)
    for _ in range(65):  # the refresh token dies on day 30; a LONG_ACCESS_TOKEN used daily lives on
        assert hook.get_current_user()["uid"]
        sandbox.control.advance(86400)
    assert all("token.do" not in request for request in seen)  # never renewed on the clock


def test_a_short_access_token_is_refreshed_before_it_expires(ok_conn, sandbox, fake_sleep):
    conn_id, _ = ok_conn("ok_short", scope="VALUABLE_ACCESS", permissions="VALUABLE_ACCESS",
                         expires_at=sandbox.control.now() + 1800)
    hook = OkHook(conn_id, token_store=MemoryTokenStore(), sleep=fake_sleep, clock=sandbox.state.clock.now)
    seen = count_requests(hook)
    sandbox.control.advance(1795)
    assert hook.get_current_user()["uid"]
    # refreshed on the clock (the auth step runs inside the call, hence the order): no 102 round trip
    assert sorted(r.split("/")[-1] for r in seen) == ["fb.do", "token.do"]


def test_the_upload_url_and_tokens_never_reach_the_logs(hook, sandbox, photo, caplog):
    caplog.set_level(logging.DEBUG)
    sandbox.control.add_fault(service="ok_upload", status=503, times=1)  # a failed upload is logged, then retried
    hook.post_to_group("Logged carefully", photo_paths=[photo])
    upload_tokens = list(sandbox.state.services["ok"].uploads)  # the apiToken of each upload URL
    assert len(upload_tokens) == 2 and "upload photos failed" in caplog.text
    for secret in (*upload_tokens, hook.token_manager.current().access_token, SANDBOX_APP_SECRET):
        assert secret not in caplog.text


# ------------------------------------------------------------------ issue 20: no double post, no raw errors
def test_a_lost_answer_on_a_photo_only_post_finds_the_topic_not_a_spent_token(hook, sandbox, photo):
    # No text to match: the earlier topic is found by what it carries (photos, link, poll), never re-sent.
    sandbox.control.configure("ok", lose_answers={"mediatopic.post": 1})
    result = hook.post_to_group(photo_paths=[photo])
    assert result["deduplicated"] is True
    assert len(sandbox.control.state("ok")["topics"]) == 1


def test_a_retried_photo_only_post_finds_the_earlier_topic(hook, sandbox, photo):
    first = hook.post_to_group(photo_paths=[photo], dedupe=True)
    again = hook.post_to_group(photo_paths=[photo], dedupe=True)
    assert again["topic_id"] == first["topic_id"] and again["deduplicated"] is True
    other = hook.post_to_group(photo_paths=[photo, photo], dedupe=True)  # a different post: 2 photos
    assert other["deduplicated"] is False
    assert len(sandbox.control.state("ok")["topics"]) == 2


def test_a_lost_answer_on_a_scheduled_post_is_not_resent(hook, sandbox):
    from airflow_provider_social.hooks.ok.posting import PossiblyPostedError

    at = datetime.now(timezone.utc) + timedelta(days=1)
    sandbox.control.configure("ok", lose_answers={"mediatopic.post": 1})
    with pytest.raises(PossiblyPostedError, match="may have been posted; not re-sent"):
        hook.post_to_group("Tomorrow", publish_at=at)
    with pytest.raises(PossiblyPostedError, match="may have been posted; not re-sent"):
        hook.post_to_group("Tomorrow", publish_at=at, dedupe=True)  # a task retry cannot see scheduled topics
    assert len(sandbox.control.state("ok")["topics"]) == 1


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"text": 12345}, "text"),
        ({"text": "x", "poll_question": 5, "poll_answers": ["a", "b"]}, "poll_question"),
        ({"text": "x", "poll_question": "q", "poll_answers": [1, ["b"]]}, "poll_answers"),
        ({"text": "x", "link": 5}, "link"),
        ({"text": "x", "photo_tokens": 5}, "photo_tokens"),
        ({"text": "x", "poll_question": "q", "poll_answers": ["a", "b"], "poll_options": 3}, "poll_options"),
        ({"text": "x", "photo_paths": 7}, "photo_paths"),
        ({"text": "x", "poll_question": "q", "poll_answers": [str(n) for n in range(51)]}, "poll_answers"),
    ],
)
def test_wrong_types_are_input_errors_before_any_request(hook, kwargs, field):
    seen = count_requests(hook)
    with pytest.raises(ValidationError, match=field):
        hook.post_to_group(**kwargs)
    assert seen == []


def test_a_non_image_named_png_is_refused_naming_the_file_and_field(hook, sandbox, tmp_path):
    fake = tmp_path / "report.png"
    fake.write_bytes(b"%PDF-1.4 not an image at all" * 10)
    seen = count_requests(hook)
    with pytest.raises(ValidationError, match=r"photo_paths: report.png is not"):
        hook.post_to_group("x", photo_paths=[fake])
    with pytest.raises(ValidationError, match=r"paths: report.png is not"):
        hook.upload_photos([fake])
    assert seen == []


def test_a_bad_expires_at_is_an_input_error_naming_the_field(ok_conn, sandbox):
    conn_id, _ = ok_conn("ok_soon", permissions="VALUABLE_ACCESS;PHOTO_CONTENT;GROUP_CONTENT", expires_at="soon")
    hook = OkHook(conn_id, token_store=MemoryTokenStore(), clock=sandbox.state.clock.now)
    seen = count_requests(hook)
    with pytest.raises(ValidationError, match="expires_at"):
        hook.get_current_user()
    assert seen == []
