"""Waits that free the worker (core.wait_deferral), driven by the sandbox: VK's error 29 with its reset, Yandex
Disk's Retry-After on 429 and 503. A deferrable operator defers to a timer trigger at the reset and resumes without
repeating what the service took; a non-deferrable one fails at once, naming the reset.

The resumed try runs here in the same process; a real triggerer and worker are in
tests/integration/test_wait_deferral_triggerer.py.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest
from airflow.providers.standard.triggers.temporal import DateTimeTrigger
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.core.errors import CallQuotaError, RateLimitError
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.hooks.vk.policy import quota_resets_at
from airflow_provider_social.operators import vk as vk_ops
from airflow_provider_social.operators.yandex_disk import YandexDiskCopyOperator, YandexDiskUploadOperator
from airflow_provider_social.sandbox.connections import sandbox_connections

GROUP_ID = 1000001
#: 2026-03-10 23:50:00 Moscow time: VK's quota day ends ten minutes later.
BEFORE_MOSCOW_MIDNIGHT = datetime(2026, 3, 10, 20, 50, tzinfo=timezone.utc).timestamp()
TO_MIDNIGHT = 600


@pytest.fixture
def vk_conn(sandbox, make_connection):
    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]
    make_connection("vk_default", "vk", **conn["extra"])
    sandbox.control.freeze(at=BEFORE_MOSCOW_MIDNIGHT)
    sandbox.control.unfreeze()  # runs on from there (VK's per-second limit needs time to pass)
    return "vk_default"


def ti_context(task_id: str = "post") -> dict:
    """The context of a task instance: VK's guid and random_id come from it."""
    return {"ti": SimpleNamespace(dag_id="waits", task_id=task_id, run_id="scheduled__2026-03-10", map_index=-1,
                                  try_number=1)}


def wall_posts(sandbox) -> list[dict]:
    return list(sandbox.state.services["vk"].posts.values())


def deferral_moment(deferred: TaskDeferred) -> float:
    trigger = deferred.trigger
    assert isinstance(trigger, DateTimeTrigger)
    return trigger.moment.timestamp()


def test_vk_daily_quota_defers_until_moscow_midnight_and_the_resumed_try_posts_once(sandbox, vk_conn):
    sandbox.control.vk_configure(daily_caps={"wall.post": 1})
    vk_ops.VkCreatePostOperator(task_id="earlier", message="earlier").execute(ti_context("earlier"))  # today's
    op = vk_ops.VkCreatePostOperator(task_id="post", message="after the reset", deferrable=True)
    before = time.time()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ti_context())
    # The reset is VK's midnight, ten minutes ahead on VK's clock (its Date header), so ten minutes ahead on ours.
    assert deferral_moment(deferred.value) == pytest.approx(before + TO_MIDNIGHT + 1, abs=3)
    assert deferred.value.method_name == "resume_after_wait" and len(wall_posts(sandbox)) == 1

    sandbox.control.advance(TO_MIDNIGHT + 1)  # the triggerer's timer fired: past midnight on VK's clock too
    rate_limiters.clear()  # the resumed try is a new process; its token store keeps no hold (Variable store)
    result = op.resume_after_wait(ti_context(), event=None, **(deferred.value.kwargs or {}))
    assert [post["text"] for post in wall_posts(sandbox)] == ["earlier", "after the reset"]
    assert result["url"] == op.post_url and op.resumed_after_wait


def test_vk_daily_quota_fails_a_non_deferrable_task_naming_the_reset(sandbox, vk_conn):
    sandbox.control.vk_configure(daily_caps={"messages.send": 0})
    op = vk_ops.VkSendMessageOperator(task_id="send", peer_id=1, message="hi")
    before = time.time()
    with pytest.raises(CallQuotaError) as refused:
        op.execute(ti_context())
    # VK's midnight is ten minutes ahead on its clock; the error names that moment on ours
    assert refused.value.resets_at == pytest.approx(before + TO_MIDNIGHT, abs=3)
    when = datetime.fromtimestamp(refused.value.resets_at, timezone.utc)
    assert f"it resets at {when:%Y-%m-%d %H:%M} UTC (00:00 Moscow time)" in str(refused.value)
    assert quota_resets_at(BEFORE_MOSCOW_MIDNIGHT) - BEFORE_MOSCOW_MIDNIGHT == TO_MIDNIGHT
    assert sandbox.state.services["vk"].messages == []


