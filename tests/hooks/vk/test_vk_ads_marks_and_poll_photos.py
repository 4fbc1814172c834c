"""Issue 27 through the hook and the operators, against the sandbox: posts and reposts marked as advertising, and a
poll with a background photo (streamed from any media source, refused before any request when VK would refuse it,
a lost ``polls.savePhoto`` answer doubling no poll and no post)."""

from __future__ import annotations

import io

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.hooks.vk import UploadRejected
from airflow_provider_social.operators.vk import (
    VkCreateCompositePostOperator,
    VkCreatePostOperator,
    VkRepostOperator,
)
from tests.hooks.vk import test_vk_sandbox
from tests.hooks.vk.conftest import png
from tests.hooks.vk.test_vk_upload_faults import expire_upload_urls

vk_sandbox = test_vk_sandbox.vk_sandbox  # the fixture: a hook factory on the sandbox's vk_default connection
OWNER = "-1000001"


def posts(sandbox) -> list[dict]:
    return [post for wall in sandbox.control.state("vk")["walls"].values() for post in wall]


def requests_seen(sandbox) -> int:
    return len(sandbox.control.state("vk")["uploads"]) + len(posts(sandbox))


def ti_context(task_id: str = "post") -> dict:
    from types import SimpleNamespace

    return {"ti": SimpleNamespace(dag_id="ads", task_id=task_id, run_id="manual__1", map_index=-1, try_number=1)}


def test_posts_composite_posts_and_reposts_carry_the_ads_mark(sandbox, vk_sandbox):
    hook = vk_sandbox()
    post = hook.create_post("Sale", mark_as_ads=True, guid="ad")
    plain = hook.create_post("News", guid="news")
    composite = hook.create_composite_post("Recap", ["https://example.com/recap"], mark_as_ads=True)
    repost = hook.repost(f"wall{OWNER}_{plain['post_id']}", mark_as_ads=True)
    marks = {p["id"]: p["marked_as_ads"] for p in posts(sandbox)}
    assert marks == {post["post_id"]: 1, plain["post_id"]: 0, composite["post_id"]: 1, repost["post_id"]: 1}


@pytest.mark.parametrize("call", [
    lambda hook, tmp: hook.create_post("Sale", photos=[png(tmp / "a.png", 640, 480)], from_group=False,
                                       mark_as_ads=True),
    lambda hook, tmp: hook.create_composite_post("Sale", ["https://example.com/x"], from_group=False,
                                                 mark_as_ads=True),
    lambda hook, tmp: hook.create_post("Sale", mark_as_ads="yes"),
    lambda hook, tmp: hook.repost(f"wall{OWNER}_1", mark_as_ads=1),
])
def test_a_mark_vk_would_refuse_is_refused_before_any_request(sandbox, vk_sandbox, tmp_path, call):
    hook = vk_sandbox()
    with pytest.raises(ValidationError, match="mark_as_ads"):
        call(hook, tmp_path)
    assert requests_seen(sandbox) == 0  # not even the photo was uploaded


def test_the_operators_pass_the_mark(sandbox, vk_sandbox, monkeypatch):
    from airflow_provider_social.operators import vk as ops

    # The hook waits on the sandbox's clock (as test_vk_sandbox's operator tests do), not on a real one.
    monkeypatch.setattr(ops.VkBaseOperator, "get_hook", lambda self: vk_sandbox())
    first = VkCreatePostOperator(task_id="ad", vk_conn_id="vk_sb", message="Sale", mark_as_ads=True).execute(
        ti_context("ad"))
    composite = VkCreateCompositePostOperator(task_id="recap", vk_conn_id="vk_sb", message="Recap",
                                              attachments=["https://example.com/sale"], mark_as_ads=True).execute(
        ti_context("recap"))
    shared = VkRepostOperator(task_id="share", vk_conn_id="vk_sb", object_id=f"wall{OWNER}_{first['post_id']}",
                              mark_as_ads=True).execute(ti_context("share"))
    plain = VkCreatePostOperator(task_id="plain", vk_conn_id="vk_sb", message="News").execute(ti_context("plain"))
    marks = {p["id"]: p["marked_as_ads"] for p in posts(sandbox)}
    assert marks == {first["post_id"]: 1, composite["post_id"]: 1, shared["post_id"]: 1, plain["post_id"]: 0}
    with pytest.raises(ValidationError, match="from_group=True"):
        VkCreatePostOperator(task_id="bad", vk_conn_id="vk_sb", message="Sale", from_group=False,
                             mark_as_ads=True).execute(ti_context("bad"))


