"""dags_examples/s3_to_disk_backup.py: an S3 prefix copied to Disk with ObjectStoragePath only, each file announced
through the task's AssetAlias. The task runs in-process against moto's S3 server and the sandbox, with the ``aws``
connection `make demo` gives it (no Amazon provider installed: the task builds s3fs from the connection)."""

from __future__ import annotations

import hashlib
import json

import pytest
from airflow.sdk.execution_time.context import OutletEventAccessors

from tests.dags_examples.conftest import load_example
from tests.fs.conftest import disk_conn  # noqa: F401 - the yadisk:// store on the sandbox

OBJECTS = {"daily/orders.csv": b"day,orders\n1,2\n" * 50, "daily/deep/er/img.png": b"\x89PNG" + bytes(300)}


@pytest.fixture
def example():
    return load_example("s3_to_disk_backup.py")


@pytest.fixture
def exports(moto_server, monkeypatch):  # noqa: F811 - the imported fixture
    import boto3

    options = {"endpoint_url": moto_server.url, "region_name": "us-east-1"}
    client = boto3.client("s3", aws_access_key_id="k", aws_secret_access_key="s", **options)  # noqa: S106
    client.create_bucket(Bucket="exports")
    for key, body in OBJECTS.items():
        client.put_object(Bucket="exports", Key=key, Body=body)
    conn = {"conn_type": "aws", "login": "k", "password": "s", "extra": options}
    monkeypatch.setenv("AIRFLOW_CONN_AWS_DEFAULT", json.dumps(conn))
    return client


def test_the_prefix_lands_on_disk_and_every_file_is_an_asset_event(example, exports, disk_conn):  # noqa: F811
    from airflow.sdk import ObjectStoragePath

    task = example.dag.get_task("copy_prefix")
    events = OutletEventAccessors()
    copied = task.python_callable(params=dict(example.dag.params), ds="2026-12-06", outlet_events=events)

    target = f"yadisk://{disk_conn}@/Backups/s3/2026-12-06"
    assert [c["to"] for c in copied] == [f"{target}/deep/er/img.png", f"{target}/orders.csv"]
    assert ObjectStoragePath(f"{target}/orders.csv").read_bytes() == OBJECTS["daily/orders.csv"]
    announced = {e.dest_asset_key.uri: e.extra for e in events[example.BACKUPS].asset_alias_events}
    assert announced[f"{target}/orders.csv"] == {
        "size": len(OBJECTS["daily/orders.csv"]), "md5": hashlib.md5(OBJECTS["daily/orders.csv"]).hexdigest(),
        "source": "s3://aws_default@exports/daily/orders.csv"}
    assert len(announced) == 2


def test_an_empty_prefix_fails_naming_it(example, exports, disk_conn):  # noqa: F811
    task = example.dag.get_task("copy_prefix")
    with pytest.raises(ValueError, match="nothing under 's3://aws_default@exports/nothing/'"):
        task.python_callable(params={**example.dag.params, "source": "s3://aws_default@exports/nothing/"},
                             ds="2026-12-06", outlet_events=OutletEventAccessors())
