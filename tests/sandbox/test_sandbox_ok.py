"""The OK sandbox over plain HTTP: OAuth, signed fb.do calls, errors, uploads, mediatopics."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from ok_helpers import PNG, REDIRECT_URI, Ok, assert_ok_error, attachment, sign

from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_SECRET, SANDBOX_GROUP_ID
from airflow_provider_social.sandbox.ok.api import signature
from airflow_provider_social.sandbox.ok.constants import OTHER_GROUP_ID

ALL = "VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT"


@pytest.fixture
def ok(sandbox):
    return Ok(sandbox.base_url)


@pytest.fixture
def token(sandbox):
    return sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID, scope=ALL)["access_token"]


def test_sandbox_signature_reproduces_the_published_example():
    params = {"application_key": "ABCDEFGHIGKLMNOPK", "format": "json", "method": "events.get",
              "access_token": "-s-84W-s3egarWUsbkq-IWTucuedzTKT8VUXIA.s4Xx8IW7"}
    sig = signature(params, params["access_token"], "ABC123DEF456GHI789JKL123")
    assert sig == "232c8eb921951c4dba9b72606f9ddb4c"


# ---------------------------------------------------------------------------------------------- OAuth


def _code(ok: Ok, **params: str) -> str:
    response = ok.authorize(**params)
    assert response.status_code == 302, response.text
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query["state"] == [params.get("state", "st")]
    return query["code"][0]


def _exchange(ok: Ok, code: str, **extra: str):
    form = {"code": code, "client_id": SANDBOX_APP_ID, "client_secret": SANDBOX_APP_SECRET,
            "redirect_uri": REDIRECT_URI, "grant_type": "authorization_code", **extra}
    return ok.token(**form)


def test_code_exchange_answers_a_session_token_of_30_minutes_and_the_code_is_single_use(ok):
    code = _code(ok)
    response = _exchange(ok, code)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["token_type"] == "session" and body["expires_in"] == 1800 and body["refresh_token"]
    assert "scope" not in body
    again = _exchange(ok, code)
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"


def test_long_access_token_lives_30_days(ok):
    body = _exchange(ok, _code(ok, scope="VALUABLE_ACCESS;LONG_ACCESS_TOKEN")).json()
    assert body["expires_in"] == 30 * 86400


def test_code_expires_after_two_minutes(ok, sandbox):
    code = _code(ok)
    sandbox.control.advance(121)
    response = _exchange(ok, code)
    assert response.status_code == 400 and response.json()["error"] == "invalid_grant"


@pytest.mark.parametrize("missing", ["scope", "state"])
def test_authorize_requires_scope_and_state(ok, missing):
    response = ok.authorize(**{missing: None})
    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["location"]).query)["error"] == ["invalid_request"]


def test_token_endpoint_refuses_basic_client_auth_and_accepts_query_parameters(ok, sandbox):
    import requests

    code = _code(ok)
    basic = requests.post(f"{sandbox.base_url}/ok-api/oauth/token.do", auth=(SANDBOX_APP_ID, SANDBOX_APP_SECRET),
                          data={"code": code, "redirect_uri": REDIRECT_URI, "grant_type": "authorization_code"},
                          timeout=10)
    assert basic.status_code == 401 and basic.json()["error"] == "invalid_client"
    query = requests.post(f"{sandbox.base_url}/ok-api/oauth/token.do", timeout=10, params={
        "code": code, "client_id": SANDBOX_APP_ID, "client_secret": SANDBOX_APP_SECRET,
        "redirect_uri": REDIRECT_URI, "grant_type": "authorization_code"})
    assert query.status_code == 200 and query.json()["access_token"]


def test_refresh_answers_no_refresh_token_and_the_refresh_token_keeps_working(ok):
    tokens = _exchange(ok, _code(ok)).json()
    form = {"refresh_token": tokens["refresh_token"], "client_id": SANDBOX_APP_ID,
            "client_secret": SANDBOX_APP_SECRET, "grant_type": "refresh_token"}
    first = ok.token(**form)
    assert first.status_code == 200 and "refresh_token" not in first.json()
    assert first.json()["access_token"] != tokens["access_token"]
    assert ok.token(**form).status_code == 200


# ---------------------------------------------------------------------------------------------- calls


def test_signed_call_works_on_fb_do_and_rest_routes(ok, token):
    me = ok.ok("users.getCurrentUser", token)
    assert me["uid"] and me["name"]
    rest = ok.call("users.getCurrentUser", token, rest=True)
    assert rest.json()["uid"] == me["uid"]


def test_missing_and_wrong_signatures_are_104(ok, token):
    body = assert_ok_error(ok.call("users.getCurrentUser", token, sig=""), 104)
    assert body["error_msg"].startswith("PARAM_SIGNATURE : No signature")
    assert_ok_error(ok.call("users.getCurrentUser", token, sig="0" * 32), 104)
    # the access token is not part of the signed pairs: signing it in too is a mismatch
    params = {"application_key": "CBASANDBOXABABABA", "format": "json", "method": "users.getCurrentUser",
              "access_token": token}
    assert_ok_error(ok.call("users.getCurrentUser", token, sig=sign(params, token)), 104)


def test_session_errors(ok, sandbox, token):
    sandbox.control.expire_token("ok", token)
    assert_ok_error(ok.call("users.getCurrentUser", token), 102)
    assert_ok_error(ok.call("users.getCurrentUser", "-s-unknown"), 103)


def test_unknown_method_and_missing_permission(ok, sandbox):
    token = sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID, scope="VALUABLE_ACCESS")["access_token"]
    assert_ok_error(ok.call("users.noSuchMethod", token), 3)
    body = assert_ok_error(ok.call("photosV2.getUploadUrl", token, gid=SANDBOX_GROUP_ID), 10)
    assert "PHOTO_CONTENT" in body["error_msg"]
    assert_ok_error(ok.call("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME",
                            attachment=attachment({"type": "text", "text": "hi"})), 10)


def test_long_access_token_is_extended_by_a_call_at_most_once_a_day(ok, sandbox, token):
    sandbox.control.advance(29 * 86400)
    ok.ok("users.getCurrentUser", token)  # extends to now + 30 days
    sandbox.control.advance(29 * 86400)
    ok.ok("users.getCurrentUser", token)


def test_group_get_info_requires_fields(ok, token):
    assert_ok_error(ok.call("group.getInfo", token, uids=SANDBOX_GROUP_ID), 100)
    groups = ok.ok("group.getInfo", token, uids=SANDBOX_GROUP_ID, fields="uid,name")
    assert groups == [{"uid": SANDBOX_GROUP_ID, "name": "Sandbox Announcements"}]


# ---------------------------------------------------------------------------------------------- uploads, topics


def _upload(ok: Ok, token: str, count: int = 1, gid: str = SANDBOX_GROUP_ID) -> list[str]:
    url = ok.ok("photosV2.getUploadUrl", token, gid=gid, count=count)
    response = ok.upload(url["upload_url"], {f"pic{n + 1}": (f"p{n}.png", PNG) for n in range(count)})
    assert response.status_code == 200, response.text
    photos = response.json()["photos"]
    assert list(photos) == url["photo_ids"]
    return [photos[pid]["token"] for pid in url["photo_ids"]]


def test_upload_then_post_a_group_topic_with_photos_link_and_poll(ok, sandbox, token):
    tokens = _upload(ok, token, 2)
    media = [{"type": "text", "text": "Hello"}, {"type": "photo", "list": [{"id": t} for t in tokens]},
             {"type": "link", "url": "https://example.com"},
             {"type": "poll", "question": "Like it?", "answers": [{"text": "Yes"}, {"text": "No"}],
              "options": "SingleChoice"}]
    topic = ok.ok("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME",
                  attachment=attachment(*media, onBehalfOfGroup="true"))
    assert isinstance(topic, str) and topic.isdigit()
    again = ok.call("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME",
                    attachment=attachment({"type": "photo", "list": [{"id": tokens[0]}]}))
    assert_ok_error(again, 121)  # an upload token is spent by the topic that used it
    listed = ok.ok("mediatopic.getTopics", token, gid=SANDBOX_GROUP_ID, count=5)
    assert listed["media_topics"][0]["id"] == topic
    assert ok.ok("mediatopic.deleteTopic", token, gid=SANDBOX_GROUP_ID, topic_id=topic) == {"success": True}
    assert ok.ok("mediatopic.getTopics", token, gid=SANDBOX_GROUP_ID)["media_topics"] == []


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("not json", 100),
        ('{"media": []}', 100),
        ('{"media": [{"type": "text", "text": "x"}], "colour": "red"}', 100),
        ('{"media": [{"type": "video", "list": []}]}', 100),
        ('{"media": [{"type": "link", "url": "ftp://x"}]}', 100),
        ('{"media": [{"type": "poll", "question": "q", "answers": [{"text": "one"}]}]}', 100),
        ('{"media": [{"type": "photo", "list": [{"id": "forged"}]}]}', 121),
        ('{"media": [{"type": "text", "text": "x"}], "onBehalfOfGroup": true}', 100),
        ('{"media": [{"type": "text", "text": "x"}], "publishAt": "2001-01-01 10:00:00"}', 100),
        ('{"media": [{"type": "text", "text": "x"}], "publishAt": "tomorrow"}', 100),
    ],
)
def test_mediatopic_attachment_is_validated(ok, token, raw, code):
    assert_ok_error(ok.call("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME", attachment=raw),
                    code)


def test_group_post_needs_group_theme_and_admin_for_on_behalf(ok, token):
    text = attachment({"type": "text", "text": "x"})
    assert_ok_error(ok.call("mediatopic.post", token, gid=SANDBOX_GROUP_ID, attachment=text), 100)
    assert_ok_error(ok.call("mediatopic.post", token, gid=OTHER_GROUP_ID, type="GROUP_THEME",
                            attachment=attachment({"type": "text", "text": "x"}, onBehalfOfGroup="true")), 50)


def test_scheduled_topic_is_listed_once_its_time_comes(ok, sandbox, token):
    from datetime import datetime, timedelta, timezone

    at = datetime.fromtimestamp(sandbox.control.now() + 3600, timezone(timedelta(hours=3)))
    topic = ok.ok("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME",
                  attachment=attachment({"type": "text", "text": "later"},
                                        publishAt=at.strftime("%Y-%m-%d %H:%M:%S")))
    assert ok.ok("mediatopic.getTopics", token, gid=SANDBOX_GROUP_ID)["media_topics"] == []
    sandbox.control.advance(3601)
    assert ok.ok("mediatopic.getTopics", token, gid=SANDBOX_GROUP_ID)["media_topics"][0]["id"] == topic


def test_upload_url_expires_is_single_use_and_needs_multipart_images(ok, sandbox, token):
    import requests

    url = ok.ok("photosV2.getUploadUrl", token, gid=SANDBOX_GROUP_ID)["upload_url"]
    assert_ok_error(requests.post(url, data={"pic1": "x"}, timeout=10), 21)
    assert_ok_error(ok.upload(url, {"pic1": ("a.txt", b"plain text")}), 100)
    assert_ok_error(ok.upload(url, {"pic2": ("a.png", PNG)}), 100)  # issued for one photo
    assert ok.upload(url, {"pic1": ("a.png", PNG)}).status_code == 200
    assert_ok_error(ok.upload(url, {"pic1": ("a.png", PNG)}), 100)
    late = ok.ok("photosV2.getUploadUrl", token, gid=SANDBOX_GROUP_ID)["upload_url"]
    sandbox.control.advance(86400)
    assert_ok_error(ok.upload(late, {"pic1": ("a.png", PNG)}), 100)


def test_control_injects_api_errors_and_lost_answers(ok, sandbox, token):
    sandbox.control.configure("ok", errors={"users.getCurrentUser": [8]}, lose_answers={"mediatopic.post": 1})
    assert_ok_error(ok.call("users.getCurrentUser", token), 8)
    ok.ok("users.getCurrentUser", token)
    lost = ok.call("mediatopic.post", token, gid=SANDBOX_GROUP_ID, type="GROUP_THEME",
                   attachment=attachment({"type": "text", "text": "landed"}))
    assert lost.status_code == 502
    assert len(ok.ok("mediatopic.getTopics", token, gid=SANDBOX_GROUP_ID)["media_topics"]) == 1
