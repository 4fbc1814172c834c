"""VkHook and the VK operators against the strict sandbox (vk-api, vk-id, vk-upload)."""

from __future__ import annotations

import json

import pytest
import requests

from airflow_provider_social.core.errors import NotFoundError, ServerError, ValidationError
from airflow_provider_social.core.http import RetryPolicy
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.hooks.vk import CaptchaRequired, UploadRejected, VkHook
from tests.hooks.vk.conftest import png


@pytest.fixture
def vk_sandbox(sandbox, make_connection):
    """A vk connection to the sandbox (as `airflow social sandbox` prints it); returns a hook factory."""
    from airflow_provider_social.sandbox.connections import sandbox_connections

    rate_limiters.clear()
    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]

    def make(conn_id="vk_sb", store=None, **extra):
        settings = {**conn["extra"], "max_retry_wait": 30, **extra}
        make_connection(conn_id, "vk", **{k: v for k, v in settings.items()})
        # The hook waits on the sandbox's frozen clock: its limiter's pauses move that clock, never a real one.
        clock = sandbox.state.clock
        return VkHook(conn_id, token_store=store or MemoryTokenStore(), retry=RetryPolicy(max_attempts=4),
                      clock=clock.now, sleep=clock.advance)

    yield make
    rate_limiters.clear()


def vk_state(sandbox) -> dict:
    return sandbox.control.state("vk")


def all_posts(state: dict) -> list[dict]:
    return [post for wall in state["walls"].values() for post in wall]


def test_photo_post_lands_on_the_community_wall(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    post = hook.create_post("Hello from Airflow", photos=[png(tmp_path / "a.png", 640, 480)], guid="t-photo")
    assert post["url"] == f"https://vk.com/wall-1000001_{post['post_id']}"
    assert post["attachments"][0].startswith("photo-1000001_")
    posts = all_posts(vk_state(sandbox))
    assert len(posts) == 1


def test_a_lost_answer_to_wall_post_still_gives_a_single_post(sandbox, vk_sandbox):
    """The first wall.post reaches VK and is processed, but its answer is lost: the retry carries the same guid."""
    hook = vk_sandbox()
    session = hook.transport.session
    original = session.request
    dropped = []

    def drop_first_post_answer(method, url, **kwargs):
        response = original(method, url, **kwargs)
        if url.endswith("/method/wall.post") and not dropped:
            dropped.append(response.json())
            raise requests.exceptions.ChunkedEncodingError("connection broken: the answer was lost")
        return response

    session.request = drop_first_post_answer
    post = hook.create_post("Exactly once", guid="lost-answer-guid")
    assert dropped and dropped[0]["response"]["post_id"] == post["post_id"]
    assert len(all_posts(vk_state(sandbox))) == 1


def test_a_retried_task_posts_once(sandbox, vk_sandbox, monkeypatch):
    from types import SimpleNamespace

    from airflow_provider_social.operators import vk as ops

    monkeypatch.setattr(ops.VkBaseOperator, "get_hook", lambda self: vk_sandbox())
    op = ops.VkCreatePostOperator(task_id="post", message="Daily numbers")
    ti = SimpleNamespace(dag_id="d", task_id="post", run_id="r1", map_index=-1, try_number=1)
    first = op.execute({"ti": ti})
    ti.try_number = 2
    second = op.execute({"ti": ti})
    assert first["post_id"] == second["post_id"]
    assert len(all_posts(vk_state(sandbox))) == 1


def test_a_task_retried_after_the_sandbox_lost_every_answer_posts_once(sandbox, vk_sandbox, monkeypatch):
    """The sandbox's `lose_answer` fault: wall.post is processed, the connection dies before the answer. The hook
    repeats it (same guid) until its attempts run out and the task fails; the retried task instance sends the
    same guid, derived from (dag, task, run, map index), and gets the one post that exists."""
    from types import SimpleNamespace

    from airflow_provider_social.operators import vk as ops

    monkeypatch.setattr(ops.VkBaseOperator, "get_hook", lambda self: vk_sandbox())
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/wall.post", action="lose_answer",
                              times=4)
    op = ops.VkCreatePostOperator(task_id="post", message="Once, whatever the network does")
    ti = SimpleNamespace(dag_id="d", task_id="post", run_id="r-lost", map_index=-1, try_number=1)
    with pytest.raises(ServerError, match="connection"):
        op.execute({"ti": ti})
    posts = all_posts(vk_state(sandbox))
    assert len(posts) == 1  # the first lost answer created it; the 3 repeats carried its guid
    ti.try_number = 2
    result = op.execute({"ti": ti})
    assert [p["id"] for p in all_posts(vk_state(sandbox))] == [result["post_id"]] == [posts[0]["id"]]


