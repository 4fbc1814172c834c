"""Keep an X connection's OAuth 2.0 tokens fresh (the seed guide's "refresh every two hours").

X access tokens live 2 hours and each refresh rotates the single-use refresh token. Tasks that post refresh on
their own before expiry, so this DAG matters for connections used rarely: it keeps the grant alive and fails
loudly (naming `airflow social auth twitter`) as soon as the grant has been revoked. ``max_active_runs=1``
keeps refreshes of one credential from running side by side; the token store's lock covers the rest.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.sdk import dag

from airflow_provider_social.operators.twitter import TwitterRefreshTokenOperator


@dag(
    dag_id="twitter_token_refresher",
    schedule=timedelta(minutes=90),
    start_date=datetime(2026, 1, 1),
    catchup=False,
    max_active_runs=1,
    tags=["twitter", "example"],
)
def twitter_token_refresher():
    TwitterRefreshTokenOperator(task_id="refresh_tokens", twitter_conn_id="twitter_default", retries=2,
                                retry_delay=timedelta(minutes=5))


twitter_token_refresher()
