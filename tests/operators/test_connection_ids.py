"""Every operator and sensor checks its rendered connection id before building its hook (issue 19's one shape).

The operators below built their hook from the raw value, and the event sensors handed it to their trigger as it was:
an id rendered to nothing fell back to the service's default connection (``SocialHook``: ``conn_id or
default_conn_name``), and junk was looked up as a connection.
Each now fails with an input error naming its own parameter, before any connection is read or request sent.
"""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.operators.ok import OkPostToGroupOperator, OkUploadPhotosOperator
from airflow_provider_social.operators.twitter_export import TwitterExportOperator
from airflow_provider_social.operators.vk_vision import VkVisionVideoSubscribeOperator
from airflow_provider_social.sensors.vk import VkCommunityEventSensor
from airflow_provider_social.sensors.vk_vision import VkVisionVideoResultsSensor
from airflow_provider_social.sensors.yandex_disk import YandexDiskFolderEventSensor

INTERVAL = {"data_interval_start": datetime(2026, 1, 1, tzinfo=timezone.utc),
            "data_interval_end": datetime(2026, 1, 2, tzinfo=timezone.utc)}


def _ok_post(conn_id, tmp_path):
    OkPostToGroupOperator(task_id="p", text="hello", ok_conn_id=conn_id).execute({})


def _ok_photos(conn_id, tmp_path):
    OkUploadPhotosOperator(task_id="u", paths=["a.png"], ok_conn_id=conn_id).execute({})


def _x_export(conn_id, tmp_path):
    TwitterExportOperator(task_id="e", path=str(tmp_path / "posts.jsonl"), twitter_conn_id=conn_id).execute(INTERVAL)


def _vision_subscribe(conn_id, tmp_path):
    VkVisionVideoSubscribeOperator(task_id="s", link="https://example.com/v.mp4", actions="od",
                                   vk_vision_conn_id=conn_id).execute({})


def _vision_results(conn_id, tmp_path):
    VkVisionVideoResultsSensor(task_id="r", video_task_id=1, until_ms=1000, vk_vision_conn_id=conn_id).poke({})


def _vk_events(conn_id, tmp_path):
    VkCommunityEventSensor(task_id="v", event_types=["message_new"], vk_conn_id=conn_id).event_trigger()


def _disk_events(conn_id, tmp_path):
    YandexDiskFolderEventSensor(task_id="d", path="disk:/Inbox", yandex_disk_conn_id=conn_id).event_trigger()


RUNS = {"ok_conn_id": [_ok_post, _ok_photos], "twitter_conn_id": [_x_export],
        "vk_vision_conn_id": [_vision_subscribe, _vision_results], "vk_conn_id": [_vk_events],
        "yandex_disk_conn_id": [_disk_events]}


@pytest.mark.parametrize(("field", "run"), [pytest.param(field, run, id=run.__name__.strip("_"))
                                            for field, runs in RUNS.items() for run in runs])
@pytest.mark.parametrize("conn_id", ["", "no such id", "x" * 251])
def test_a_rendered_connection_id_is_checked_before_the_hook_is_built(field, run, conn_id, tmp_path):
    with pytest.raises(ValidationError, match=f"^[^:]*: {field}: a connection id"):
        run(conn_id, tmp_path)
