"""Yandex Disk operators against the sandbox: results, templated fields, deferral, bad input."""

from __future__ import annotations

import asyncio
import hashlib

import pytest
from airflow.sdk.exceptions import TaskDeferred

from airflow_provider_social.core.errors import ConflictError, ValidationError
from airflow_provider_social.hooks.yandex_disk import OperationFailedError, YandexDiskHook
from airflow_provider_social.links.yandex_disk import YandexDiskPublicLink
from airflow_provider_social.operators.yandex_disk import (
    YandexDiskCopyOperator,
    YandexDiskCreateFolderOperator,
    YandexDiskDeleteOperator,
    YandexDiskDownloadOperator,
    YandexDiskMoveOperator,
    YandexDiskPublishOperator,
    YandexDiskRestoreOperator,
    YandexDiskSavePublicOperator,
    YandexDiskUploadFromUrlOperator,
    YandexDiskUploadOperator,
)
from tests.operators.garbage import assert_refused_before_any_request as refused_before_any_request
from tests.operators.garbage import garbage_cases


@pytest.fixture
def files(tmp_path):
    folder = tmp_path / "data"
    folder.mkdir()
    for name in ("a.csv", "b.csv", "notes.txt"):
        (folder / name).write_bytes(f"content of {name}\n".encode() * 1000)
    return folder


@pytest.fixture
def hook(disk_conn):
    return YandexDiskHook(disk_conn)


def run_deferred(sandbox, deferred: TaskDeferred, advance: float = 5.0) -> dict:
    """Run the trigger the task deferred to (as the triggerer would), moving the sandbox clock on."""

    async def go():
        gen = deferred.trigger.run()
        pending = asyncio.ensure_future(gen.__anext__())
        await asyncio.sleep(0)  # the first poll sees the operation in progress
        sandbox.state.clock.advance(advance)
        return await asyncio.wait_for(pending, 30)

    deferred.trigger.poll_interval = 0.01
    return asyncio.run(go()).payload


def test_upload_glob_list_and_single_file(disk_conn, files, context, hook, sandbox):
    op = YandexDiskUploadOperator(task_id="up", local_path=str(files / "*.csv"), remote_folder="disk:/b/2026-01-01")
    result = op.execute(context)
    assert [r["path"] for r in result] == ["disk:/b/2026-01-01/a.csv", "disk:/b/2026-01-01/b.csv"]
    assert result[0]["md5"] == hashlib.md5((files / "a.csv").read_bytes()).hexdigest()
    assert set(result[0]) == {"local_path", "path", "size", "md5"}  # no hrefs, no tokens
    single = YandexDiskUploadOperator(task_id="one", local_path=str(files / "notes.txt"), remote_folder="solo")
    assert single.execute(context)[0]["path"] == "disk:/solo/notes.txt"
    mixed = YandexDiskUploadOperator(task_id="mix", local_path=[str(files / "notes.txt"), str(files / "a*.csv")],
                                     remote_folder="mix")
    assert len(mixed.execute(context)) == 2


def test_upload_refuses_bad_input_before_uploading_anything(disk_conn, files, context, hook):
    op = YandexDiskUploadOperator(task_id="up", local_path=[str(files / "a.csv"), str(files / "missing.csv")],
                                  remote_folder="never")
    with pytest.raises(ValidationError, match="local_path: file .*missing.csv.* does not exist"):
        op.execute(context)
    with pytest.raises(ValidationError, match="matches no file"):
        YandexDiskUploadOperator(task_id="g", local_path=str(files / "*.xls"), remote_folder="never").execute(context)
    assert not hook.exists("never")
    YandexDiskUploadOperator(task_id="first", local_path=str(files / "a.csv"), remote_folder="dup").execute(context)
    with pytest.raises(ConflictError, match="already exists"):
        YandexDiskUploadOperator(task_id="again", local_path=str(files / "a.csv"), remote_folder="dup").execute(
            context)


def test_templated_fields():
    assert set(YandexDiskUploadOperator.template_fields) >= {"local_path", "remote_folder"}
    assert set(YandexDiskCopyOperator.template_fields) >= {"source", "destination"}
    assert set(YandexDiskUploadFromUrlOperator.template_fields) >= {"url", "remote_path"}
    assert set(YandexDiskDownloadOperator.template_fields) >= {"remote_path", "local_path"}
    assert "public_key" in YandexDiskSavePublicOperator.template_fields
    assert "trash_path" in YandexDiskRestoreOperator.template_fields


