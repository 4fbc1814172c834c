"""DAGs for the real-triggerer test: every deferrable kind the provider has, and a probe for the freed slot.

``social_deferral`` defers four ways: X media processing (a video post), a Yandex Disk asynchronous operation
(upload from a URL), a Yandex Disk upload the storage answered 202 to, and a deferrable path sensor waiting for
the file that operation creates. The sandbox clock is frozen, so each stays deferred until the test advances it.
``social_deferral_probe`` is one plain task the test triggers while they wait: with one worker slot, it can only
run if the deferred tasks gave theirs back. Local files come from the environment the test starts Airflow with.
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.operators.twitter import TwitterCreateTweetOperator
from airflow_provider_social.operators.yandex_disk import YandexDiskUploadFromUrlOperator, YandexDiskUploadOperator
from airflow_provider_social.sensors.yandex_disk import YandexDiskPathSensor

VIDEO = os.environ.get("SOCIAL_DEFERRAL_VIDEO", "/nonexistent/video.mp4")
UPLOAD = os.environ.get("SOCIAL_DEFERRAL_UPLOAD", "/nonexistent/report.csv")
SOURCE_URL = "https://example.org/deferral/source.txt"
FETCHED = "disk:/deferral/fetched.txt"


@dag(dag_id="social_deferral", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def social_deferral():
    TwitterCreateTweetOperator(task_id="x_video_post", text="processed while the worker slot was free",
                               media_paths=[VIDEO], deferrable=True, poll_interval=None)
    YandexDiskUploadFromUrlOperator(task_id="yandex_upload_from_url", url=SOURCE_URL, remote_path=FETCHED,
                                    deferrable=True, poll_interval=1.0)
    YandexDiskUploadOperator(task_id="yandex_upload_202", local_path=UPLOAD, remote_folder="disk:/deferral/uploads",
                             deferrable=True, poll_interval=1.0)
    YandexDiskPathSensor(task_id="yandex_path_sensor", path=FETCHED, kind="file", deferrable=True, poke_interval=1,
                         timeout=3600)


@dag(dag_id="social_deferral_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def social_deferral_probe():
    @task
    def ran_in_the_freed_slot() -> str:
        return "ran"

    ran_in_the_freed_slot()


social_deferral()
social_deferral_probe()
