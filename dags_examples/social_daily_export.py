"""Yesterday's VK, X and OK activity into files a dashboard reads: one file per resource and day.

Each run exports its data interval (``data_interval_start <= created < data_interval_end``): the community's wall
posts with their views, likes, reposts and comments counters, the comments, the shop's orders and a snapshot of the
members from VK; the account's posts with their public metrics and its mentions from X (within a read budget: X
bills reads per post); the OK group's topics with their counters, as Parquet when pyarrow is installed. Paths are
templated by the day, so ``airflow dags backfill`` writes one complete file per day, and a re-run of a day replaces
that day's files whole.

Tokens (docs/services/vk.md, docs/services/twitter.md): VK wall posts and comments need the user token of a
community admin (``access_token``); orders and members take the community key as well. X reads need
``tweet.read`` and ``users.read``. OK's topic statistics are for the group's administrators (permission
``GROUP_CONTENT``). Files go under ``$SOCIAL_EXPORT_DIR`` (default: a ``social_exports`` folder in
the temporary directory); an ``ObjectStoragePath`` (``s3://...``) works as well.
"""

from __future__ import annotations

import os
import tempfile
from datetime import datetime, timedelta
from importlib.util import find_spec

from airflow.sdk import CronDataIntervalTimetable, dag

from airflow_provider_social.operators.ok_export import OkExportOperator
from airflow_provider_social.operators.twitter_export import TwitterExportOperator
from airflow_provider_social.operators.vk_export import VkExportOperator

BASE = os.environ.get("SOCIAL_EXPORT_DIR", os.path.join(tempfile.gettempdir(), "social_exports"))
# Parquet needs the [parquet] extra (pyarrow); without it the same columns go to JSON Lines.
OK_FORMAT = "parquet" if find_spec("pyarrow") else "jsonl"


@dag(
    dag_id="social_daily_export",
    # Each run covers the day before it: Airflow 3's plain cron schedules (CronTriggerTimetable) give runs an empty
    # data interval, so an export scheduled with "@daily" would export nothing.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone="UTC"),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["vk", "twitter", "ok", "example", "export"],
    default_args={"retries": 2, "retry_delay": timedelta(seconds=5)},
)
def social_daily_export():
    for resource in ("wall_posts", "comments", "orders", "members"):
        VkExportOperator(task_id=f"vk_{resource}", resource=resource,
                         path=f"{BASE}/vk/{resource}/{{{{ ds }}}}.jsonl")
    TwitterExportOperator(task_id="x_posts", resource="posts", path=f"{BASE}/x/posts/{{{{ ds }}}}.csv", format="csv",
                          max_reads=1000)
    TwitterExportOperator(task_id="x_mentions", resource="mentions", path=f"{BASE}/x/mentions/{{{{ ds }}}}.jsonl",
                          max_reads=500)
    OkExportOperator(task_id="ok_topics", resource="topics", path=f"{BASE}/ok/topics/{{{{ ds }}}}.{OK_FORMAT}",
                     format=OK_FORMAT)


social_daily_export()