def test_vk_message_resumed_after_the_quota_wait_is_sent_once(sandbox, vk_conn):
    sandbox.control.vk_configure(daily_caps={"messages.send": 1})
    vk_ops.VkSendMessageOperator(task_id="first", peer_id=1, message="one").execute(ti_context("first"))
    op = vk_ops.VkSendMessageOperator(task_id="send", peer_id=1, message="two", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ti_context())
    sandbox.control.advance(TO_MIDNIGHT + 1)
    rate_limiters.clear()
    op.resume_after_wait(ti_context(), event=None)
    assert [m["text"] for m in sandbox.state.services["vk"].messages] == ["one", "two"]
    assert deferred.value.kwargs in (None, {})


def test_vk_album_resumes_its_upload_without_a_second_album(sandbox, vk_conn, tmp_path):
    from tests.hooks.vk.conftest import png

    sandbox.control.vk_configure(daily_caps={"photos.save": 1})
    photo = png(tmp_path / "a.png", 40, 30)
    vk_ops.VkCreateAlbumOperator(task_id="earlier", title="Earlier", photos=[photo]).execute(ti_context("earlier"))
    op = vk_ops.VkCreateAlbumOperator(task_id="album", title="Trip", photos=[photo], deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ti_context())
    assert deferred.value.method_name == "resume_album_upload"
    assert len(sandbox.state.services["vk"].albums) == 2
    sandbox.control.advance(TO_MIDNIGHT + 1)
    rate_limiters.clear()
    result = getattr(op, deferred.value.method_name)(ti_context(), event=None, **deferred.value.kwargs)
    assert len(sandbox.state.services["vk"].albums) == 2 and len(result["photos"]) == 1
    assert result["album_id"] == deferred.value.kwargs["album"]["id"]


def album_photos(sandbox, album_id: int) -> list[dict]:
    return [p for p in sandbox.state.services["vk"].photos.values() if p.get("album_id") == album_id]


@pytest.mark.parametrize("operator", ["upload", "album"])
def test_vk_photos_stored_before_a_wait_are_not_uploaded_again(sandbox, vk_conn, tmp_path, operator):
    """12 photos go in three requests of 5, 5 and 2; the quota refuses the third, so the task defers with 10 in the
    album. The resumed try uploads the last 2 only (VK has no dedupe key for photos): 12 in the album, not 22."""
    from tests.hooks.vk.conftest import png

    photos = [png(tmp_path / f"p{n}.png", 40, 30 + n) for n in range(12)]
    if operator == "upload":
        album_id = vk_ops.VkCreateAlbumOperator(task_id="make", title="Trip").execute(ti_context("make"))["album_id"]
        op = vk_ops.VkUploadPhotosOperator(task_id="photos", album_id=album_id, photos=photos, deferrable=True)
    else:
        op = vk_ops.VkCreateAlbumOperator(task_id="album", title="Trip", photos=photos, deferrable=True)
    sandbox.control.vk_configure(daily_caps={"photos.save": 2})
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(ti_context("photos"))
    kwargs = deferred.value.kwargs
    assert len(kwargs["uploaded"]) == 10
    album_id = album_id if operator == "upload" else kwargs["album"]["id"]
    assert len(album_photos(sandbox, album_id)) == 10

    sandbox.control.advance(TO_MIDNIGHT + 1)
    rate_limiters.clear()
    result = getattr(op, deferred.value.method_name)(ti_context("photos"), event=None, **kwargs)
    stored = album_photos(sandbox, album_id)
    assert len(stored) == 12 and len(result["photos"]) == 12
    assert result["photos"][:10] == kwargs["uploaded"]
    assert sorted(result["photos"]) == sorted(f"photo{p['owner_id']}_{p['id']}" for p in stored)


