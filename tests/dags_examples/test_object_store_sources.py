"""The example DAGs that upload read their media from object storage (another task's output on Yandex Disk, or any
store URL), not from local files: the producing task runs in-process against the sandbox, and the service reads
what it wrote, with the connections `make demo` gives them."""

from __future__ import annotations

from types import SimpleNamespace

from airflow.sdk import ObjectStoragePath

from tests.dags_examples.conftest import load_example


def context_for(task_id: str) -> dict:
    ti = SimpleNamespace(try_number=1, task_id=task_id, dag_id="example", run_id="manual", map_index=-1,
                         xcom_push=lambda key, value: None)
    return {"ti": ti, "task_instance": ti, "ds": "2026-05-01", "run_id": "manual", "dag_run": None}


def test_the_digest_charts_are_kept_on_disk_and_posted_from_there(demo_connections, sandbox):
    from airflow_provider_social.hooks.twitter import TwitterHook

    example = load_example("twitter_daily_digest.py")
    tweets = example.twitter_daily_digest().get_task("build_thread").python_callable(ds="2026-05-01")
    chart, animation = tweets[0]["media_paths"][0], tweets[1]["media_paths"][0]
    assert chart == "yadisk://yandex_disk_default@/Digest/2026-05-01/chart.png"
    assert ObjectStoragePath(animation).read_bytes() == example.TINY_GIF
    posted = TwitterHook().create_tweet(tweets[0]["text"], media_paths=[chart])
    assert sandbox.control.state("twitter")["tweets"][0]["media_ids"] and posted["id"]


def test_vision_moderates_the_images_of_a_store_folder(demo_connections, sandbox, monkeypatch):
    dag = load_example("vision_moderation.py").dag
    images = dag.get_task("collect_images").python_callable()
    folder = "yadisk://yandex_disk_default@/Moderation/incoming"
    assert images == [f"{folder}/forest.png", f"{folder}/sunset.png", f"{folder}/unsafe.png"]
    gate = dag.get_task("adult_gate")
    gate.images = images
    checked = gate.execute(context_for("adult_gate"))
    assert checked["safe_images"] == [f"{folder}/forest.png", f"{folder}/sunset.png"]


def test_a_local_folder_still_works_for_vision(demo_connections, tmp_path, monkeypatch):
    (tmp_path / "a.png").write_bytes(b"x")
    (tmp_path / "notes.txt").write_text("not an image")
    monkeypatch.setenv("VISION_MODERATION_DIR", str(tmp_path))
    dag = load_example("vision_moderation.py").dag
    assert dag.get_task("collect_images").python_callable() == [f"file://{tmp_path}/a.png"]


def test_the_shop_photo_is_kept_on_disk_where_the_sync_reads_it(demo_connections):
    from airflow_provider_social.core.sources import media_source

    example = load_example("vk_market_sync.py")
    catalogue = example.vk_market_sync().get_task("prepare_catalogue").python_callable()
    photo = "yadisk://yandex_disk_default@/Shop/photos/product.png"
    assert {row["main_photo"] for row in catalogue} == {photo}
    source = media_source(photo, field="main_photo", service="VK")  # how the sync opens every product photo
    with source.open() as fh:
        assert source.size == len(example.product_png()) and fh.read() == example.product_png()


def test_the_backup_takes_the_local_folder_and_the_published_report_url(demo_connections, sandbox, moto_server,
                                                                        tmp_path, monkeypatch):
    """yandex_disk_backup: the folder's files and the report at the Variable's http(s) URL (here a public object of
    the S3 server, as `make demo` sets it) land side by side; the URL's body is never stored locally."""
    import boto3

    client = boto3.client("s3", aws_access_key_id="k", aws_secret_access_key="s",  # noqa: S106
                          endpoint_url=moto_server.url, region_name="us-east-1")
    client.create_bucket(Bucket="reports")
    report = b"day,visits\n2026-05-01,1200\n"
    client.put_object(Bucket="reports", Key="published/daily-report.csv", Body=report, ACL="public-read")
    monkeypatch.setenv("AIRFLOW_VAR_YANDEX_DISK_BACKUP_REPORT_URL",
                       f"{moto_server.url}/reports/published/daily-report.csv")
    monkeypatch.setenv("TMPDIR", str(tmp_path))
    monkeypatch.setattr("tempfile.tempdir", None)
    dag = load_example("yandex_disk_backup.py").dag
    folder = dag.get_task("make_sample_files").python_callable(ds="2026-05-01")
    sources = dag.get_task("choose_sources").python_callable(folder)
    assert sources == [f"{folder}/*", f"{moto_server.url}/reports/published/daily-report.csv"]
    upload = dag.get_task("upload")
    upload.local_path = sources
    stored = {entry["path"]: entry["size"] for entry in upload.execute(context_for("upload"))}
    assert stored == {"disk:/Backups/latest/daily-report.csv": len(report),
                      "disk:/Backups/latest/metrics.json": 16,
                      "disk:/Backups/latest/notes.txt": len("backup of 2026-05-01\n"),
                      "disk:/Backups/latest/report.csv": stored["disk:/Backups/latest/report.csv"]}
    assert ObjectStoragePath("yadisk://yandex_disk_default@/Backups/latest/daily-report.csv").read_bytes() == report
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["metrics.json", "notes.txt", "report.csv"]


def test_without_the_variable_the_backup_takes_the_folder_only(demo_connections, monkeypatch):
    monkeypatch.delenv("AIRFLOW_VAR_YANDEX_DISK_BACKUP_REPORT_URL", raising=False)
    dag = load_example("yandex_disk_backup.py").dag
    assert dag.get_task("choose_sources").python_callable("/exports") == ["/exports/*"]
