"""YandexDiskPathSensor: poke, kinds, deferrable mode."""

from __future__ import annotations

import asyncio

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.core.errors import SocialApiError, ValidationError
from airflow_provider_social.hooks.yandex_disk import YandexDiskHook
from airflow_provider_social.sensors.yandex_disk import YandexDiskPathSensor
from tests.operators.test_yandex_disk import CONN_ID_GARBAGE, DISK_PATH_GARBAGE, assert_refused_before_any_request


@pytest.fixture
def hook(disk_conn):
    return YandexDiskHook(disk_conn)


def test_poke_by_kind(disk_conn, hook, context, tmp_path):
    (tmp_path / "a.txt").write_text("a")
    exists = YandexDiskPathSensor(task_id="s", path="inbox/a.txt")
    assert exists.poke(context) is False
    hook.upload_file(tmp_path / "a.txt", "inbox/a.txt", parents=True)
    assert exists.poke(context) is True
    assert YandexDiskPathSensor(task_id="f", path="inbox/a.txt", kind="file").poke(context) is True
    assert YandexDiskPathSensor(task_id="d", path="inbox/a.txt", kind="dir").poke(context) is False
    assert YandexDiskPathSensor(task_id="d2", path="inbox", kind="dir").poke(context) is True
    with pytest.raises(ValueError, match="kind"):
        YandexDiskPathSensor(task_id="bad", path="x", kind="folder")
    assert "path" in YandexDiskPathSensor.template_fields


def test_deferrable_sensor_returns_at_once_when_present(disk_conn, hook, context, tmp_path):
    (tmp_path / "a.txt").write_text("a")
    hook.upload_file(tmp_path / "a.txt", "ready.txt")
    assert YandexDiskPathSensor(task_id="s", path="ready.txt", deferrable=True).execute(context) is None


def test_deferrable_sensor_defers_then_completes(disk_conn, hook, context, tmp_path):
    sensor = YandexDiskPathSensor(task_id="s", path="later.txt", deferrable=True, poke_interval=0.01, timeout=60)
    with pytest.raises(TaskDeferred) as deferred:
        sensor.execute(context)
    (tmp_path / "later.txt").write_text("x")
    hook.upload_file(tmp_path / "later.txt", "later.txt")
    event = asyncio.run(deferred.value.trigger.run().__anext__()).payload
    assert event["status"] == "success"
    sensor.execute_complete(context, event)
    with pytest.raises(SocialApiError, match="boom"):
        sensor.execute_complete(context, {"status": "error", "message": "boom"})


# ------------------------------------------------------------- issue 20: rendered garbage, refused before any request
SENSOR_GARBAGE = {"path": DISK_PATH_GARBAGE, "yandex_disk_conn_id": CONN_ID_GARBAGE}


def test_the_garbage_table_covers_every_templated_field():
    assert set(SENSOR_GARBAGE) == set(YandexDiskPathSensor.template_fields)


@pytest.mark.parametrize("deferrable", [False, True], ids=["in-worker", "deferrable"])
@pytest.mark.parametrize(("field", "value"), [pytest.param(field, value, id=f"{field}-{number}")
                                              for field, values in SENSOR_GARBAGE.items()
                                              for number, value in enumerate(values)])
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(disk_conn, sandbox, context,
                                                                                    field, value, deferrable):
    sensor = YandexDiskPathSensor(task_id="s", deferrable=deferrable, poke_interval=1, timeout=1,
                                  **{"path": "disk:/ready.flag", field: value})
    assert_refused_before_any_request(sandbox, lambda: sensor.execute(context), field)


def test_a_bad_kind_is_an_input_error_naming_it():
    with pytest.raises(ValidationError, match="^Yandex Disk: kind: must be one of"):
        YandexDiskPathSensor(task_id="bad", path="x", kind="folder")
