"""Publishing, public resources and the trash."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from airflow_provider_social.core.errors import (
    ConflictError,
    input_error,
)
from airflow_provider_social.hooks.yandex_disk.paths import (
    MAX_NAME,
    _check_page_size,
    _clean,
    _fields,
    _flag,
    _public_key,
    _trash_path,
    disk_path,
    parent_path,
    register_secret_url,
)
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE
from airflow_provider_social.hooks.yandex_disk.resources import YandexDiskResources


class YandexDiskPublic(YandexDiskResources):
    """Public links and public resources, and the trash."""

    # ---------------------------------------------------------------------------------------------- publishing
    def publish(self, path: str) -> str:
        """Publish a file or folder and return its public URL (``PUT /v1/disk/resources/publish``).

        :param path: the file or folder.
        """
        path = disk_path(path, "path")
        self._call("publish", params={"path": path})
        return str(self.get_metadata(path, fields="public_url")["public_url"])

    def unpublish(self, path: str) -> None:
        """Make a resource private again (``PUT /v1/disk/resources/unpublish``).

        :param path: the file or folder.
        """
        self._call("unpublish", params={"path": disk_path(path, "path")})

    def get_public_metadata(
        self, public_key: str, *, path: str | None = None, fields: str | list[str] | None = None,
        limit: int | None = None, offset: int | None = None,
    ) -> dict[str, Any]:
        """Metadata of a public resource (``GET /v1/disk/public/resources``).

        :param public_key: the key, or the public URL (``https://yadi.sk/d/...``).
        :param path: a path inside a public folder (``/sub/file.txt``).
        :param fields: only these keys.
        :param limit: items per page of a folder listing.
        :param offset: where that page starts.
        """
        params = _clean({"public_key": _public_key(public_key), "path": path, "fields": _fields(fields),
                         "limit": limit, "offset": offset})
        return self._call("get public metadata", params=params).json()

    def get_public_download_link(self, public_key: str, *, path: str | None = None) -> str:
        """A download href for a public file (or a file inside a public folder, ``path`` relative to it).

        :param public_key: the key or public URL.
        :param path: a file inside a public folder.
        """
        params = _clean({"public_key": _public_key(public_key), "path": path})
        href = str(self._call("get public download link", params=params).json()["href"])
        register_secret_url(href)
        return href

    def save_public_to_disk(
        self, public_key: str, *, path: str | None = None, name: str | None = None, save_path: str | None = None,
        wait: bool = True, poll_interval: float = 1.0, timeout: float | None = None,
    ) -> dict[str, Any]:
        """Copy a public resource to your disk (``Загрузки``/Downloads unless ``save_path`` names a folder).

        :param public_key: the key or the public URL.
        :param path: a path inside a public folder, to save only that.
        :param name: the saved resource's name (default: the public one).
        :param save_path: the folder to save into.
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "operation_id", "status"}`` (``path`` is known when Yandex answers at once or
            ``save_path`` and ``name`` are both given).
        """
        if name is not None and ("/" in name or not name or len(name) > MAX_NAME):
            raise input_error("name", f"must be a file name of 1-{MAX_NAME} characters without '/'", service=SERVICE)
        folder = disk_path(save_path, "save_path") if save_path else None
        params = _clean({"public_key": _public_key(public_key), "path": path, "name": name, "save_path": folder})
        try:
            response = self._call("save public to disk", params=params)
        except ConflictError as exc:
            raise self._refine(exc, "name", f"{folder or 'disk:/Загрузки'}/{name or ''}") from None
        expected = f"{folder.rstrip('/')}/{name}" if folder and name else None
        return self._finish(response, expected, wait=wait, poll_interval=poll_interval, timeout=timeout)

    # ---------------------------------------------------------------------------------------------- trash
    def list_trash(self, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Everything in the trash (``trash:/name_<hash>`` paths with ``origin_path`` and ``deleted``).

        :param page_size: items per request (1-10000).
        """
        _check_page_size(page_size)
        offset = 0
        while True:
            body = self._call("list trash", params={"path": "trash:/", "limit": page_size, "offset": offset}).json()
            items = body.get("_embedded", {}).get("items", [])
            yield from items
            offset += len(items)
            if not items or offset >= body.get("_embedded", {}).get("total", 0):
                return

    def restore_from_trash(
        self, trash_path: str, *, name: str | None = None, overwrite: bool = False, wait: bool = True,
        poll_interval: float = 1.0, timeout: float | None = None,
    ) -> dict[str, Any]:
        """Put a trashed resource back at its original place (optionally under ``name``).

        :param trash_path: ``trash:/<name>_<hash>`` as :meth:`list_trash` returns it.
        :param name: restore under this name (same folder).
        :param overwrite: replace what is there now.
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "operation_id", "status"}``.
        """
        trash = _trash_path(trash_path)
        if name is not None and ("/" in name or not name or len(name) > MAX_NAME):
            raise input_error("name", f"must be a file name of 1-{MAX_NAME} characters without '/'", service=SERVICE)
        origin = self._call("get trash item", params={"path": trash, "fields": "origin_path"}).json().get("origin_path")
        target = f"{parent_path(origin)}/{name}".replace(":///", ":/") if origin and name else origin
        params = _clean({"path": trash, "name": name, "overwrite": _flag(overwrite)})
        try:
            response = self._call("restore from trash", params=params)
        except ConflictError as exc:
            raise self._refine(exc, "name", target or trash) from None
        return self._finish(response, target, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def delete_from_trash(self, trash_path: str, *, wait: bool = True, poll_interval: float = 1.0,
                          timeout: float | None = None) -> dict[str, Any]:
        """Delete one trashed resource for good.

        :param trash_path: ``trash:/<name>`` as :meth:`list_trash` returns it.
        :param wait: wait for an asynchronous (202) operation.
        :param poll_interval: seconds between status checks.
        :param timeout: give up waiting after this many seconds.
        """
        trash = _trash_path(trash_path)
        response = self._call("delete from trash", params={"path": trash})
        return self._finish(response, trash, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def empty_trash(self, *, wait: bool = True, poll_interval: float = 1.0, timeout: float | None = None
                    ) -> dict[str, Any]:
        """Delete everything in the trash for good (asynchronous when the trash is not empty).

        :param wait: wait for an asynchronous (202) operation.
        :param poll_interval: seconds between status checks.
        :param timeout: give up waiting after this many seconds.
        """
        response = self._call("empty trash")
        return self._finish(response, "trash:/", wait=wait, poll_interval=poll_interval, timeout=timeout)
