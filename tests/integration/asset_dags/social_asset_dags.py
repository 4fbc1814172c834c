"""Two DAGs for the asset test: ``social_disk_publisher`` uploads a report to Disk and announces it through an
AssetAlias; ``social_on_disk_report`` is scheduled on that file's asset and reads the event's extra."""

from __future__ import annotations

from datetime import datetime

from airflow.sdk import DAG, Asset, AssetAlias, task

from airflow_provider_social.operators.yandex_disk import YandexDiskUploadOperator

REPORT = Asset("yadisk://yandex_disk_default@/Reports/daily.csv")

with DAG(dag_id="social_disk_publisher", schedule=None, start_date=datetime(2026, 1, 1), catchup=False):

    @task
    def write_report() -> str:
        import tempfile

        path = f"{tempfile.mkdtemp()}/daily.csv"
        with open(path, "w") as fh:
            fh.write("day,orders\n2026-12-06,42\n")
        return path

    write_report_task = write_report()
    write_report_task >> YandexDiskUploadOperator(
        task_id="upload", local_path="{{ ti.xcom_pull(task_ids='write_report') }}", remote_folder="disk:/Reports",
        overwrite=True, outlets=[AssetAlias("social_disk_reports")],
    )

with DAG(dag_id="social_on_disk_report", schedule=[REPORT], start_date=datetime(2026, 1, 1), catchup=False):

    @task(inlets=[REPORT])
    def read_event(inlet_events=None) -> dict:
        event = inlet_events[REPORT][-1]
        return {"uri": event.asset.uri, "extra": dict(event.extra)}

    read_event()
