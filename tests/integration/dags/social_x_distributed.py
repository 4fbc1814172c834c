"""A DAG for the distributed-executor test: X posts from two Celery workers through one rotating connection.

Three posts run in parallel, the sandbox's clock then moves past the access token's two hours, and three more posts
run in parallel. The connection's access token is expired before the run, so each wave starts with every worker
refused (401) by the same stale token: exactly one of them may spend the single-use refresh token, the others must
adopt the set it stored in the shared token store (the connection's ``token_store``).
"""

from __future__ import annotations

import os
from datetime import datetime

from airflow.sdk import dag, task

from airflow_provider_social.operators.twitter import TwitterCreateTweetOperator

DAG_ID = "social_x_distributed"
CONN_ID = "x_shared"
# The sandbox's control API (the test passes it): only the mid-run expiry uses it, never the posting tasks.
SANDBOX_URL_ENV = "SOCIAL_TEST_SANDBOX_URL"
WAVE = 3
# Past X's 2-hour OAuth 2.0 access token.
EXPIRY_STEP = 7300


def texts(wave: str) -> list[str]:
    """The distinct post texts of one wave (X refuses a duplicate of a recent post)."""
    return [f"distributed {wave} expiry, post {n}" for n in range(WAVE)]


@dag(dag_id=DAG_ID, schedule=None, start_date=datetime(2026, 1, 1), catchup=False, max_active_tasks=WAVE)
def social_x_distributed():
    before = TwitterCreateTweetOperator.partial(task_id="post_before", twitter_conn_id=CONN_ID).expand(
        text=texts("before")
    )

    @task
    def expire_access_token() -> None:
        from airflow_provider_social.sandbox.control import SandboxControl

        SandboxControl(os.environ[SANDBOX_URL_ENV]).advance(EXPIRY_STEP)

    after = TwitterCreateTweetOperator.partial(task_id="post_after", twitter_conn_id=CONN_ID).expand(
        text=texts("after")
    )
    before >> expire_access_token() >> after


social_x_distributed()
