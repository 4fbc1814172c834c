"""Operators for Yandex Disk: upload, download, folders, delete, copy, move, publish, upload from URL, save a
public resource, restore from the trash.

Each is a thin shell over one :class:`~airflow_provider_social.hooks.yandex_disk.YandexDiskHook` method: inputs are
validated before any network call, every user-facing argument is templated, and the XCom value is a small dict
(paths, sizes, md5, public URLs, operation ids) — never a token or an upload/download href.

Operations Yandex may run asynchronously (copy, move, delete, upload from URL, save public, restore) take
``deferrable=True``: the task starts the operation, hands the operation id to
:class:`~airflow_provider_social.triggers.yandex_disk.YandexDiskOperationTrigger` and frees its worker slot until
Yandex is done. Without it the task polls itself every ``poll_interval`` seconds.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Callable, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.deferral import default_deferrable
from airflow_provider_social.core.hook_mixin import ServiceHookMixin
from airflow_provider_social.hooks.yandex_disk.connection import CONNECTION_FORM, SERVICE_NAME
from airflow_provider_social.links.yandex_disk import PUBLIC_URL_XCOM_KEY, YandexDiskPublicLink

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook  # noqa: F401 - named in a base below

DEFAULT_CONN_ID = "yandex_disk_default"
#: The service named in errors.
SERVICE = SERVICE_NAME


class YandexDiskHookMixin(ServiceHookMixin["YandexDiskHook"]):
    """The Yandex Disk connection of an operator or sensor: ``yandex_disk_conn_id`` and its hook (built once per
    task; the rendered id is checked first: an empty or junk id is an input error)."""

    conn_id_field = "yandex_disk_conn_id"
    service = SERVICE
    connection_form = CONNECTION_FORM


class YandexDiskBaseOperator(YandexDiskHookMixin, BaseOperator):
    """Shared plumbing: the connection id and a hook built once per task.

    What an operator creates on Disk is announced as an Asset event ``yadisk://<conn>@/<path>`` (extra: ``size``,
    ``md5`` where known) through the task's ``outlets``: an ``AssetAlias`` gets every created file, an ``Asset``
    with the same URI gets the extra (:func:`~airflow_provider_social.core.lineage.emit_assets`).

    :param yandex_disk_conn_id: the connection (default ``yandex_disk_default``).
    """

    template_fields: Sequence[str] = ("yandex_disk_conn_id",)
    ui_color = "#ffdb4d"

    def __init__(self, *, yandex_disk_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.yandex_disk_conn_id = yandex_disk_conn_id

    def announce(self, context: Context, created: Callable[[], list[tuple[str, dict[str, Any]]]]) -> None:
        """Emit Asset events for created Disk paths, given as ``(disk path, extra)``.

        :param context: the task's Airflow context.
        :param created: gives the Disk paths created and each event's extra (called only when outlets exist).
        """
        from airflow_provider_social.core.lineage import CreatedAsset, disk_uri, emit_assets

        if not self.outlets:  # nothing declared: no events, and no call made to describe them
            return
        conn_id = self.hook.yandex_disk_conn_id
        emit_assets(self.outlets, context, [CreatedAsset(disk_uri(conn_id, path), extra) for path, extra in created()])

    def created(self, result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The Disk paths a finished result created, with each Asset event's extra (none by default).

        :param result: the operator's result.
        """
        return []


