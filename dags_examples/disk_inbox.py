"""A file dropped into a Yandex Disk folder starts a run that files it away (event-driven: no schedule).

The DAG is scheduled on an asset whose watcher is :class:`YandexDiskFolderEventTrigger` on ``disk:/Inbox``
(CSV files only): each new or changed file becomes an asset event whose ``extra["payload"]`` is the file's
metadata (``path``, ``name``, ``md5``, ``size``, ``modified``). A re-upload under the same name counts as a change.
The task moves each file to ``disk:/Processed/<md5>-<name>`` (so a repeated event finds nothing left to move and a
second version never overwrites the first).
"""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_social.triggers.yandex_disk_events import YandexDiskFolderEventTrigger

INBOX = Asset(
    "yandex_disk_inbox",
    watchers=[AssetWatcher(name="yandex_disk_inbox_csv",
                           trigger=YandexDiskFolderEventTrigger(path="disk:/Inbox", name_pattern="*.csv",
                                                                yandex_disk_conn_id="yandex_disk_default",
                                                                poll_interval=60))],
)


@dag(dag_id="disk_inbox", schedule=[INBOX], start_date=datetime(2026, 1, 1), catchup=False,
     tags=["yandex_disk", "events"])
def disk_inbox():
    @task
    def file_away(**context) -> list[str]:
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        hook = YandexDiskHook("yandex_disk_default")
        moved = []
        for event in context["triggering_asset_events"][INBOX]:
            item = event.extra.get("payload") or {}
            if not item.get("path") or not hook.exists(item["path"]):
                continue  # already filed (a repeated event) or removed meanwhile
            target = f"disk:/Processed/{item['md5']}-{item['name']}"
            hook.move(item["path"], target, parents=True, overwrite=True)
            moved.append(target)
        print(f"filed {len(moved)} file(s): {moved}")
        return moved

    file_away()


disk_inbox()
