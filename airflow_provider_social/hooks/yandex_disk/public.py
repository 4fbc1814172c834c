"""Publishing and public resources: public links, their metadata and downloads, saving them to your disk."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ConflictError
from airflow_provider_social.hooks.yandex_disk.paths import (
    _clean,
    _fields,
    _public_key,
    disk_path,
    inner_path,
    name_value,
    register_secret_url,
    resource_path,
)
from airflow_provider_social.hooks.yandex_disk.resources import refine_conflict

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient
    from airflow_provider_social.hooks.yandex_disk.operations import YandexDiskOperations
    from airflow_provider_social.hooks.yandex_disk.resources import YandexDiskResources


@dataclass(eq=False)
class YandexDiskPublic:
    """Public links and public resources.

    :param client: sends the declared calls.
    :param resources: reads a published resource's metadata (its public URL).
    :param operations: finishes a save that may answer 202.
    """

    client: YandexDiskClient
    resources: YandexDiskResources
    operations: YandexDiskOperations

    def publish(self, path: str) -> str:
        """Publish a file or folder and return its public URL (``PUT /v1/disk/resources/publish``).

        :param path: the file or folder.
        """
        path = resource_path(path, "path")
        self.client.call("publish", params={"path": path})
        return str(self.resources.get_metadata(path, fields="public_url")["public_url"])

    def unpublish(self, path: str) -> None:
        """Make a resource private again (``PUT /v1/disk/resources/unpublish``).

        :param path: the file or folder.
        """
        self.client.call("unpublish", params={"path": resource_path(path, "path")})

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
        params = _clean({"public_key": _public_key(public_key), "path": inner_path(path), "fields": _fields(fields),
                         "limit": limit, "offset": offset})
        return self.client.call("get public metadata", params=params).json()

    def get_public_download_link(self, public_key: str, *, path: str | None = None) -> str:
        """A download href for a public file (or a file inside a public folder, ``path`` relative to it).

        :param public_key: the key or public URL.
        :param path: a file inside a public folder.
        """
        params = _clean({"public_key": _public_key(public_key), "path": inner_path(path)})
        href = str(self.client.call("get public download link", params=params).json()["href"])
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
        key = _public_key(public_key)
        inner = inner_path(path)
        if name is not None:
            name_value(name)
        folder = disk_path(save_path, "save_path") if save_path is not None and save_path != "" else None
        params = _clean({"public_key": key, "path": inner, "name": name, "save_path": folder})
        try:
            response = self.client.call("save public to disk", params=params)
        except ConflictError as exc:
            raise refine_conflict(exc, "name", f"{folder or 'disk:/Загрузки'}/{name or ''}") from None
        expected = f"{folder.rstrip('/')}/{name}" if folder and name else None
        return self.operations.finish(response, expected, wait=wait, poll_interval=poll_interval, timeout=timeout)