def test_download_create_folder_and_delete(disk_conn, files, context, hook, tmp_path):
    hook.upload_file(files / "a.csv", "x/a.csv", parents=True)
    out = tmp_path / "out"
    out.mkdir()
    result = YandexDiskDownloadOperator(task_id="dl", remote_path="x/a.csv", local_path=str(out)).execute(context)
    assert (out / "a.csv").read_bytes() == (files / "a.csv").read_bytes() and result["size"] > 0
    made = YandexDiskCreateFolderOperator(task_id="mk", path="deep/er/folder").execute(context)
    assert made == {"path": "disk:/deep/er/folder", "created": True}
    assert YandexDiskCreateFolderOperator(task_id="mk2", path="deep/er/folder").execute(context)["created"] is False
    gone = YandexDiskDeleteOperator(task_id="rm", path="x/a.csv").execute(context)
    assert gone["deleted"] is True and not hook.exists("x/a.csv")
    assert YandexDiskDeleteOperator(task_id="rm2", path="x/a.csv", missing_ok=True).execute(context)["deleted"] is False


def test_copy_waits_in_the_task_when_not_deferrable(disk_conn, files, context, hook, sandbox):
    hook.upload_file(files / "a.csv", "src/a.csv", parents=True)
    op = YandexDiskCopyOperator(task_id="cp", source="src", destination="dst", poll_interval=1)
    waits = []
    op.hook.sleep = lambda s: (waits.append(s), sandbox.state.clock.advance(s))
    result = op.execute(context)
    assert result["status"] == "success" and hook.exists("dst/a.csv") and waits == [1, 1]


