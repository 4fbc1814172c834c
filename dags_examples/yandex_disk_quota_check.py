"""Check Yandex Disk free space every day before the nightly backups run.

The hook refreshes the Yandex ID token through the token store when needed; the task only returns numbers, so no
credential ever reaches XCom.
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

MIN_FREE_GIB = 1.0


@dag(
    dag_id="yandex_disk_quota_check",
    schedule="@daily",
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["yandex_disk", "example"],
)
def yandex_disk_quota_check():
    @task
    def disk_space() -> dict:
        info = YandexDiskHook().get_disk_info()
        return {
            "login": info.get("user", {}).get("login"),
            "used_gib": round(info["used_space"] / 2**30, 3),
            "total_gib": round(info["total_space"] / 2**30, 3),
        }

    @task
    def enough_room(space: dict) -> float:
        free = space["total_gib"] - space["used_gib"]
        if free < MIN_FREE_GIB:
            raise ValueError(f"only {free:.2f} GiB free on Yandex Disk, need {MIN_FREE_GIB} GiB")
        return free

    enough_room(disk_space())


yandex_disk_quota_check()
