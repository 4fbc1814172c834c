"""A DAG scheduled on VK community messages (an AssetWatcher on VkCommunityEventTrigger), for the triggerer-kill
test: each message the sandbox sends must become exactly one asset event, in order."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Asset, AssetWatcher, dag, task

from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger

MESSAGES = Asset(
    "vk_sandbox_messages",
    watchers=[AssetWatcher(name="vk_sandbox_messages_watcher",
                           trigger=VkCommunityEventTrigger(event_types=["message_new"], vk_conn_id="vk_default",
                                                           wait=5))],
)


@dag(dag_id="social_vk_events", schedule=[MESSAGES], start_date=datetime(2026, 1, 1), catchup=False)
def social_vk_events():
    @task
    def read_messages(**context) -> list[str]:
        events = context["triggering_asset_events"][MESSAGES]
        return [event.extra["payload"]["object"]["message"]["text"] for event in events]

    read_messages()


social_vk_events()
