"""Disk resources: account info, folders, metadata, listings, delete, copy and move."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ConflictError,
    NotFoundError,
    SocialApiError,
    input_error,
)
from airflow_provider_social.hooks.yandex_disk.calls import CALLS
from airflow_provider_social.hooks.yandex_disk.paths import (
    _check_page_size,
    _clean,
    _fields,
    _flag,
    _media_types,
    disk_path,
    parent_path,
    resource_path,
)
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient
    from airflow_provider_social.hooks.yandex_disk.operations import YandexDiskOperations


def refine_conflict(exc: SocialApiError, field: str, path: str) -> SocialApiError:
    """Name the argument in the API's 409s, so the user sees which input to change.

    :param exc: the API's error.
    :param field: the argument the user passed.
    :param path: the Disk path it named.
    """
    if exc.api_code == "DiskResourceAlreadyExistsError":
        return ConflictError(
            f"{field}: {path!r} already exists ({exc.api_message})", service=SERVICE, operation=exc.operation,
            status_code=exc.status_code, api_code=exc.api_code, hint="pass overwrite=True to replace it",
        )
    if exc.api_code == "DiskPathDoesntExistsError":
        return ConflictError(
            f"{field}: the folder {parent_path(path)!r} does not exist ({exc.api_message})", service=SERVICE,
            operation=exc.operation, status_code=exc.status_code, api_code=exc.api_code,
            hint="create it first or pass parents=True",
        )
    if exc.api_code == "DiskPathPointsToExistentDirectoryError":
        return ConflictError(
            f"{field}: {path!r} is an existing folder ({exc.api_message})", service=SERVICE,
            operation=exc.operation, status_code=exc.status_code, api_code=exc.api_code,
            hint="choose a file path inside it",
        )
    return exc


@dataclass(eq=False)
class YandexDiskResources:
    """Resources on the disk: info, folders, metadata, listings, delete, copy, move.

    :param client: sends the declared calls.
    :param operations: finishes the calls that may answer 202 (delete, copy, move).
    """

    client: YandexDiskClient
    operations: YandexDiskOperations

    def get_disk_info(self) -> dict[str, Any]:
        """Space and account data: ``total_space``, ``used_space``, ``trash_size``, ``max_file_size``, ``user``."""
        return self.client.call("get disk info").json()

    def check_connection(self) -> str:
        """Read the disk info (the cheapest authenticated call); return the account and its space."""
        info = self.get_disk_info()
        login = (info.get("user") or {}).get("login", "unknown user")
        used, total = info.get("used_space", 0), info.get("total_space", 0)
        return f"Connected to Yandex Disk as {login}: {used / 2**30:.2f} of {total / 2**30:.2f} GiB used"

    # ---------------------------------------------------------------------------------------------- folders, metadata
    def create_folder(self, path: str, *, parents: bool = False, exist_ok: bool = False) -> dict[str, Any]:
        """Create a folder (``PUT /v1/disk/resources``); ``parents=True`` creates missing parents as well.

        :param path: ``disk:/a/b``, ``/a/b``, ``a/b`` (all on the user's disk) or ``app:/...`` (the app folder).
        :param parents: create every missing folder on the way, like ``mkdir -p``.
        :param exist_ok: an existing folder is not an error (implied for the parents).
        :return: ``{"path": ..., "created": bool}``.
        """
        path = disk_path(path, "path")
        if path in ("disk:/", "app:/"):  # a root always exists: no call
            if exist_ok or parents:
                return {"path": path, "created": False}
            raise input_error("path", f"{path!r} is the root of the disk; it exists", service=SERVICE)
        try:
            self.client.call("create folder", params={"path": path})
            return {"path": path, "created": True}
        except ConflictError as exc:
            if exc.api_code == "DiskPathPointsToExistentDirectoryError" and (exist_ok or parents):
                return {"path": path, "created": False}
            if exc.api_code == "DiskPathDoesntExistsError" and parents:
                self.create_folder(parent_path(path), parents=True)
                return self.create_folder(path, exist_ok=True)
            raise refine_conflict(exc, "path", path) from None

    def get_metadata(
        self,
        path: str,
        *,
        fields: str | list[str] | None = None,
        limit: int | None = None,
        offset: int | None = None,
        sort: str | None = None,
    ) -> dict[str, Any]:
        """The resource (``GET /v1/disk/resources``); a folder's first page of items is in ``_embedded``.

        :param fields: only these keys (``"name,_embedded.items.path"`` or a list); saves bandwidth.
        :param limit: items per page of a folder listing (API default 20). Use :meth:`iter_folder` for all.
        :param path: the resource.
        :param offset: where that page starts.
        :param sort: sort key of a folder listing (``name``, ``-created``, ...).
        """
        params = {"path": disk_path(path, "path"), "fields": _fields(fields), "limit": limit, "offset": offset,
                  "sort": sort}
        return self.client.call("get metadata", params=_clean(params)).json()

    def iter_folder(
        self, path: str, *, page_size: int = 100, sort: str | None = None, fields: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a folder, fetched page by page (``limit``/``offset``) as you iterate.

        :param path: the folder.
        :param page_size: items per request (1-10000).
        :param sort: sort key.
        :param fields: only these item keys.
        """
        _check_page_size(page_size)
        wanted = None
        if fields:
            wanted = ",".join(["type", "_embedded.total"] + [f"_embedded.items.{f}" for f in fields])
        offset = 0
        while True:
            meta = self.get_metadata(path, fields=wanted, limit=page_size, offset=offset, sort=sort)
            if meta.get("type") != "dir":
                raise input_error("path", f"{path!r} is a file, not a folder", service=SERVICE)
            items = meta.get("_embedded", {}).get("items", [])
            yield from items
            offset += len(items)
            if not items or offset >= meta["_embedded"].get("total", 0):
                return

    def get_type(self, path: str) -> str | None:
        """``"file"``, ``"dir"``, or None when nothing is at ``path``.

        :param path: the resource.
        """
        try:
            return self.get_metadata(path, fields="type")["type"]
        except NotFoundError:
            return None

    def exists(self, path: str) -> bool:
        """Whether anything is at ``path``.

        :param path: the resource.
        """
        return self.get_type(path) is not None

    # ---------------------------------------------------------------------------------------------- delete, copy, move
    def delete(
        self,
        path: str,
        *,
        permanently: bool = False,
        md5: str | None = None,
        wait: bool = True,
        poll_interval: float = 1.0,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Delete to the trash (default) or ``permanently``; non-empty folders are deleted asynchronously.

        :param path: the file or folder.
        :param permanently: skip the trash.
        :param md5: delete only if the file's md5 matches (409 ``MD5DifferError`` otherwise).
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "operation_id", "status"}``.
        """
        path = resource_path(path, "path")
        params = _clean({"path": path, "permanently": _flag(permanently), "md5": md5})
        response = self.client.call("delete", params=params)
        return self.operations.finish(response, path, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def _transfer(
        self, kind: str, source: str, destination: str, *, overwrite: bool, wait: bool, poll_interval: float,
        timeout: float | None, force_async: bool, parents: bool,
    ) -> dict[str, Any]:
        source = resource_path(source, "source")
        destination = resource_path(destination, "destination")
        if source == destination:  # disk:/a, /a and a are one path (disk_path normalised them)
            raise input_error("destination", f"is the same path as source ({source!r}); {kind} needs another one",
                              service=SERVICE)
        if destination.startswith(source.rstrip("/") + "/"):
            raise input_error("destination", f"{destination!r} is inside source {source!r}; a resource cannot be "
                              f"{'copied' if kind == 'copy' else 'moved'} into itself", service=SERVICE)
        if parents:
            self.create_folder(parent_path(destination), parents=True)
        params = _clean({"from": source, "path": destination, "overwrite": _flag(overwrite),
                         "force_async": _flag(force_async)})
        try:
            # Repeating a copy/move after a lost answer is safe only when it may overwrite what the first made.
            call = replace(CALLS[kind], idempotent=overwrite)
            response = self.client.send(call, params=params)
        except ConflictError as exc:
            raise refine_conflict(exc, "destination", destination) from None
        result = self.operations.finish(response, destination, wait=wait, poll_interval=poll_interval, timeout=timeout)
        return {**result, "source": source}

    def copy(
        self, source: str, destination: str, *, overwrite: bool = False, parents: bool = False, wait: bool = True,
        poll_interval: float = 1.0, timeout: float | None = None, force_async: bool = False,
    ) -> dict[str, Any]:
        """Copy a file or folder (``POST /v1/disk/resources/copy``); folders may be copied asynchronously.

        :param source: what to copy.
        :param destination: the new path (not the folder to copy into).
        :param overwrite: replace what is at ``destination`` (else :class:`ConflictError` naming it).
        :param parents: create the destination's missing parent folders first.
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :param force_async: ask Yandex to run even a quick copy as an operation.
        :return: ``{"source", "path", "operation_id", "status"}``.
        """
        return self._transfer("copy", source, destination, overwrite=overwrite, wait=wait,
                              poll_interval=poll_interval, timeout=timeout, force_async=force_async, parents=parents)

    def move(
        self, source: str, destination: str, *, overwrite: bool = False, parents: bool = False, wait: bool = True,
        poll_interval: float = 1.0, timeout: float | None = None, force_async: bool = False,
    ) -> dict[str, Any]:
        """Move or rename (``POST /v1/disk/resources/move``); folders may be moved asynchronously.

        Arguments and result as :meth:`copy`.

        :param source: what to move.
        :param destination: the new path.
        :param overwrite: replace what is there.
        :param parents: create missing parents first.
        :param wait: wait for an asynchronous (202) operation.
        :param poll_interval: seconds between status checks.
        :param timeout: give up waiting after this many seconds.
        :param force_async: ask Yandex to run it as an operation.
        """
        return self._transfer("move", source, destination, overwrite=overwrite, wait=wait,
                              poll_interval=poll_interval, timeout=timeout, force_async=force_async, parents=parents)

    # ---------------------------------------------------------------------------------------------- lists
    def _pages(self, name: str, params: dict[str, Any], page_size: int,
               limit: int | None) -> Iterator[dict[str, Any]]:
        _check_page_size(page_size)
        offset, given = 0, 0
        while True:
            size = page_size if limit is None else min(page_size, limit - given)
            if size <= 0:
                return
            body = self.client.call(name, params=_clean({**params, "limit": size, "offset": offset})).json()
            items = body.get("items", [])
            yield from items
            given += len(items)
            offset += len(items)
            if len(items) < size:
                return

    def list_files(
        self, *, media_type: str | list[str] | None = None, page_size: int = 100, limit: int | None = None,
        sort: str | None = None, fields: list[str] | None = None,
    ) -> Iterator[dict[str, Any]]:
        """Every file on the disk, flat (``GET /v1/disk/resources/files``), fetched page by page.

        :param media_type: ``"image"``, ``"document"``, ... (or a list); see :data:`MEDIA_TYPES`.
        :param limit: stop after this many files (None: all).
        :param page_size: items per request (1-10000).
        :param sort: sort key.
        :param fields: only these item keys.
        """
        params = {"media_type": _media_types(media_type), "sort": sort,
                  "fields": None if not fields else ",".join(f"items.{f}" for f in fields)}
        return self._pages("list files", params, page_size, limit)

    def list_last_uploaded(self, *, limit: int = 20, media_type: str | list[str] | None = None) -> list[dict[str, Any]]:
        """The most recently uploaded files, newest first (``GET /v1/disk/resources/last-uploaded``).

        :param limit: how many (1-10000).
        :param media_type: only these media types.
        """
        _check_page_size(limit, "limit")
        params = _clean({"limit": limit, "media_type": _media_types(media_type)})
        body = self.client.call("list last uploaded", params=params)
        return list(body.json().get("items", []))

    def list_public(self, *, type: str | None = None, page_size: int = 100) -> Iterator[dict[str, Any]]:  # noqa: A002
        """Your published resources (``GET /v1/disk/resources/public``); ``type`` is ``"file"`` or ``"dir"``.

        :param type: ``file``, ``dir`` or None for both.
        :param page_size: items per request (1-10000).
        """
        if type not in (None, "file", "dir"):
            raise input_error("type", f"must be 'file' or 'dir', got {type!r}", service=SERVICE)
        return self._pages("list public", {"type": type}, page_size, None)