def test_a_poll_with_a_background_photo_from_a_path_and_from_bytes(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    post = hook.create_post("Vote", poll={"question": "Which?", "answers": ["A", "B"],
                                          "photo": png(tmp_path / "bg.png", 1590, 400)}, guid="poll-bg")
    path = tmp_path / "bg2.png"
    png(path, 800, 300)
    alone = hook.create_poll("Again?", ["Yes", "No"], photo=io.BytesIO(path.read_bytes()))
    state = sandbox.control.state("vk")
    saved = {photo["id"]: photo for photo in state["poll_photos"]}
    polls = {f"poll{p['owner_id']}_{p['id']}": p for p in state["polls"]}
    attached = polls[post["attachments"][0]]
    assert saved[attached["photo"]["id"]]["width"] == 1590
    assert saved[polls[alone["attachment"]]["photo"]["id"]]["width"] == 800
    assert len(saved) == 2


@pytest.mark.parametrize(("width", "height"), [(794, 400), (1590, 199), (20000, 400)])
def test_a_poll_photo_vk_would_refuse_is_refused_before_any_request(sandbox, vk_sandbox, tmp_path, width, height):
    hook = vk_sandbox()
    with pytest.raises(ValidationError, match="poll.photo"):
        hook.create_post("Vote", photos=[png(tmp_path / "a.png", 640, 480)],
                         poll={"question": "Q", "answers": ["A"], "photo": png(tmp_path / "bg.png", width, height)})
    assert requests_seen(sandbox) == 0 and sandbox.control.state("vk")["polls"] == []


def test_a_lost_save_photo_answer_doubles_no_poll_and_no_post(sandbox, vk_sandbox, tmp_path):
    """polls.savePhoto is processed but its answer is lost: the attempt is repeated from a fresh upload URL; one
    poll (with the second save's photo) and one post result, the first save's photo is left unused."""
    hook = vk_sandbox()
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/polls.savePhoto",
                              action="lose_answer")
    post = hook.create_post("Vote", poll={"question": "Q", "answers": ["A", "B"],
                                          "photo": png(tmp_path / "bg.png", 1590, 400)}, guid="lost-save")
    state = sandbox.control.state("vk")
    assert len(posts(sandbox)) == 1 and len(state["polls"]) == 1
    assert [u["kind"] for u in state["uploads"]] == ["poll_photo", "poll_photo"]
    first, second = state["poll_photos"]
    assert state["polls"][0]["photo"]["id"] == second["id"] != first["id"]
    assert post["attachments"] == [f"poll{OWNER}_{state['polls'][0]['id']}"]


def test_an_expired_poll_photo_upload_url_is_replaced_once(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    handed_out = expire_upload_urls(sandbox, hook, "polls.getPhotoUploadServer", times=1)
    assert hook.upload_poll_photo(png(tmp_path / "bg.png", 1590, 400))["id"]
    assert len(handed_out) == 2
    expire_upload_urls(sandbox, hook, "polls.getPhotoUploadServer", times=5)
    with pytest.raises(UploadRejected, match="expired"):
        hook.upload_poll_photo(png(tmp_path / "bg.png", 1590, 400))


def test_the_post_operator_uploads_a_poll_s_background_photo(sandbox, vk_sandbox, monkeypatch, tmp_path):
    from airflow_provider_social.operators import vk as ops

    monkeypatch.setattr(ops.VkBaseOperator, "get_hook", lambda self: vk_sandbox())
    background = png(tmp_path / "bg.png", 1590, 400)
    post = VkCreatePostOperator(task_id="vote", message="Vote", poll={"question": "Q", "answers": ["A", "B"],
                                                                      "photo": background}).execute(ti_context("vote"))
    poll = sandbox.control.state("vk")["polls"][0]
    assert post["attachments"] == [f"poll{OWNER}_{poll['id']}"] and poll["photo"]["width"] == 1590


def test_past_vk_s_daily_ads_posts_the_error_says_so_and_is_not_retried(sandbox, vk_sandbox):
    from airflow_provider_social.core.errors import RateLimitError

    hook = vk_sandbox()
    for n in range(3):
        hook.create_post(f"Ad {n}", mark_as_ads=True, guid=f"ad-{n}")
    with pytest.raises(RateLimitError, match="Too many ads posts") as refused:
        hook.create_post("Ad 3", mark_as_ads=True, guid="ad-3")
    assert "without mark_as_ads" in str(refused.value) and "224" in str(refused.value)
    assert len(posts(sandbox)) == 3
