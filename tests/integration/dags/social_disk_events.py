"""A DAG scheduled on new files in a Yandex Disk folder (an AssetWatcher on YandexDiskFolderEventTrigger), for the
triggerer-kill test."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_social.triggers.yandex_disk_events import YandexDiskFolderEventTrigger

INBOX = Asset(
    "disk_sandbox_inbox",
    watchers=[AssetWatcher(name="disk_sandbox_inbox_watcher",
                           trigger=YandexDiskFolderEventTrigger(path="disk:/Inbox", name_pattern="*.csv",
                                                                yandex_disk_conn_id="yandex_disk_default",
                                                                poll_interval=1))],
)


@dag(dag_id="social_disk_events", schedule=[INBOX], start_date=datetime(2026, 1, 1), catchup=False)
def social_disk_events():
    @task
    def read_files(**context) -> list[str]:
        return [event.extra["payload"]["path"] for event in context["triggering_asset_events"][INBOX]]

    read_files()


social_disk_events()