def test_a_single_lost_answer_is_repeated_with_the_guid_inside_one_call(sandbox, vk_sandbox):
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/wall.post", action="lose_answer")
    post = vk_sandbox().create_post("Exactly once", guid="fault-guid")
    assert [p["id"] for p in all_posts(vk_state(sandbox))] == [post["post_id"]]
    assert not sandbox.control.faults()  # the fault fired


def test_without_a_guid_a_lost_post_answer_is_not_repeated(sandbox, vk_sandbox):
    """The counter-case: no guid, so repeating could post twice; the hook fails instead of guessing."""
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/wall.post", action="lose_answer")
    with pytest.raises(ServerError, match="connection"):
        vk_sandbox().create_post("Maybe posted")
    assert len(all_posts(vk_state(sandbox))) == 1


def test_poll_post_and_reach_through_execute(sandbox, vk_sandbox):
    hook = vk_sandbox()
    posts = [hook.create_post(f"Post {n}", guid=f"reach-{n}")["post_id"] for n in range(3)]
    poll = hook.create_post("Vote", poll={"question": "Which?", "answers": ["A", "B"]}, guid="poll")
    assert poll["attachments"][0].startswith("poll-1000001_")
    reach = hook.get_post_reach(posts)
    assert [r["post_id"] for r in reach] == posts


def test_batch_of_60_reads_is_3_execute_requests_with_per_call_errors(sandbox, vk_sandbox):
    hook = vk_sandbox()
    sent = []
    hook.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.path_url))
    calls = [("users.get", {"user_ids": [1]}) for _ in range(59)] + [("users.get", {"user_ids": ["no such user!"]})]
    results = hook.batch(calls)
    assert len(sent) == 3 and all(path.endswith("/method/execute") for path in sent)
    assert all(r.ok for r in results[:59]) and results[0].response[0]["id"] == 1
    with pytest.raises(NotFoundError, match="Invalid user id"):
        results[59].result()


def test_rate_limits_hold_against_the_sandbox(sandbox, vk_sandbox):
    hook = vk_sandbox()
    for _ in range(8):
        hook.call("users.get", user_ids=[1], token="user")
    assert vk_state(sandbox)["rate_limit_violations"] == 0


def test_captcha_is_reported_not_retried(sandbox, vk_sandbox):
    sandbox.control.configure("vk", captcha_next={"method": "wall.post", "form": "legacy"})
    with pytest.raises(CaptchaRequired) as caught:
        vk_sandbox().create_post("hi", guid="captcha")
    assert caught.value.captcha_img and caught.value.captcha_sid


def test_messages_need_the_community_token(sandbox, vk_sandbox):
    hook = vk_sandbox(community_token=None)
    with pytest.raises(ValidationError, match="community_token"):
        hook.send_message(1, "hi")
    sent = vk_sandbox("vk_sb2").send_message(1, "Build failed", random_id=12345)
    assert sent["message_id"]
    assert json.dumps(vk_state(sandbox)["messages"], ensure_ascii=False).count("Build failed") == 1


