"""Yandex Disk operators announce what they created as Asset events through the task's outlets (an AssetAlias
gets every created file; an Asset with the created URI gets the extra), and upload with or without the throttle
workaround as ``avoid_throttle`` says."""

from __future__ import annotations

import hashlib

import pytest
from airflow.sdk import Asset, AssetAlias
from airflow.sdk.execution_time.context import OutletEventAccessors

from airflow_provider_social.operators.yandex_disk import (
    YandexDiskCopyOperator,
    YandexDiskDownloadOperator,
    YandexDiskUploadOperator,
)
from tests.operators.conftest import FakeTI


@pytest.fixture
def context():
    return {"ti": FakeTI(), "outlet_events": OutletEventAccessors()}


@pytest.fixture
def photos(tmp_path):
    folder = tmp_path / "photos"
    folder.mkdir()
    for name in ("a.jpg", "b.jpg"):
        (folder / name).write_bytes(name.encode() * 100)
    return folder


def alias_events(context, alias):
    return [(e.dest_asset_key.uri, e.extra) for e in context["outlet_events"][alias].asset_alias_events]


def test_upload_adds_every_file_to_the_alias_with_size_and_md5(disk_conn, photos, context):
    alias = AssetAlias("disk-uploads")
    op = YandexDiskUploadOperator(task_id="up", local_path=str(photos / "*.jpg"), remote_folder="disk:/Pics",
                                  outlets=[alias])
    op.execute(context)
    expected = [(f"yadisk://{disk_conn}@/Pics/{name}",
                 {"size": 500, "md5": hashlib.md5(name.encode() * 100).hexdigest()}) for name in ("a.jpg", "b.jpg")]
    assert alias_events(context, alias) == expected


def test_a_declared_asset_gets_the_extra_and_other_outlets_are_left_alone(disk_conn, photos, context):
    mine = Asset(f"yadisk://{disk_conn}@/Pics/a.jpg")
    other = Asset("s3://bucket/unrelated")
    YandexDiskUploadOperator(task_id="up", local_path=str(photos / "a.jpg"), remote_folder="disk:/Pics",
                             outlets=[mine, other]).execute(context)
    assert context["outlet_events"][mine].extra == {"size": 500,
                                                     "md5": hashlib.md5(b"a.jpg" * 100).hexdigest()}
    assert context["outlet_events"][other].extra == {}


def test_without_outlets_nothing_is_announced(disk_conn, photos, context):
    YandexDiskUploadOperator(task_id="up", local_path=str(photos / "a.jpg"), remote_folder="disk:/Pics"
                             ).execute(context)
    assert len(context["outlet_events"]) == 0


def test_copy_announces_the_destination_with_its_source(disk_conn, photos, context):
    YandexDiskUploadOperator(task_id="up", local_path=str(photos / "a.jpg"), remote_folder="disk:/Pics"
                             ).execute(context)
    alias = AssetAlias("disk-copies")
    YandexDiskCopyOperator(task_id="cp", source="disk:/Pics/a.jpg", destination="disk:/Archive/a.jpg",
                           parents=True, deferrable=False, outlets=[alias]).execute(context)
    assert alias_events(context, alias) == [(f"yadisk://{disk_conn}@/Archive/a.jpg", {
        "source": f"yadisk://{disk_conn}@/Pics/a.jpg", "size": 500,
        "md5": hashlib.md5(b"a.jpg" * 100).hexdigest()})]


def test_download_announces_the_written_file(disk_conn, photos, context, tmp_path):
    YandexDiskUploadOperator(task_id="up", local_path=str(photos / "a.jpg"), remote_folder="disk:/Pics"
                             ).execute(context)
    alias = AssetAlias("downloads")
    target = tmp_path / "got.jpg"
    YandexDiskDownloadOperator(task_id="dl", remote_path="disk:/Pics/a.jpg", local_path=str(target),
                               outlets=[alias]).execute(context)
    assert alias_events(context, alias) == [(f"file://{target}", {
        "size": 500, "source": f"yadisk://{disk_conn}@/Pics/a.jpg"})]


@pytest.mark.parametrize("avoid_throttle", [True, False])
def test_avoid_throttle_is_passed_to_the_hook(disk_conn, tmp_path, context, sandbox, avoid_throttle):
    """A ``.zip`` goes up under a temporary name and is renamed only with the workaround on."""
    archive = tmp_path / "dump.zip"
    archive.write_bytes(b"PK" * 50)
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0)
    YandexDiskUploadOperator(task_id="up", local_path=str(archive), remote_folder="disk:/Dumps",
                             avoid_throttle=avoid_throttle).execute(context)
    moves = [e for e in sandbox.control.created() if e.get("kind") in ("move", "moved")]
    assert bool(moves) is avoid_throttle
