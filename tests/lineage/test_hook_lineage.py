"""Uploads and downloads of the Yandex Disk hook report their input and output to Airflow's hook lineage
collector, whatever the source or target (local file, S3 through ObjectStoragePath, http)."""

from __future__ import annotations

import pytest

from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from tests.lineage.conftest import flows

CONN = "yandex_disk_default"


@pytest.fixture
def hook(yandex_sandbox_connection, tmp_path, sandbox):
    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0, operation_duration=0)
    conn_id, _ = yandex_sandbox_connection(CONN, token_store=f"file:{tmp_path / 'tokens'}")
    return YandexDiskHook(conn_id)


def test_local_upload_and_download_are_reported(hook, lineage_collector, tmp_path):
    local = tmp_path / "report.csv"
    local.write_bytes(b"a,b\n1,2\n")
    hook.upload_file(str(local), "disk:/Reports/report.csv", parents=True)
    back = tmp_path / "back.csv"
    hook.download_file("disk:/Reports/report.csv", str(back))

    inputs, outputs = flows(lineage_collector, hook)
    assert inputs == [f"file://{local}", "yadisk://yandex_disk_default@/Reports/report.csv"]
    assert outputs == ["yadisk://yandex_disk_default@/Reports/report.csv", f"file://{back}"]


def test_bytes_have_no_address_and_only_the_disk_side_is_reported(hook, lineage_collector):
    hook.upload_file(b"generated", "disk:/marker.txt")
    inputs, outputs = flows(lineage_collector, hook)
    assert (inputs, outputs) == ([], ["yadisk://yandex_disk_default@/marker.txt"])


def test_s3_object_to_disk_and_back_to_s3(hook, lineage_collector, s3_store):
    from airflow.sdk import ObjectStoragePath

    s3_store.pipe("media/in/photo.jpg", b"\xff\xd8 not really a jpeg")
    hook.upload_file(ObjectStoragePath("s3://moto_s3@media/in/photo.jpg"), "disk:/photo.jpg")
    hook.download_file("disk:/photo.jpg", "s3://moto_s3@media/out/")

    inputs, outputs = flows(lineage_collector, hook)
    assert inputs == ["s3://moto_s3@media/in/photo.jpg", "yadisk://yandex_disk_default@/photo.jpg"]
    assert outputs == ["yadisk://yandex_disk_default@/photo.jpg", "s3://moto_s3@media/out/photo.jpg"]



@pytest.mark.parametrize("mode", ["sized", "chunked"])  # read as it comes, or spooled to a temporary file first
def test_an_http_source_is_reported_without_its_query_string(hook, lineage_collector, http_files, mode):
    http_files.files["pic.jpg"] = b"\xff\xd8" * 100
    hook.upload_file(f"{http_files.url}/{mode}/pic.jpg?signature=s3cret", "disk:/pic.jpg", overwrite=True)
    inputs, _ = flows(lineage_collector, hook)
    assert inputs == [f"{http_files.url}/{mode}/pic.jpg"]

def test_nothing_is_collected_without_a_reader(hook, tmp_path):
    """Without a lineage reader plugin Airflow hands out its no-op collector: reporting costs nothing, fails
    nothing."""
    from airflow.sdk.lineage import NoOpCollector, get_hook_lineage_collector

    get_hook_lineage_collector.cache_clear()
    local = tmp_path / "a.txt"
    local.write_bytes(b"x")
    assert hook.upload_file(str(local), "disk:/a.txt")["size"] == 1
    assert isinstance(get_hook_lineage_collector(), NoOpCollector)


def test_an_object_storage_copy_s3_to_disk_is_one_flow(disk_conn, lineage_collector, s3_store):
    """Through ``ObjectStoragePath`` the stores report the read and the write themselves; the hook under
    ``yadisk://`` adds only the Disk side (its streamed write has no input address to report)."""
    from airflow.sdk import ObjectStoragePath

    s3_store.pipe("media/db/dump.sql", b"create table t;")
    ObjectStoragePath("s3://moto_s3@media/db/dump.sql").copy(ObjectStoragePath(f"yadisk://{disk_conn}@/Backups/dump.sql"))

    seen = lineage_collector.collected_assets
    inputs = {info.asset.uri for info in seen.inputs}
    outputs = {info.asset.uri for info in seen.outputs}
    assert inputs == {"s3://moto_s3@media/db/dump.sql"}
    assert outputs == {f"yadisk://{disk_conn}@/Backups/dump.sql"}
