"""A DAG for the backfill test: each run exports its data interval of the sandbox community's wall posts."""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import CronDataIntervalTimetable, dag

from airflow_provider_social.operators.vk_export import VkExportOperator


@dag(dag_id="social_export_backfill", schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
     start_date=datetime(2026, 1, 1), catchup=False)
def social_export_backfill():
    VkExportOperator(task_id="wall_posts", resource="wall_posts",
                     path=os.path.join(os.environ["SOCIAL_EXPORT_DIR"], "posts", "{{ ds }}.jsonl"))


social_export_backfill()
