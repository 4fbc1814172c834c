"""A DAG for the browser tests: post on X with a connection the tests saved through the UI (the Add form, or the
plugin's one-click authorisation), run by a real scheduler and worker."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import Param, dag, task


@dag(dag_id="social_browser_post", schedule=None, start_date=datetime(2026, 1, 1), catchup=False,
     params={"conn_id": Param("twitter_default", type="string"), "text": Param("hello", type="string")})
def social_browser_post():
    @task
    def post(params=None) -> dict:
        from airflow_provider_social.hooks.twitter import TwitterHook

        result = TwitterHook(params["conn_id"]).create_tweet(params["text"])
        return {"id": result["id"]}

    post()


social_browser_post()