def test_uploads_go_to_the_upload_host_without_any_token(sandbox, vk_sandbox, tmp_path):
    """VK's upload URLs are on other hosts (pu.vk.com): the sandbox serves them on its storage listener, which
    logs any Authorization header it receives. Every upload flow of the hook sends none, and no token in the URL."""
    hook = vk_sandbox()
    session = hook.transport.session
    original = session.request
    uploads: list[str] = []

    def spy(method, url, **kwargs):
        if url.startswith(sandbox.storage_url):
            uploads.append(url)
        return original(method, url, **kwargs)

    session.request = spy
    image = png(tmp_path / "a.png", 300, 200)
    hook.upload_wall_photos([image])
    hook.upload_album_photos(hook.create_album("Uploads")["id"], [image])
    hook.create_story(image)
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 1024)
    hook.upload_video(video, name="Clip")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n" + b"x" * 100)
    hook.upload_document(report)
    assert len(uploads) == 5 and all("/vk-upload/" in url for url in uploads)
    tokens = [hook.secret_extra("access_token"), hook.secret_extra("community_token")]
    assert not any(token in url for url in uploads for token in tokens)
    assert not [e for e in sandbox.control.created() if e["kind"] == "authorization_received"]
    # The log does catch a token sent there (so the assertion above can fail).
    with open(image, "rb") as fh:
        requests.post(hook.call("photos.getWallUploadServer", group_id=1000001)["upload_url"],
                      headers={"Authorization": "Bearer x"}, files={"photo": ("a.png", fh.read())}, timeout=10)
    assert [e["service"] for e in sandbox.control.created() if e["kind"] == "authorization_received"] == [
        "vk_upload"]


def test_a_story_between_the_two_readings_of_10_mb_is_sent_and_vk_decides(sandbox, vk_sandbox, tmp_path):
    """VK's "10 MB" is UNCONFIRMED as MB or MiB: the client checks the tolerant MiB, the sandbox the strict MB."""
    image = png(tmp_path / "story.png", 720, 1280)
    with open(image, "ab") as fh:
        fh.truncate(10 * 1000 * 1000 + 1)
    with pytest.raises(UploadRejected, match="too big"):
        vk_sandbox().create_story(image)


def test_a_message_with_a_user_token_when_asked_for(sandbox, vk_sandbox):
    """VK's schema lists user tokens for messages.send too (with the `messages` scope): token="user" uses one."""
    hook = vk_sandbox(community_token=None)
    sent = hook.send_message(3, "From the admin", token="user", random_id=77)
    assert sent["message_id"]
    as_group = hook.send_message(2, "From the community", token="user", group_id="club1000001", random_id=78)
    assert as_group["message_id"]
    with pytest.raises(ValidationError, match="keyboard"):
        hook.send_message(2, "x", token="user", keyboard={"buttons": [[{"action": {"type": "text", "label": "A"}}]]})
    with pytest.raises(ValidationError, match="group_id"):
        vk_sandbox("vk_sb3").send_message(2, "x", group_id=1000001)
    senders = {(m["text"], m["from_id"]) for m in vk_state(sandbox)["messages"]}
    assert senders == {("From the admin", 1), ("From the community", -1000001)}