# ----------------------------------------------------------------------------------------------- Yandex Disk


@pytest.fixture
def disk(disk_conn, tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("a.csv", "b.zip", "c.csv"):
        (folder / name).write_text(f"content of {name}\n")
    return folder


def test_yandex_retry_after_defers_an_upload_that_resumes_with_the_files_not_stored_yet(sandbox, disk_conn, disk):
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    op = YandexDiskUploadOperator(task_id="up", local_path=[str(disk / n) for n in ("a.csv", "b.zip", "c.csv")],
                                  remote_folder="disk:/waits", deferrable=True)
    # a.csv is stored; b.zip goes up under a temporary name (Yandex throttles .zip) and its rename is refused
    # with a wait of 10 minutes
    sandbox.control.add_fault(service="yandex_disk", method="POST", path_contains="/resources/move", status=429,
                              headers={"Retry-After": "600"}, body={"error": "TooManyRequestsError"})
    before = time.time()
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({})
    assert deferral_moment(deferred.value) == pytest.approx(before + 600 + 1, abs=3)
    assert deferred.value.method_name == "resume_upload"
    assert [entry["path"] for entry in deferred.value.kwargs["stored"]] == ["disk:/waits/a.csv"]

    result = op.resume_upload({}, event=None, **deferred.value.kwargs)
    assert [entry["path"] for entry in result] == ["disk:/waits/a.csv", "disk:/waits/b.zip", "disk:/waits/c.csv"]
    listing = YandexDiskHook(disk_conn).iter_folder("disk:/waits")
    assert sorted(item["name"] for item in listing) == ["a.csv", "b.zip", "c.csv"]


def test_yandex_503_with_retry_after_defers_a_link_request(sandbox, disk_conn, disk):
    """A GET may be sent again after a 503 (Yandex did not act on it); a create-call after a 503 is not (it may
    have been carried out), so only the first is deferred."""
    sandbox.control.add_fault(service="yandex_disk", method="GET", path_contains="/resources/upload", status=503,
                              headers={"Retry-After": "600"}, body={"error": "ServiceUnavailable"})
    op = YandexDiskUploadOperator(task_id="up", local_path=str(disk / "a.csv"), remote_folder="disk:/w",
                                  deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute({})
    assert deferred.value.kwargs == {"stored": []}
    assert [entry["path"] for entry in op.resume_upload({}, event=None, **deferred.value.kwargs)] == ["disk:/w/a.csv"]


def test_yandex_short_retry_after_is_slept_in_the_task_even_when_deferrable(sandbox, disk_conn, disk):
    sandbox.control.add_fault(service="yandex_disk", method="POST", path_contains="/resources/copy", status=429,
                              headers={"Retry-After": "1"}, body={"error": "TooManyRequestsError"})
    YandexDiskUploadOperator(task_id="up", local_path=str(disk / "a.csv"), remote_folder="disk:/w").execute({})
    op = YandexDiskCopyOperator(task_id="cp", source="disk:/w/a.csv", destination="disk:/w/copy.csv",
                                deferrable=True)
    assert op.execute({})["path"] == "disk:/w/copy.csv"  # a wait of one second: no deferral


def test_yandex_long_retry_after_fails_a_non_deferrable_copy_naming_when(sandbox, disk_conn, disk):
    YandexDiskUploadOperator(task_id="up", local_path=str(disk / "a.csv"), remote_folder="disk:/w").execute({})
    sandbox.control.add_fault(service="yandex_disk", method="POST", path_contains="/resources/copy", status=429,
                              headers={"Retry-After": "3600"}, body={"error": "TooManyRequestsError"})
    op = YandexDiskCopyOperator(task_id="cp", source="disk:/w/a.csv", destination="disk:/w/copy.csv")
    with pytest.raises(RateLimitError) as failed:
        op.execute({})
    assert "asked to wait 3600s (until " in str(failed.value) and "max_retry_wait" in str(failed.value)
    assert failed.value.resume_at is not None
