"""Daily backup of a local folder and of a published report to Yandex Disk.

1. ``make_sample_files`` writes a few files into a local folder (a stand-in for your real export directory, so the
   example runs anywhere);
2. ``choose_sources`` lists what to back up: the folder's files (a glob) and, when the Airflow Variable
   ``yandex_disk_backup_report_url`` is set, the report a reporting service publishes at that http(s) URL. Any
   item may as well be a storage URL (``s3://aws_default@exports/daily/orders.csv``) or an ``ObjectStoragePath``;
   ``make demo`` sets the Variable to a public object of its S3 server. The list goes through XCom and the upload's
   rendered fields, so give a URL that carries no credential: not a signed URL (its signature is one), but a public
   one, or a storage URL whose credentials stay in its connection;
3. ``upload`` streams every file into ``disk:/Backups/latest`` (parents created, previous versions replaced), the
   URL's body straight from the GET into the upload, never stored locally;
4. ``wait_for_upload`` (deferrable sensor) gates the rest on the report being there as a file;
5. ``copy_to_dated_folder`` copies the folder to ``disk:/Backups/<date>``: Yandex does folder copies
   asynchronously, so the task defers and the triggerer polls the operation while no worker slot is held;
6. ``publish_latest`` publishes the latest report; its public URL is in XCom and behind the task's
   "Yandex Disk public link" button.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime

from airflow.sdk import DAG, task

from airflow_provider_social.operators.yandex_disk import (
    YandexDiskCopyOperator,
    YandexDiskPublishOperator,
    YandexDiskUploadOperator,
)
from airflow_provider_social.sensors.yandex_disk import YandexDiskPathSensor

REMOTE = "disk:/Backups"

with DAG(
    dag_id="yandex_disk_backup",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["yandex_disk", "example"],
) as dag:

    @task
    def make_sample_files(ds: str | None = None) -> str:
        folder = os.path.join(tempfile.gettempdir(), "yandex_disk_backup_example", ds or "today")
        os.makedirs(folder, exist_ok=True)
        samples = {
            "report.csv": "day,orders\n" + "".join(f"{ds},{n}\n" for n in range(100)),
            "notes.txt": f"backup of {ds}\n",
            "metrics.json": '{"orders": 100}\n',
        }
        for name, text in samples.items():
            with open(os.path.join(folder, name), "w") as fh:
                fh.write(text)
        return folder

    @task
    def choose_sources(folder: str) -> list[str]:
        from airflow.sdk import Variable

        report_url = Variable.get("yandex_disk_backup_report_url", default=None)
        return [f"{folder}/*"] + ([report_url] if report_url else [])

    sources = choose_sources(make_sample_files())

    upload = YandexDiskUploadOperator(
        task_id="upload",
        local_path=sources,
        remote_folder=f"{REMOTE}/latest",
        overwrite=True,
    )
    wait_for_upload = YandexDiskPathSensor(
        task_id="wait_for_upload",
        path=f"{REMOTE}/latest/report.csv",
        kind="file",
        deferrable=True,
        poke_interval=5,
        timeout=600,
    )
    copy_to_dated_folder = YandexDiskCopyOperator(
        task_id="copy_to_dated_folder",
        source=f"{REMOTE}/latest",
        destination=REMOTE + "/{{ ds }}",
        overwrite=True,
        deferrable=True,
        poll_interval=1,
        operation_timeout=600,
    )
    publish_latest = YandexDiskPublishOperator(task_id="publish_latest", path=f"{REMOTE}/latest/report.csv")

    upload >> wait_for_upload >> copy_to_dated_folder >> publish_latest
