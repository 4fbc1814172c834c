"""Issue 20: VK uploads under faults, against the sandbox: an expired upload URL, a lost save answer."""

from __future__ import annotations

import pytest
import requests

from airflow_provider_social.core.errors import ServerError
from airflow_provider_social.hooks.vk import UploadRejected
from airflow_provider_social.sandbox.vk.uploads import UPLOAD_TTL
from tests.hooks.vk import test_vk_sandbox
from tests.hooks.vk.conftest import png

vk_sandbox = test_vk_sandbox.vk_sandbox  # the fixture: a hook factory on the sandbox's vk_default connection


def wall_photos(sandbox) -> list[dict]:
    return [p for p in sandbox.control.state("vk")["photos"] if p["album_id"] == -7 and not p.get("deleted")]


def expire_upload_urls(sandbox, hook, method: str, times: int) -> list[str]:
    """Let the sandbox's clock pass an upload URL's lifetime right after ``method`` hands one out, ``times``
    times: the URL has expired when the file reaches the upload host."""
    session = hook.transport.session
    original = session.request
    handed_out: list[str] = []

    def request(http_method, url, **kwargs):
        response = original(http_method, url, **kwargs)
        if url.endswith(f"/method/{method}"):
            handed_out.append(url)
            if len(handed_out) <= times:
                sandbox.state.clock.advance(UPLOAD_TTL + 1)
        return response

    session.request = request
    return handed_out


def test_an_expired_upload_url_is_replaced_by_a_fresh_one(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    handed_out = expire_upload_urls(sandbox, hook, "photos.getWallUploadServer", times=1)
    post = hook.create_post("Fresh URL", photos=[png(tmp_path / "a.png", 640, 480)], guid="expired-url")
    assert len(handed_out) == 2  # the expired URL, then a fresh one
    assert [f"photo{p['owner_id']}_{p['id']}" for p in wall_photos(sandbox)] == post["attachments"]


@pytest.mark.parametrize(("method", "upload"), [
    ("photos.getUploadServer", lambda hook, path: hook.upload_album_photos(
        hook.create_album("Album")["id"], [path])),
    ("docs.getWallUploadServer", lambda hook, path: hook.upload_document(path)),
    ("stories.getPhotoUploadServer", lambda hook, path: hook.create_story(path)),
])
def test_every_upload_kind_retries_an_expired_url_once(sandbox, vk_sandbox, tmp_path, method, upload):
    hook = vk_sandbox()
    handed_out = expire_upload_urls(sandbox, hook, method, times=1)
    assert upload(hook, png(tmp_path / "a.png", 640, 480))
    assert len(handed_out) == 2


def test_a_second_refusal_is_final_and_says_the_url_was_fresh(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    handed_out = expire_upload_urls(sandbox, hook, "photos.getWallUploadServer", times=5)
    with pytest.raises(UploadRejected, match="expired") as refused:
        hook.upload_wall_photos([png(tmp_path / "a.png", 640, 480)])
    assert len(handed_out) == 2  # one fresh URL, not the whole retry budget
    assert "refused again from a fresh upload URL" in str(refused.value)
    assert wall_photos(sandbox) == []


def test_a_lost_save_answer_reuses_the_saved_photo_without_a_second_one(sandbox, vk_sandbox, tmp_path):
    """photos.saveWallPhoto is processed but its answer is lost: the photo it saved is found on the wall album and
    used; no second photo is uploaded and no orphan is left."""
    hook = vk_sandbox()
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/photos.saveWallPhoto",
                              action="lose_answer")
    post = hook.create_post("Lost save", photos=[png(tmp_path / "a.png", 640, 480)], guid="lost-save")
    photos = wall_photos(sandbox)
    assert len(photos) == 1
    assert post["attachments"] == [f"photo{photos[0]['owner_id']}_{photos[0]['id']}"]
    assert not sandbox.control.faults()


def test_a_lost_save_among_look_alike_photos_is_not_guessed(sandbox, vk_sandbox, tmp_path):
    """Another photo of the same shape and caption saved at the same moment: which one the lost save made cannot
    be told, so nothing is guessed and nothing is re-uploaded."""
    hook = vk_sandbox()
    hook.upload_wall_photos([png(tmp_path / "b.png", 320, 240)], caption="Daily")
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/photos.saveWallPhoto",
                              action="lose_answer")
    with pytest.raises(ServerError, match="not re-sent"):
        hook.upload_wall_photos([png(tmp_path / "a.png", 640, 480)], caption="Daily")
    assert len(wall_photos(sandbox)) == 2


def test_a_save_that_never_arrived_is_repeated_from_a_fresh_url(sandbox, vk_sandbox, tmp_path):
    """The connection breaks before VK saw the save (nothing saved): the wall album shows no such photo, so the
    whole upload is safely repeated."""
    hook = vk_sandbox()
    session = hook.transport.session
    original = session.request
    broken: list[str] = []

    def request(method, url, **kwargs):
        if url.endswith("/method/photos.saveWallPhoto") and not broken:
            broken.append(url)
            raise requests.exceptions.ChunkedEncodingError("the connection broke while the save was read")
        return original(method, url, **kwargs)

    session.request = request
    photos = hook.upload_wall_photos([png(tmp_path / "a.png", 640, 480)])
    assert broken and [p["id"] for p in wall_photos(sandbox)] == [photos[0]["id"]]


def test_a_lost_album_save_answer_reuses_the_saved_photos(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    album = hook.create_album("Lost answers")
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/photos.save",
                              action="lose_answer")
    photos = hook.upload_album_photos(album["id"], [png(tmp_path / "a.png", 640, 480),
                                                    png(tmp_path / "b.png", 300, 600)], caption="Two")
    in_album = [p for p in sandbox.control.state("vk")["photos"] if p["album_id"] == album["id"]]
    assert [p["id"] for p in photos] == [p["id"] for p in in_album] and len(in_album) == 2
    assert not sandbox.control.faults()


def test_a_photo_of_another_shape_saved_meanwhile_is_not_taken_for_the_lost_one(sandbox, vk_sandbox, tmp_path):
    hook = vk_sandbox()
    other = hook.upload_wall_photos([png(tmp_path / "tall.png", 300, 900)])[0]
    sandbox.control.add_fault(service="vk", method="POST", path_contains="/method/photos.saveWallPhoto",
                              action="lose_answer")
    photo = hook.upload_wall_photos([png(tmp_path / "wide.png", 640, 480)])[0]
    assert photo["id"] != other["id"] and len(wall_photos(sandbox)) == 2
