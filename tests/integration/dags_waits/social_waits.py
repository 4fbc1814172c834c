"""DAGs for the wait-deferral test under a real triggerer: a VK post refused for its daily quota (error 29), and a
probe task that can only run in the one worker slot if the post gave it back while it waited."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.operators.vk import VkCreatePostOperator

TEXT = "posted once the quota day turned"


@dag(dag_id="social_wait_deferral", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def social_wait_deferral():
    VkCreatePostOperator(task_id="vk_post_after_quota", message=TEXT, deferrable=True)


@dag(dag_id="social_wait_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def social_wait_probe():
    @task
    def ran_in_the_freed_slot() -> str:
        return "ran"

    ran_in_the_freed_slot()


social_wait_deferral()
social_wait_probe()