class YandexDiskAsyncOperator(YandexDiskBaseOperator):
    """Base of operators whose call may answer 202: wait in the task, or defer to the trigger.

    :param deferrable: hand the wait to the triggerer (no worker slot held while Yandex works); default: the
        ``[operators] default_deferrable`` setting.
    :param poll_interval: seconds between operation status checks.
    :param operation_timeout: give up waiting after this many seconds (None: no limit of our own).
    """

    def __init__(
        self,
        *,
        deferrable: bool | None = None,
        poll_interval: float = 5.0,
        operation_timeout: float | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self.poll_interval, self.operation_timeout = poll_interval, operation_timeout

    def start(self, wait: bool) -> dict[str, Any]:
        """Call the hook; with ``wait=False`` return as soon as Yandex accepted the work.

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        raise NotImplementedError

    def execute(self, context: Context) -> dict[str, Any]:
        """Start the work; defer to the trigger while Yandex finishes it.

        :param context: the task's Airflow context.
        """
        result = self.start(wait=not self.deferrable)
        if result.get("status") == "in-progress" and result.get("operation_id"):
            from airflow_provider_social.triggers.yandex_disk import YandexDiskOperationTrigger

            self.log.info("Yandex Disk is working on operation %s; deferring", result["operation_id"])
            self.defer(
                trigger=YandexDiskOperationTrigger(
                    operation_id=result["operation_id"],
                    yandex_disk_conn_id=self.yandex_disk_conn_id,
                    poll_interval=self.poll_interval,
                    timeout=self.operation_timeout,
                    result={**result, "status": "success"},
                ),
                method_name="execute_complete",
                timeout=timedelta(seconds=self.operation_timeout) if self.operation_timeout else None,
            )
        self.announce(context, lambda: self.created(result))
        return result

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Resume after the trigger: the result, or the operation's failure.

        :param context: the task's Airflow context.
        :param event: the trigger's event.
        """
        from airflow_provider_social.hooks.yandex_disk import SERVICE, OperationFailedError

        if event.get("status") != "success":
            raise OperationFailedError(
                event.get("message") or f"operation {event.get('operation_id')} ended as {event.get('status')}",
                service=SERVICE, operation=self.task_id,
            )
        result = dict(event["result"])
        self.announce(context, lambda: self.created(result))
        return result


# -------------------------------------------------------------------------------------------------- upload


def expand_local_paths(local_path: Any) -> list[Any]:
    """A file, a list of files, or glob patterns -> the files, in order, each once; ValidationError if none.

    A list rendered into the field as JSON or as a Python repr (``{{ params.files }}``) is read as the list. Besides
    local paths and patterns, an item may be an ``ObjectStoragePath``, a storage or http(s) URL or a binary file
    object with a name: it is opened and checked now (:func:`~airflow_provider_social.core.sources.media_source`)
    and returned as a source.
    """
    from airflow_provider_social.core.errors import input_error
    from airflow_provider_social.core.rendered import as_list
    from airflow_provider_social.core.sources import MediaSource, media_source
    from airflow_provider_social.core.uploads import check_local_file

    patterns = as_list(local_path, "local_path", service=SERVICE)
    if not patterns:
        raise input_error("local_path", "no files given", service=SERVICE)
    files: list[Any] = []
    for number, pattern in enumerate(patterns):
        if pattern is None or isinstance(pattern, (bool, int, float, list, tuple, dict, bytes, bytearray)) or (
                isinstance(pattern, str) and not pattern.strip()):
            shown = repr(pattern) if len(repr(pattern)) <= 60 else repr(pattern)[:59] + "…"
            raise input_error("local_path", f"item {number} is not a file path or pattern: {type(pattern).__name__} "
                              f"{shown}", service=SERVICE)
        if not isinstance(pattern, (str, os.PathLike)) or (isinstance(pattern, str) and "://" in pattern):
            source = media_source(pattern, field="local_path", service=SERVICE, allow_empty=True)
            if source.name == "blob":
                raise input_error("local_path", f"{source.label} has no file name to upload it under; use "
                                  "YandexDiskHook.upload_file with a remote path", service=SERVICE)
            files.append(source)
            continue
        pattern = os.path.expanduser(str(pattern))
        if glob.has_magic(pattern):
            matched = sorted(p for p in glob.glob(pattern, recursive=True) if os.path.isfile(p))
            if not matched:
                raise input_error("local_path", f"the pattern {pattern[:200]!r} matches no file", service=SERVICE)
        else:
            matched = [str(check_local_file(pattern, field="local_path", service=SERVICE))]
        files += [p for p in matched if p not in files]
    names = [p.name if isinstance(p, MediaSource) else os.path.basename(p) for p in files]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise input_error("local_path", f"several files are named {duplicates}; they would overwrite each other in "
                          "one remote folder", service=SERVICE)
    return files


class YandexDiskUploadOperator(YandexDiskAsyncOperator):
    """Upload a file, a list of files, or glob matches into a remote folder (created if missing); besides local
    paths, files may be ``ObjectStoragePath`` or storage URLs (``s3://conn@bucket/key``), http(s) URLs or named
    binary file objects.

    Each file streams in one raw PUT (memory stays flat) and is retried with a fresh upload link on failures.
    Yandex may answer a large upload 202 (received, not yet moved into Disk): the task waits for the upload's
    operation, or with ``deferrable=True`` uploads the remaining files and then defers to
    :class:`~airflow_provider_social.triggers.yandex_disk.YandexDiskOperationTrigger` for each pending one.

    :param local_path: a path, a glob (``/data/*.csv``, ``**`` allowed), a storage or http(s) URL, or a list of
        them (a JSON or Python list string when templated).
    :param remote_folder: the target folder, e.g. ``disk:/Backups/{{ ds }}``.
    :param overwrite: replace files that exist (else the task fails naming the file).
    :param parents: create the folder and its parents if missing.
    :param avoid_throttle: upload names Yandex throttles to 128 KiB/s (``.zip``, ``.gz``, ``.mp4``, ...) under a
        temporary name and rename them (see ``YandexDiskHook.upload_file``); False uploads under the final name.
    :return: ``[{"local_path", "path", "size", "md5"}, ...]``; each file is also an Asset event (see
        :class:`YandexDiskBaseOperator`).
    """

    template_fields: Sequence[str] = ("local_path", "remote_folder", "yandex_disk_conn_id")

    def __init__(
        self,
        *,
        local_path: str | Sequence[str],
        remote_folder: str,
        overwrite: bool = False,
        parents: bool = True,
        avoid_throttle: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.local_path, self.remote_folder, self.overwrite = local_path, remote_folder, overwrite
        self.parents, self.avoid_throttle = parents, avoid_throttle

    def execute(self, context: Context) -> list[dict[str, Any]]:  # type: ignore[override]
        """Upload every file (all inputs checked first); defer on pending ones.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.yandex_disk import UPLOAD_WAIT_TIMEOUT, disk_path

        folder = disk_path(self.remote_folder, "remote_folder")
        files = expand_local_paths(self.local_path)  # every input checked before the first upload
        if self.parents:
            self.hook.create_folder(folder, parents=True, exist_ok=True)
        results = []
        for local in files:
            name = getattr(local, "name", None) or os.path.basename(local)
            target = f"{folder.rstrip('/')}/{name}"
            uploaded = self.hook.upload_file(local, target, overwrite=self.overwrite, wait=not self.deferrable,
                                             poll_interval=self.poll_interval,
                                             timeout=self.operation_timeout or UPLOAD_WAIT_TIMEOUT,
                                             avoid_throttle=self.avoid_throttle)
            self.log.info("Uploaded %s -> %s (%d bytes, %s)", local, uploaded["path"], uploaded["size"],
                          f"md5 {uploaded['md5']}" if uploaded["status"] == "success" else "Yandex is storing it")
            entry = {"local_path": getattr(local, "label", local), "path": uploaded["path"], "size": uploaded["size"],
                     "md5": uploaded["md5"]}
            if uploaded["status"] == "in-progress":
                entry["operation_id"] = uploaded["operation_id"]
            results.append(entry)
        return self._finish_or_defer(context, results)

    def _finish_or_defer(self, context: Context, results: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Defer on the first upload Yandex is still moving into Disk; return the results once none is left."""
        pending = [r for r in results if r.get("operation_id")]
        if not pending:
            self.announce(context, lambda: [(r["path"], {"size": r["size"], "md5": r["md5"]}) for r in results])
            return results
        from airflow_provider_social.triggers.yandex_disk import YandexDiskOperationTrigger

        self.log.info("Yandex Disk is still storing %s; deferring", pending[0]["path"])
        self.defer(
            trigger=YandexDiskOperationTrigger(
                operation_id=pending[0]["operation_id"], yandex_disk_conn_id=self.yandex_disk_conn_id,
                poll_interval=self.poll_interval, timeout=self.operation_timeout, result=results,
            ),
            method_name="execute_complete",
            timeout=timedelta(seconds=self.operation_timeout) if self.operation_timeout else None,
        )
        raise AssertionError("unreachable: defer() raises")  # pragma: no cover

    def execute_complete(self, context: Context, event: dict[str, Any]) -> list[dict[str, Any]]:  # type: ignore[override]
        """Resume after one pending upload landed (or failed); defer on the next.

        :param context: the task's Airflow context.
        :param event: the trigger's event.
        """
        from airflow_provider_social.hooks.yandex_disk import SERVICE, OperationFailedError

        results = [dict(r) for r in event["result"]]
        entry = next(r for r in results if r.get("operation_id") == event.get("operation_id"))
        if event.get("status") != "success":
            raise OperationFailedError(
                f"remote_path: Yandex accepted the upload of {entry['path']!r} (HTTP 202) but did not put it into "
                f"Disk: {event.get('message') or event.get('status')}", service=SERVICE, operation=self.task_id,
            )
        stored = self.hook.check_uploaded(entry["path"], entry["size"])
        entry["md5"] = stored["md5"]
        del entry["operation_id"]
        return self._finish_or_defer(context, results)


class YandexDiskDownloadOperator(YandexDiskBaseOperator):
    """Download a file to a local path (or into a local directory, keeping its name), or to an object in any store
    Airflow's object storage knows (an ``ObjectStoragePath`` or a URL such as ``s3://aws_default@bucket/key``; one
    ending with ``/`` keeps the name). Written under a temporary name and moved into place: a broken transfer
    leaves no partial file or object under the final name.

    :param remote_path: the file on Disk. Templated.
    :param local_path: a file path, an existing directory (keeps the name), or a storage path or URL. Templated.
    :param overwrite: replace an existing file.
    :return: ``{"path", "local_path", "size"}``; the written file or object is also an Asset event (extra:
        ``size``, ``source``) for the task's ``AssetAlias`` outlets.
    """

    template_fields: Sequence[str] = ("remote_path", "local_path", "yandex_disk_conn_id")

    def __init__(self, *, remote_path: str, local_path: Any, overwrite: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.remote_path, self.local_path, self.overwrite = remote_path, local_path, overwrite

    def execute(self, context: Context) -> dict[str, Any]:
        """Download the file.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.core.lineage import announce_output, disk_uri

        result = self.hook.download_file(self.remote_path, self.local_path, overwrite=self.overwrite)
        announce_output(self, result["local_path"], {
            "size": result["size"], "source": disk_uri(self.hook.yandex_disk_conn_id, result["path"])}, context)
        return result


class YandexDiskCreateFolderOperator(YandexDiskBaseOperator):
    """Create a folder (with its parents by default); an existing folder is fine unless ``exist_ok=False``.

    :param path: the folder. Templated.
    :param parents: create missing parents too.
    :param exist_ok: an existing folder is not an error.
    :return: ``{"path", "created"}``.
    """

    template_fields: Sequence[str] = ("path", "yandex_disk_conn_id")

    def __init__(self, *, path: str, parents: bool = True, exist_ok: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path, self.parents, self.exist_ok = path, parents, exist_ok

    def execute(self, context: Context) -> dict[str, Any]:
        """Create the folder.

        :param context: the task's Airflow context.
        """
        return self.hook.create_folder(self.path, parents=self.parents, exist_ok=self.exist_ok)


class YandexDiskDeleteOperator(YandexDiskAsyncOperator):
    """Delete a file or folder: to the trash, or ``permanently``. Non-empty folders are deleted asynchronously.

    :param missing_ok: a missing path is not an error.
    :param path: the file or folder. Templated.
    :param permanently: skip the trash.
    :return: ``{"path", "operation_id", "status", "deleted"}``.
    """

    template_fields: Sequence[str] = ("path", "yandex_disk_conn_id")

    def __init__(self, *, path: str, permanently: bool = False, missing_ok: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path, self.permanently, self.missing_ok = path, permanently, missing_ok

    def start(self, wait: bool) -> dict[str, Any]:
        """None

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        from airflow_provider_social.core.errors import NotFoundError

        try:
            result = self.hook.delete(self.path, permanently=self.permanently, wait=wait,
                                      poll_interval=self.poll_interval, timeout=self.operation_timeout)
        except NotFoundError:
            if not self.missing_ok:
                raise
            return {"path": self.path, "operation_id": None, "status": "success", "deleted": False}
        return {**result, "deleted": True}


class YandexDiskCopyOperator(YandexDiskAsyncOperator):
    """Copy a file or folder; folders may be copied asynchronously (``deferrable=True`` frees the worker).

    :param source: what to copy. Templated.
    :param destination: the new path. Templated.
    :param overwrite: replace what is at ``destination``.
    :param parents: create the destination's missing parent folders.
    :return: ``{"source", "path", "operation_id", "status"}``; the destination is also an Asset event (extra:
        ``source``), see :class:`YandexDiskBaseOperator`.
    """

    template_fields: Sequence[str] = ("source", "destination", "yandex_disk_conn_id")
    _method = "copy"

    def __init__(
        self, *, source: str, destination: str, overwrite: bool = False, parents: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.source, self.destination, self.overwrite, self.parents = source, destination, overwrite, parents

    def start(self, wait: bool) -> dict[str, Any]:
        """None

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        call = getattr(self.hook, self._method)
        return call(self.source, self.destination, overwrite=self.overwrite, parents=self.parents, wait=wait,
                    poll_interval=self.poll_interval, timeout=self.operation_timeout)

    def created(self, result: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
        """The destination, with the source and (for a file) its size and md5 in the extra.

        :param result: the operator's result.
        """
        from airflow_provider_social.core.lineage import disk_uri

        meta = self.hook.get_metadata(result["path"], fields="type,size,md5")
        extra: dict[str, Any] = {"source": disk_uri(self.hook.yandex_disk_conn_id, result["source"])}
        if meta.get("type") == "file":
            extra.update(size=meta.get("size"), md5=meta.get("md5"))
        return [(result["path"], extra)]


class YandexDiskMoveOperator(YandexDiskCopyOperator):
    """Move or rename a file or folder (same arguments and result as :class:`YandexDiskCopyOperator`)."""

    _method = "move"


class YandexDiskPublishOperator(YandexDiskBaseOperator):
    """Publish a file or folder; the task gets a "Yandex Disk public link" button.

    :param path: the file or folder. Templated.
    :return: ``{"path", "public_url"}`` (the URL also goes to XCom key ``public_url``).
    """

    template_fields: Sequence[str] = ("path", "yandex_disk_conn_id")
    operator_extra_links = (YandexDiskPublicLink(),)

    def __init__(self, *, path: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path = path
        self.public_url: str | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        """Publish and push the public URL to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.yandex_disk import disk_path

        path = disk_path(self.path, "path")
        self.public_url = self.hook.publish(path)
        context["ti"].xcom_push(key=PUBLIC_URL_XCOM_KEY, value=self.public_url)
        self.log.info("Published %s at %s", path, self.public_url)
        return {"path": path, "public_url": self.public_url}


class YandexDiskUploadFromUrlOperator(YandexDiskAsyncOperator):
    """Let Yandex download ``url`` into ``remote_path`` (always asynchronous at Yandex).

    The URL is not returned to XCom (it may carry a signature).

    :param url: an http(s) URL Yandex can reach. Templated.
    :param remote_path: where the file goes. Templated.
    :param parents: create missing parent folders first.
    :return: ``{"path", "operation_id", "status"}``.
    """

    template_fields: Sequence[str] = ("url", "remote_path", "yandex_disk_conn_id")

    def __init__(self, *, url: str, remote_path: str, parents: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.url, self.remote_path, self.parents = url, remote_path, parents

    def start(self, wait: bool) -> dict[str, Any]:
        """None

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        return self.hook.upload_from_url(self.url, self.remote_path, parents=self.parents, wait=wait,
                                         poll_interval=self.poll_interval, timeout=self.operation_timeout)


class YandexDiskSavePublicOperator(YandexDiskAsyncOperator):
    """Save a public file or folder (by key or public URL) to your disk: Downloads unless ``save_path`` is given.

    :param public_key: the key or public URL. Templated.
    :param path: a path inside a public folder, to save only that. Templated.
    :param name: the saved resource's name. Templated.
    :param save_path: the folder to save into (default Downloads). Templated.
    :return: ``{"path", "operation_id", "status"}``.
    """

    template_fields: Sequence[str] = ("public_key", "path", "name", "save_path", "yandex_disk_conn_id")

    def __init__(
        self, *, public_key: str, path: str | None = None, name: str | None = None, save_path: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.public_key, self.path, self.name, self.save_path = public_key, path, name, save_path

    def start(self, wait: bool) -> dict[str, Any]:
        """None

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        return self.hook.save_public_to_disk(self.public_key, path=self.path, name=self.name,
                                             save_path=self.save_path, wait=wait, poll_interval=self.poll_interval,
                                             timeout=self.operation_timeout)


class YandexDiskRestoreOperator(YandexDiskAsyncOperator):
    """Restore a resource from the trash to where it was (optionally under a new ``name``).

    :param trash_path: ``trash:/<name>`` as ``list_trash`` returns it. Templated.
    :param name: restore under this name. Templated.
    :param overwrite: replace what is there now.
    :return: ``{"path", "operation_id", "status"}``.
    """

    template_fields: Sequence[str] = ("trash_path", "name", "yandex_disk_conn_id")

    def __init__(self, *, trash_path: str, name: str | None = None, overwrite: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.trash_path, self.name, self.overwrite = trash_path, name, overwrite

    def start(self, wait: bool) -> dict[str, Any]:
        """None

        :param wait: wait for an asynchronous (202) operation here; False returns as soon as Yandex accepted it.
        """
        return self.hook.restore_from_trash(self.trash_path, name=self.name, overwrite=self.overwrite, wait=wait,
                                            poll_interval=self.poll_interval, timeout=self.operation_timeout)
