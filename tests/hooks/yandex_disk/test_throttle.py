"""The upload throttle workaround: throttled names go up under a neutral temporary name and are renamed."""

from __future__ import annotations

import hashlib

import pytest

from airflow_provider_social.core.errors import ConflictError, SocialApiError
from airflow_provider_social.hooks.yandex_disk.throttle import temporary_upload_path, throttled_media_type
from airflow_provider_social.sandbox.yandex.constants import THROTTLED_MEDIA_TYPES
from airflow_provider_social.sandbox.yandex.records import media_type

DATA = b"PK\x03\x04" + b"backup bytes " * 1000


@pytest.fixture(autouse=True)
def no_real_throttle_waits(sandbox):
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0)


def uploads(sandbox):
    return [e["data"] for e in sandbox.control.created("yandex_disk") if e["kind"] == "upload"]


def tree(sandbox):
    return next(iter(sandbox.control.state("yandex_disk")["trees"].values()))


def test_a_throttled_name_is_uploaded_under_a_neutral_name_then_moved(hook, sandbox):
    result = hook.upload_bytes(DATA, "/backups/db.zip", parents=True)
    assert result["path"] == "disk:/backups/db.zip" and result["status"] == "success"
    assert result["md5"] == hashlib.md5(DATA).hexdigest()  # noqa: S324 - Yandex's tag
    [sent] = uploads(sandbox)
    assert sent["path"] == temporary_upload_path("disk:/backups/db.zip") and sent["throttled"] is None
    files = {path for path, node in tree(sandbox).items() if node["type"] == "file"}
    assert files == {"disk:/backups/db.zip"}  # the temporary name is gone
    assert hook.get_metadata("/backups/db.zip", fields="md5")["md5"] == result["md5"]


def test_without_the_workaround_the_upload_is_throttled(hook, sandbox, tmp_path):
    local = tmp_path / "clip.mp4"
    local.write_bytes(DATA)
    hook.upload_file(local, "clip.mp4", avoid_throttle=False)
    assert [(e["path"], e["throttled"]) for e in uploads(sandbox)] == [("disk:/clip.mp4", "video")]
    assert uploads(sandbox)[0]["throttled_seconds"] == pytest.approx(len(DATA) / (128 * 1024))


def test_plain_names_are_uploaded_directly(hook, sandbox):
    hook.upload_bytes(b"report", "report.csv")
    assert [e["path"] for e in uploads(sandbox)] == ["disk:/report.csv"]


def test_an_existing_file_is_refused_before_anything_is_sent(hook, sandbox):
    hook.upload_bytes(DATA, "db.gz")
    with pytest.raises(ConflictError, match="remote_path: 'disk:/db.gz' already exists"):
        hook.upload_bytes(b"other", "db.gz")
    assert len(uploads(sandbox)) == 1
    replaced = hook.upload_bytes(b"other", "db.gz", overwrite=True)
    assert replaced["size"] == 5 and hook.read_bytes("db.gz") == b"other"


def test_a_folder_under_the_name_is_refused(hook, sandbox):
    hook.create_folder("x.zip")
    with pytest.raises(ConflictError, match="is an existing folder"):
        hook.upload_bytes(DATA, "x.zip", overwrite=True)
    assert uploads(sandbox) == []


def test_a_failed_move_leaves_no_temporary_file(hook, sandbox):
    sandbox.control.add_fault(service="yandex_disk", method="POST", path_contains="/resources/move", times=20,
                              status=500)
    with pytest.raises(SocialApiError):
        hook.upload_bytes(DATA, "db.tgz")
    sandbox.control.clear_faults()
    assert {path for path in tree(sandbox) if path.startswith("disk:/")} == set()
    assert not any(path.startswith("trash:/") for path in tree(sandbox))  # deleted for good, not to the trash


def test_a_move_whose_answer_was_lost_is_recognised_by_its_effect(hook, sandbox):
    sandbox.control.add_fault(service="yandex_disk", method="POST", path_contains="/resources/move",
                              action="lose_answer")
    result = hook.upload_bytes(DATA, "db.rar")
    assert result["path"] == "disk:/db.rar"
    assert [e["kind"] for e in sandbox.control.created("yandex_disk")].count("move") == 1  # not sent twice
    assert {path for path in tree(sandbox) if path.startswith("disk:/")} == {"disk:/db.rar"}


def test_a_failed_upload_leaves_no_temporary_file(hook, sandbox):
    sandbox.control.add_fault(service="yandex_uploader", times=20, status=503)
    with pytest.raises(SocialApiError):
        hook.upload_bytes(DATA, "db.7z")
    sandbox.control.clear_faults()
    assert {path for path in tree(sandbox) if path.startswith("disk:/")} == set()


def test_a_re_run_reuses_the_same_temporary_name():
    assert temporary_upload_path("disk:/a/b.zip") == temporary_upload_path("disk:/a/b.zip")
    assert temporary_upload_path("disk:/a/b.zip") != temporary_upload_path("disk:/a/c.zip")
    assert temporary_upload_path("disk:/a/db.tar.gz").startswith("disk:/a/.upload-")
    assert throttled_media_type(temporary_upload_path("disk:/a/db.tar.gz")) is None


@pytest.mark.parametrize("name", [
    "a.zip", "a.gz", "a.tgz", "a.rar", "a.7z", "a.tar", "a.bz2", "a.xz", "a.db", "a.dat", "a.sqlite", "a.mp4",
    "a.avi", "a.3gp", "a.mkv", "a.mov", "a.webm", "a.txt", "a.csv", "a.json", "a.pdf", "a.jpg", "a.png", "a.bin",
    "a.sql", "a.mp3", "README", ".hidden", "a.tar.gz",
])
def test_the_hook_and_the_sandbox_agree_on_which_names_are_throttled(name):
    kind = media_type(name)[1]
    assert throttled_media_type(name) == (kind if kind in THROTTLED_MEDIA_TYPES else None)