def test_every_hook_action_against_the_sandbox(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    images = [png(tmp_path / f"{n}.png", 300, 200) for n in range(6)]
    album = hook.create_album("Events")
    photos = hook.upload_album_photos(album["id"], images)
    assert len(photos) == 6 and all(p["attachment"].startswith("photo-1000001_") for p in photos)
    post = hook.create_composite_post("Recap", [photos[0]["attachment"]], guid="recap")
    comment = hook.create_comment(post["post_id"], "First!", guid="c1")
    assert comment["comment_id"]
    assert hook.repost(f"wall-1000001_{post['post_id']}", message="Again")["success"] == 1
    assert hook.delete_photo(photos[5]["id"]) is True
    story = hook.create_story(images[0], link_text="learn_more", link_url="https://vk.com/club1000001")
    assert story["story_id"]
    video = tmp_path / "clip.mp4"
    video.write_bytes(b"\x00\x00\x00\x18ftypmp42" + b"\x00" * 2048)
    assert hook.upload_video(video, name="Clip")["attachment"].startswith("video-1000001_")
    report = tmp_path / "report.pdf"
    report.write_bytes(b"%PDF-1.4\n" + b"x" * 1024)
    assert hook.upload_document(report)["attachment"].startswith("doc")
    assert hook.shorten_link("https://example.com/a/long/path")["short_url"].startswith("https://vk.cc/")
    assert isinstance(hook.is_user_online(1), bool)
    assert hook.get_community_stats(hook.clock() - 86400, hook.clock()) is not None
    keyboard = {"one_time": True, "buttons": [[{"action": {"type": "text", "label": "OK"}, "color": "primary"}]]}
    assert hook.send_message(1, "With a keyboard", keyboard=keyboard)["message_id"]
    assert hook.delete_post(post["post_id"]) is True
    assert hook.delete_album(album["id"]) is True
    ok, message = hook.test_connection()
    assert ok and "can post to Sandbox Community: yes" in message, message


def test_an_expired_vk_id_token_is_refreshed_once_and_persisted(sandbox, vk_sandbox):
    store = MemoryTokenStore()
    hook = vk_sandbox(store=store, access_token=sandbox.control.vk_token("user", expires_in=60))
    assert hook.user_token_source() == "vk_id"
    sandbox.state.clock.advance(120)  # the user token has expired: VK answers error 5
    sent = []
    hook.transport.session.hooks["response"].append(lambda r, *a, **k: sent.append(r.request.path_url))
    assert hook.call("users.get", token="user")[0]["id"] == 1
    assert [p.rsplit("/", 1)[-1] for p in sent] == ["users.get", "auth", "users.get"]
    saved = store.load("vk_sb")
    assert saved.refresh_token and saved.refresh_token != hook.extra("refresh_token")
    assert saved.extra["device_id"] == hook.extra("device_id")


@pytest.mark.parametrize(("configured", "story_v"), [(None, "5.236"), ("5.131", "5.236"), ("5.240", "5.240")])
def test_story_uploads_send_the_version_vk_needs_and_other_calls_the_connections(sandbox, vk_sandbox, tmp_path,
                                                                               configured, story_v):
    """The story upload server refuses versions below 5.236; every other call keeps the connection's version."""
    hook = vk_sandbox(**({"api_version": configured} if configured else {}))
    session = hook.transport.session
    original = session.request
    sent: dict[str, str] = {}

    def spy(method, url, **kwargs):
        if "/vk-api/method/" in url:
            sent[url.rsplit("/", 1)[1]] = dict(kwargs.get("data") or {}).get("v", "")
        return original(method, url, **kwargs)

    session.request = spy
    story = hook.create_story(png(tmp_path / "s.png", 720, 1280))
    assert story
    assert sent["stories.getPhotoUploadServer"] == story_v
    assert sent["stories.save"] == (configured or "5.199")


def test_a_built_keyboard_reaches_vk_from_the_hook_the_operator_and_the_notifier(sandbox, vk_sandbox):
    from airflow_provider_social.hooks.vk import Keyboard
    from airflow_provider_social.notifications.vk import VkNotifier
    from airflow_provider_social.operators.vk import VkSendMessageOperator

    hook = vk_sandbox()
    most = Keyboard()
    for row in range(8):  # VK's largest standard keyboard: 8 rows of 5 (40 buttons)
        (most.row() if row else most).text(f"r{row}b0", payload={"row": row}).text("b1").text("b2").text("b3") \
            .callback("cb", color="primary")
    assert hook.send_message(1, "Biggest keyboard", keyboard=most)["message_id"]
    inline = Keyboard(inline=True).link("Open", "https://example.com/x").callback("Refresh", payload={"cmd": 1})
    VkSendMessageOperator(task_id="msg", vk_conn_id="vk_sb", peer_id=1, message="Inline", keyboard=inline).execute(
        {})
    VkNotifier(peer_id=1, message="Failed", vk_conn_id="vk_sb", keyboard=Keyboard.from_labels(["Retry"])).notify({})
    sent = [m for m in vk_state(sandbox)["messages"] if m["keyboard"]]
    assert [m["text"] for m in sent] == ["Biggest keyboard", "Inline", "Failed"]
    assert sum(len(row) for row in sent[0]["keyboard"]["buttons"]) == 40
    assert sent[1]["keyboard"]["inline"] is True and sent[1]["keyboard"]["buttons"][0][0]["action"]["link"] == \
        "https://example.com/x"
    assert sent[2]["keyboard"]["buttons"] == [[{"action": {"type": "text", "label": "Retry"}, "color": "secondary"}]]


def test_flood_control_on_messages_fails_at_once_naming_the_method(sandbox, vk_sandbox):
    from airflow_provider_social.core.errors import RateLimitError

    sandbox.control.vk_configure(messages_per_peer_hour=1)
    hook = vk_sandbox()
    hook.send_message(1, "first", random_id=1)
    with pytest.raises(RateLimitError) as caught:
        hook.send_message(1, "second", random_id=2)
    assert caught.value.api_code == 9 and "flood control refused messages.send" in str(caught.value)
    assert [m["text"] for m in vk_state(sandbox)["messages"]] == ["first"]  # not sent again
