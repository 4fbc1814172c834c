"""A DAG for the real-scheduler test: refresh a token from a real worker, where Airflow 3 blocks ORM access."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import dag, task


def _orm_blocked() -> bool:
    try:
        from airflow.settings import Session
        from sqlalchemy import text

        Session().execute(text("select 1"))
    except Exception:
        return True
    return False


@dag(dag_id="social_token_store_probe", schedule=None, start_date=datetime(2026, 1, 1), catchup=False)
def social_token_store_probe():
    @task
    def refresh_in_real_worker() -> dict:
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        if not _orm_blocked():
            raise RuntimeError("ORM access is open: this is not a real Airflow 3 worker")
        # The sandbox expired the access token: 401 -> refresh -> the new set is saved to the Variable store.
        info = YandexDiskHook().get_disk_info()
        return {"login": info["user"]["login"], "orm_blocked": True}

    @task
    def next_task_uses_the_stored_token(previous: dict) -> str:
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        # The refresh token in the Connection is spent now; only the stored set can work.
        hook = YandexDiskHook()
        hook.token_manager.refresh(force=True)
        return hook.get_disk_info()["user"]["login"]

    next_task_uses_the_stored_token(refresh_in_real_worker())


social_token_store_probe()
