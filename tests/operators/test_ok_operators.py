"""OK operators against the sandbox: results, link, XCom shape, retries, bad input before any request."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.links.ok import TOPIC_URL_XCOM_KEY, OkTopicLink
from airflow_provider_social.operators.ok import (
    OkPostToGroupOperator,
    OkRefreshTokenOperator,
    OkUploadPhotosOperator,
)
from airflow_provider_social.sandbox.ok import SANDBOX_APP_ID, SANDBOX_APP_KEY, SANDBOX_APP_SECRET, SANDBOX_GROUP_ID

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def ok_default(sandbox, make_connection, tmp_path):
    tokens = sandbox.control.mint_tokens("ok", client_id=SANDBOX_APP_ID)
    make_connection("odnoklassniki_default", "odnoklassniki", password=SANDBOX_APP_SECRET,
                    application_id=SANDBOX_APP_ID, application_key=SANDBOX_APP_KEY,
                    access_token=tokens["access_token"], refresh_token=tokens["refresh_token"],
                    group_id=SANDBOX_GROUP_ID, api_base_url=f"{sandbox.base_url}/ok-api",
                    token_store=f"file:{tmp_path / 'tokens'}", max_retry_wait=1)
    return tokens


class TI(SimpleNamespace):
    def xcom_push(self, key, value):
        self.xcom[key] = value


def ctx(try_number: int = 1):
    return {"ti": TI(try_number=try_number, xcom={})}


@pytest.fixture
def photo(tmp_path):
    path = tmp_path / "banner.png"
    path.write_bytes(PNG)
    return str(path)


def test_post_operator_result_link_and_xcom(sandbox, ok_default, photo):
    op = OkPostToGroupOperator(task_id="post", text="Announcement", photo_paths=photo, link="https://example.com")
    context = ctx()
    result = op.execute(context)
    assert set(result) == {"topic_id", "group_id", "url", "deduplicated", "scheduled_for"}
    assert result["url"] == f"https://ok.ru/group/{SANDBOX_GROUP_ID}/topic/{result['topic_id']}"
    assert context["ti"].xcom[TOPIC_URL_XCOM_KEY] == result["url"]
    assert OkTopicLink().get_link(op, ti_key=SimpleNamespace(task_id="post")) == result["url"]
    assert ok_default["access_token"] not in json.dumps(result) and "token" not in json.dumps(result)


def test_retried_post_does_not_post_twice(sandbox, ok_default):
    first = OkPostToGroupOperator(task_id="post", text="once").execute(ctx())
    again = OkPostToGroupOperator(task_id="post", text="once").execute(ctx(try_number=2))
    assert again["topic_id"] == first["topic_id"] and again["deduplicated"] is True
    assert len(sandbox.control.state("ok")["topics"]) == 1


def test_upload_then_post_with_tokens(sandbox, ok_default, photo):
    uploaded = OkUploadPhotosOperator(task_id="up", paths=[photo]).execute(ctx())
    assert uploaded["group_id"] == SANDBOX_GROUP_ID and len(uploaded["photos"]) == 1
    result = OkPostToGroupOperator(task_id="post", text="from tokens",
                                   photo_tokens=[p["token"] for p in uploaded["photos"]]).execute(ctx())
    assert sandbox.control.state("ok")["topics"][0]["id"] == result["topic_id"]


def test_refresh_operator_keeps_a_long_session_alive_by_use_and_returns_no_token(sandbox, ok_default):
    # default permissions include LONG_ACCESS_TOKEN: one call extends the session; the refresh token (30 days)
    # is not used, so the task keeps working after it dies
    for days in (7, 7, 21):  # days 7, 14 and 35: the refresh token died on day 30, the session lives on
        sandbox.control.advance(days * 86400)
        result = OkRefreshTokenOperator(task_id="refresh").execute(ctx())
    assert result == {"conn_id": "odnoklassniki_default", "renewed_by": "call", "expires_at": None}
    assert ok_default["access_token"] in sandbox.state.services["ok"].extended_at


def test_refresh_operator_refreshes_a_short_token_and_returns_no_token(sandbox, ok_default, make_connection,
                                                                     tmp_path):
    make_connection("ok_short", "odnoklassniki", password=SANDBOX_APP_SECRET, application_id=SANDBOX_APP_ID,
                    application_key=SANDBOX_APP_KEY, access_token=ok_default["access_token"],
                    refresh_token=ok_default["refresh_token"], permissions="VALUABLE_ACCESS",
                    api_base_url=f"{sandbox.base_url}/ok-api", token_store=f"file:{tmp_path / 'tokens'}")
    result = OkRefreshTokenOperator(task_id="refresh", ok_conn_id="ok_short").execute(ctx())
    assert set(result) == {"conn_id", "renewed_by", "expires_at"} and result["renewed_by"] == "refresh"
    assert result["expires_at"] and ok_default["refresh_token"] not in json.dumps(result)


@pytest.mark.parametrize(
    "kwargs",
    [{"text": ""}, {"text": "x", "link": "not a url"}, {"text": "x", "group_id": "g1"},
     {"text": "x", "publish_at": "2000-01-01 00:00:00"}, {"text": "x", "photo_paths": "/missing.png"}],
)
def test_bad_input_fails_before_any_request(sandbox, ok_default, kwargs):
    with pytest.raises(ValidationError):
        OkPostToGroupOperator(task_id="post", **kwargs).execute(ctx())
    assert sandbox.control.created("ok") == []
    assert sandbox.state.services["ok"].extended_at == {}  # no API call reached the sandbox


def test_every_post_field_is_an_operator_parameter_and_reaches_the_post(sandbox, ok_default):
    """The post's parameters are declared once (hooks.ok.posting.PostFields): the operator hands over an attribute
    of each name, so a field added there without an operator parameter fails here, not in a task."""
    import inspect

    from airflow_provider_social.hooks.ok.posting import POST_FIELDS

    assert set(POST_FIELDS) <= set(inspect.signature(OkPostToGroupOperator.__init__).parameters)
    result = OkPostToGroupOperator(task_id="p", text="Poll time", link="https://example.com/poll",
                                   poll_question="Tea or coffee?", poll_answers=["Tea", "Coffee"],
                                   poll_options="SingleChoice", on_behalf_of_group=False).execute(ctx())
    topic = next(t for t in sandbox.control.state("ok")["topics"] if str(t["id"]) == result["topic_id"])
    kinds = [m["type"] for m in topic["media"]]
    assert kinds == ["text", "link", "poll"] and topic["media"][2]["options"] == "SingleChoice"
    assert topic["on_behalf_of_group"] is False


# ------------------------------------------------------------------ issue 20: rendered garbage, no double post
#: Rendered garbage for every templated field of the post operator (wrong types, empty, huge, bracketed junk);
#: each must be an input error naming the field. Values a field legitimately takes (any text for ``text``, an empty
#: ``group_id`` for the connection's) are not garbage for it.
POST_GARBAGE = {
    "text": [12345, "", ["a list"], {"a": 1}],
    "group_id": ["abc", "9" * 50, "[1, 2]", 12.5, {"gid": 1}],
    "photo_paths": [7, "[junk", "['/no/such/file.png']", "[{'a': 1}]", "x" * 5000],
    "photo_tokens": [5, "[1, 2]", "{'a': 1}", "[[1]"],
    "link": [5, "ftp://example.com", "[junk]", "x" * 10_000],
    "poll_question": [5, ["q"], {"q": 1}],
    "poll_answers": [5, "one answer", "['only one']", "[1", str([str(n) for n in range(51)]), "{'a': 1}"],
    "publish_at": [5, "soon", "2000-01-01 00:00:00", "[2030-01-01]", "9" * 500],
}


def _garbage_cases():
    for field, values in POST_GARBAGE.items():
        for number, value in enumerate(values):
            yield pytest.param(field, value, id=f"{field}-{number}")


def test_the_garbage_table_covers_every_templated_field():
    assert set(POST_GARBAGE) == set(OkPostToGroupOperator.template_fields)


@pytest.mark.parametrize(("field", "value"), list(_garbage_cases()))
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(sandbox, ok_default, field,
                                                                                    value):
    kwargs = {"text": "valid text", **({"poll_question": "Coming?"} if field == "poll_answers" else {}),
              **({"poll_answers": ["Yes", "No"]} if field == "poll_question" else {}), field: value}
    if field == "text" and value == "":
        kwargs = {"text": ""}
    before = sandbox.control.requests()["by_service"].get("ok", 0)
    with pytest.raises(ValidationError, match=f"OK: {field}"):
        OkPostToGroupOperator(task_id="post", **kwargs).execute(ctx())
    assert sandbox.control.requests()["by_service"].get("ok", 0) == before


@pytest.mark.parametrize(("field", "value"), [("paths", 7), ("paths", "[junk"), ("paths", "[{'a': 1}]"),
                                              ("group_id", "abc"), ("group_id", "[1]")])
def test_rendered_garbage_in_the_upload_operator_is_an_input_error_before_any_request(sandbox, ok_default, photo,
                                                                                      field, value):
    kwargs = {"paths": [photo], field: value}
    before = sandbox.control.requests()["by_service"].get("ok", 0)
    with pytest.raises(ValidationError, match=f"OK: {field}"):
        OkUploadPhotosOperator(task_id="up", **kwargs).execute(ctx())
    assert sandbox.control.requests()["by_service"].get("ok", 0) == before


def test_lists_rendered_as_a_python_repr_are_read(sandbox, ok_default, photo):
    # "{{ params.answers }}" renders a list as its repr, not JSON
    result = OkPostToGroupOperator(task_id="p", photo_paths=str([photo]), poll_question="Tea?",
                                   poll_answers="['Yes', 'No']", poll_options="['SingleChoice']").execute(ctx())
    topic = next(t for t in sandbox.control.state("ok")["topics"] if str(t["id"]) == result["topic_id"])
    assert [m["type"] for m in topic["media"]] == ["photo", "poll"]
    assert [a["text"] for a in topic["media"][1]["answers"]] == ["Yes", "No"]


def test_a_scheduled_post_whose_answer_was_lost_fails_for_good(sandbox, ok_default):
    from airflow.sdk.exceptions import AirflowFailException

    sandbox.control.configure("ok", lose_answers={"mediatopic.post": 1})
    op = OkPostToGroupOperator(task_id="post", text="Later", publish_at="2099-01-01 10:00:00")
    with pytest.raises(AirflowFailException, match="may have been posted; not re-sent"):
        op.execute(ctx())
    with pytest.raises(AirflowFailException, match="may have been posted; not re-sent"):
        op.execute(ctx(try_number=2))
    assert len(sandbox.control.state("ok")["topics"]) == 1


@pytest.mark.parametrize("conn_id", ["", "ok default", 5])
def test_a_bad_rendered_connection_id_of_the_refresh_operator_names_the_service_and_field(conn_id):
    # The refresh operator's errors said "ok_conn_id: ..." with no service, unlike every other OK error.
    with pytest.raises(ValidationError, match="^OK: ok_conn_id"):
        OkRefreshTokenOperator(task_id="refresh", ok_conn_id=conn_id).execute(ctx())



def test_a_topic_is_announced_through_the_outlets(sandbox, ok_default):
    from tests.operators.conftest import run_announcing

    result, events = run_announcing(OkPostToGroupOperator, ctx(), task_id="post", text="announced")
    assert events == [(result["url"], {"url": result["url"]})]