def test_deferrable_copy_move_delete_frees_the_worker(disk_conn, files, context, hook, sandbox):
    hook.upload_file(files / "a.csv", "src/a.csv", parents=True)
    op = YandexDiskCopyOperator(task_id="cp", source="src", destination="dated/src", parents=True, deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    assert deferred.value.method_name == "execute_complete"
    assert not hook.exists("dated/src")  # still in progress at Yandex
    event = run_deferred(sandbox, deferred.value)
    assert event["status"] == "success"
    result = op.execute_complete(context, event)
    assert result == {"path": "disk:/dated/src", "operation_id": event["operation_id"], "status": "success",
                      "source": "disk:/src"}
    assert hook.exists("dated/src/a.csv")

    # A file copy answers 201 at once: nothing to defer.
    quick = YandexDiskCopyOperator(task_id="q", source="src/a.csv", destination="a2.csv", deferrable=True)
    assert quick.execute(context)["operation_id"] is None

    mv = YandexDiskMoveOperator(task_id="mv", source="dated", destination="moved", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        mv.execute(context)
    assert mv.execute_complete(context, run_deferred(sandbox, deferred.value))["path"] == "disk:/moved"

    rm = YandexDiskDeleteOperator(task_id="rm", path="moved", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        rm.execute(context)
    rm.execute_complete(context, run_deferred(sandbox, deferred.value))
    assert not hook.exists("moved")


def test_deferred_failure_fails_the_task(disk_conn, files, context, hook, sandbox):
    hook.upload_file(files / "a.csv", "src/a.csv", parents=True)
    sandbox.control.configure("yandex_disk", fail_next_operations=1)
    op = YandexDiskCopyOperator(task_id="cp", source="src", destination="dst", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    event = run_deferred(sandbox, deferred.value)
    assert event["status"] == "failed"
    with pytest.raises(OperationFailedError, match="failed"):
        op.execute_complete(context, event)


def test_uploads_answered_202_are_waited_for_in_the_task(disk_conn, files, context, hook, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=1)
    op = YandexDiskUploadOperator(task_id="up", local_path=str(files / "a.csv"), remote_folder="w", poll_interval=1)
    op.hook.sleep = lambda s: sandbox.state.clock.advance(s)
    result = op.execute(context)
    assert result[0]["md5"] == hashlib.md5((files / "a.csv").read_bytes()).hexdigest()


def test_deferrable_upload_defers_for_each_upload_answered_202(disk_conn, files, context, hook, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=2)  # a.csv and b.csv: 202; notes.txt: 201
    op = YandexDiskUploadOperator(task_id="up", local_path=[str(files / n) for n in ("a.csv", "b.csv", "notes.txt")],
                                  remote_folder="later", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    assert hook.exists("later/notes.txt") and not hook.exists("later/a.csv")  # all sent; two still being stored
    with pytest.raises(TaskDeferred) as again:
        op.execute_complete(context, run_deferred(sandbox, deferred.value))
    result = op.execute_complete(context, run_deferred(sandbox, again.value))
    assert [r["path"] for r in result] == ["disk:/later/a.csv", "disk:/later/b.csv", "disk:/later/notes.txt"]
    for entry in result:
        assert set(entry) == {"local_path", "path", "size", "md5"}
        assert entry["md5"] == hashlib.md5(open(entry["local_path"], "rb").read()).hexdigest()


def test_a_deferred_upload_that_never_lands_fails_the_task_naming_it(disk_conn, files, context, hook, sandbox):
    sandbox.control.configure("yandex_disk", upload_async_next=1)
    op = YandexDiskUploadOperator(task_id="up", local_path=str(files / "a.csv"), remote_folder="gone",
                                  deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    hook.delete("gone", permanently=True)  # the folder goes before Yandex moved the file in
    event = run_deferred(sandbox, deferred.value)
    with pytest.raises(OperationFailedError, match="upload of 'disk:/gone/a.csv' .* did not put it into Disk"):
        op.execute_complete(context, event)


def test_publish_returns_url_pushes_xcom_and_link(disk_conn, files, context, hook):
    hook.upload_file(files / "a.csv", "pub/a.csv", parents=True)
    op = YandexDiskPublishOperator(task_id="pub", path="pub/a.csv")
    result = op.execute(context)
    assert result["path"] == "disk:/pub/a.csv" and result["public_url"].startswith("https://yadi.sk/")
    assert context["ti"].xcom["public_url"] == result["public_url"]
    link = YandexDiskPublicLink()
    assert link.get_link(op, ti_key=None) == result["public_url"]
    assert link.name in {lk.name for lk in op.operator_extra_links}


def test_upload_from_url_save_public_and_restore_deferrable(disk_conn, files, context, hook, sandbox):
    op = YandexDiskUploadFromUrlOperator(task_id="url", url="https://example.com/report.pdf",
                                         remote_path="imports/report.pdf", deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        op.execute(context)
    result = op.execute_complete(context, run_deferred(sandbox, deferred.value))
    assert result["path"] == "disk:/imports/report.pdf" and "url" not in result
    assert hook.exists("imports/report.pdf")

    url = hook.publish("imports")
    save = YandexDiskSavePublicOperator(task_id="save", public_key=url, save_path="imports", name="copy",
                                        deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:  # a folder: asynchronous
        save.execute(context)
    assert save.execute_complete(context, run_deferred(sandbox, deferred.value))["path"] == "disk:/imports/copy"
    assert hook.exists("imports/copy/report.pdf")

    started = hook.delete("imports/copy", wait=False)  # a folder: asynchronous
    sandbox.state.clock.advance(5)
    assert hook.get_operation_status(started["operation_id"]) == "success"
    trashed = next(hook.list_trash())
    restore = YandexDiskRestoreOperator(task_id="restore", trash_path=trashed["path"], deferrable=True)
    with pytest.raises(TaskDeferred) as deferred:
        restore.execute(context)
    assert restore.execute_complete(context, run_deferred(sandbox, deferred.value))["path"] == "disk:/imports/copy"


def test_deferrable_follows_airflows_default_deferrable(monkeypatch):
    from airflow_provider_social.sensors.yandex_disk import YandexDiskPathSensor

    assert YandexDiskCopyOperator(task_id="a", source="x", destination="y").deferrable is False
    monkeypatch.setenv("AIRFLOW__OPERATORS__DEFAULT_DEFERRABLE", "True")
    assert YandexDiskCopyOperator(task_id="b", source="x", destination="y").deferrable is True
    assert YandexDiskCopyOperator(task_id="c", source="x", destination="y", deferrable=False).deferrable is False
    assert YandexDiskPathSensor(task_id="d", path="x").deferrable is True


# ------------------------------------------------------------- issue 20: rendered garbage, refused before any request
#: Rendered garbage for a Disk path (wrong types, empty, huge, bracketed junk, another scheme, dot segments, a NUL).
DISK_PATH_GARBAGE = [5, True, None, "", "   ", ["a"], "[1, 2]", "{'a': 1}", "ftp://example.com/a", "a/../b",
                     "a" * 300, "x/" * 17000, "bad\x00name", "a\ud800b"]
#: The same, for a path that must name a resource (the disk's root is not one to delete, copy, publish or write).
RESOURCE_PATH_GARBAGE = [*DISK_PATH_GARBAGE, "disk:/", "/", "app:/"]
CONN_ID_GARBAGE = [5, True, "", "[junk", "two words", "x" * 300, "['yandex_disk_default']"]
NAME_GARBAGE = [5, True, "", "a/b", "a" * 300, "..", ".", "[1, 2]", "bad\x00name", "a\ud800b"]
#: Placeholders, made real under tmp_path: an existing directory, a missing parent, a file as a parent, and a
#: directory holding a directory where the download would land.
DIR, MISSING_PARENT, FILE_PARENT, DIR_IN_THE_WAY = "<dir>", "<missing>/out.csv", "<file>/out.csv", "<dir-in-the-way>"

DISK_GARBAGE = {
    YandexDiskUploadOperator: {
        "local_path": [7, True, "", "[junk", "['/no/such/file.csv']", "[{'a': 1}]", "{'a': 1}", DIR, "x" * 5000,
                       "relative/missing.csv", [], "[" * 100_000 + "]" * 100_000, "~no-such-user-xy/a.csv"],
        "remote_folder": DISK_PATH_GARBAGE,
        "yandex_disk_conn_id": CONN_ID_GARBAGE,
    },
    YandexDiskDownloadOperator: {
        "remote_path": RESOURCE_PATH_GARBAGE,
        "local_path": [5, True, None, "", "   ", ["a"], "[1, 2]", "relative.csv", MISSING_PARENT, FILE_PARENT,
                       DIR_IN_THE_WAY, "x" * 5000, "bad\x00name", "~no-such-user-xy/out.csv"],
        "yandex_disk_conn_id": CONN_ID_GARBAGE,
    },
    YandexDiskCreateFolderOperator: {"path": DISK_PATH_GARBAGE, "yandex_disk_conn_id": CONN_ID_GARBAGE},
    YandexDiskDeleteOperator: {"path": RESOURCE_PATH_GARBAGE, "yandex_disk_conn_id": CONN_ID_GARBAGE},
    YandexDiskCopyOperator: {"source": RESOURCE_PATH_GARBAGE, "destination": RESOURCE_PATH_GARBAGE,
                             "yandex_disk_conn_id": CONN_ID_GARBAGE},
    YandexDiskMoveOperator: {"source": RESOURCE_PATH_GARBAGE, "destination": RESOURCE_PATH_GARBAGE,
                             "yandex_disk_conn_id": CONN_ID_GARBAGE},
    YandexDiskPublishOperator: {"path": RESOURCE_PATH_GARBAGE, "yandex_disk_conn_id": CONN_ID_GARBAGE},
    YandexDiskUploadFromUrlOperator: {
        "url": [5, True, None, "", "ftp://example.com/a.zip", "not a url", "http://", "[junk]",
                "['https://example.com/a.zip']", "https://exa mple.com/a", f"https://{'a' * 300}.com/x",
                "https://example.com/\x00", "https://example.com/\ud800"],
        "remote_path": RESOURCE_PATH_GARBAGE,
        "yandex_disk_conn_id": CONN_ID_GARBAGE,
    },
    YandexDiskSavePublicOperator: {
        "public_key": [5, True, None, "", "   ", "ftp://yadi.sk/d/abc", "[1, 2]", "{'a': 1}", "key with spaces",
                       "x" * 40000, "a\ud800b"],
        "path": [5, True, "[1, 2]", "../x", "a/../b", "x/" * 17000, "a" * 300, "bad\x00name"],
        "name": NAME_GARBAGE,
        "save_path": [5, True, "ftp://example.com/a", "a/../b", "[1, 2]", "a" * 300, "bad\x00name"],
        "yandex_disk_conn_id": CONN_ID_GARBAGE,
    },
    YandexDiskRestoreOperator: {
        "trash_path": [5, True, None, "", "trash:/", "trash:/a/b", "disk:/x", "[1, 2]", "trash:/..", "x" * 40000,
                       "trash:/bad\x00name"],
        "name": NAME_GARBAGE,
        "yandex_disk_conn_id": CONN_ID_GARBAGE,
    },
}
#: Valid arguments of each operator; the garbage replaces one of them.
DISK_VALID = {
    YandexDiskUploadOperator: {"local_path": "<file>", "remote_folder": "disk:/in"},
    YandexDiskDownloadOperator: {"remote_path": "disk:/in/a.csv", "local_path": "<dir>"},
    YandexDiskCreateFolderOperator: {"path": "disk:/new"},
    YandexDiskDeleteOperator: {"path": "disk:/old"},
    YandexDiskCopyOperator: {"source": "disk:/a", "destination": "disk:/b"},
    YandexDiskMoveOperator: {"source": "disk:/a", "destination": "disk:/b"},
    YandexDiskPublishOperator: {"path": "disk:/a"},
    YandexDiskUploadFromUrlOperator: {"url": "https://example.com/a.zip", "remote_path": "disk:/a.zip"},
    YandexDiskSavePublicOperator: {"public_key": "https://yadi.sk/d/abc"},
    YandexDiskRestoreOperator: {"trash_path": "trash:/a_0123"},
}


def real_value(value, tmp_path):
    """A placeholder made real under ``tmp_path`` (anything else unchanged)."""
    if not isinstance(value, str) or not value.startswith("<"):
        return value
    (tmp_path / "dir").mkdir(exist_ok=True)
    (tmp_path / "file").write_text("a,b\n")
    (tmp_path / "in-the-way" / "a.csv").mkdir(parents=True, exist_ok=True)
    real = {DIR: tmp_path / "dir", "<file>": tmp_path / "file", MISSING_PARENT: tmp_path / "missing" / "out.csv",
            FILE_PARENT: tmp_path / "file" / "out.csv", DIR_IN_THE_WAY: tmp_path / "in-the-way"}
    return str(real[value])


@pytest.mark.parametrize("operator", list(DISK_VALID))
def test_the_garbage_table_covers_every_templated_field(operator):
    assert set(DISK_GARBAGE[operator]) == set(operator.template_fields)


def assert_refused_before_any_request(sandbox, build, field):
    refused_before_any_request(sandbox, build, field, "Yandex Disk")


@pytest.mark.parametrize(("operator", "field", "value"), list(garbage_cases(DISK_GARBAGE)))
def test_rendered_garbage_in_a_templated_field_is_an_input_error_before_any_request(disk_conn, sandbox, context,
                                                                                    tmp_path, operator, field, value):
    kwargs = {name: real_value(v, tmp_path) for name, v in {**DISK_VALID[operator], field: value}.items()}
    assert_refused_before_any_request(sandbox, lambda: operator(task_id="t", **kwargs).execute(context), field)


def test_lists_rendered_as_a_python_repr_are_read(disk_conn, files, context, hook):
    # "{{ params.files }}" renders a list as its repr, not JSON
    local = str([str(files / "a.csv"), str(files / "notes.txt")])
    result = YandexDiskUploadOperator(task_id="up", local_path=local, remote_folder="repr").execute(context)
    assert [r["path"] for r in result] == ["disk:/repr/a.csv", "disk:/repr/notes.txt"]
    as_json = YandexDiskUploadOperator(task_id="up2", local_path=f'["{files / "b.csv"}"]', remote_folder="json")
    assert [r["path"] for r in as_json.execute(context)] == ["disk:/json/b.csv"]


def test_a_download_onto_a_directory_is_refused_before_the_transfer(disk_conn, files, context, hook, sandbox,
                                                                      tmp_path):
    hook.upload_file(files / "a.csv", "x/a.csv", parents=True)
    (tmp_path / "out" / "a.csv").mkdir(parents=True)
    op = YandexDiskDownloadOperator(task_id="dl", remote_path="x/a.csv", local_path=str(tmp_path / "out"))
    assert_refused_before_any_request(sandbox, lambda: op.execute(context), "local_path")
    assert (tmp_path / "out" / "a.csv").is_dir()
