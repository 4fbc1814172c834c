"""The trash: what is in it, restoring from it, deleting from it for good."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ConflictError
from airflow_provider_social.hooks.yandex_disk.paths import (
    _check_page_size,
    _clean,
    _flag,
    _trash_path,
    name_value,
    parent_path,
)
from airflow_provider_social.hooks.yandex_disk.resources import refine_conflict

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient
    from airflow_provider_social.hooks.yandex_disk.operations import YandexDiskOperations


@dataclass(eq=False)
class YandexDiskTrash:
    """The trash (``trash:/`` paths as :meth:`list_trash` returns them).

    :param client: sends the declared calls.
    :param operations: finishes the calls that may answer 202 (restore, delete, empty).
    """

    client: YandexDiskClient
    operations: YandexDiskOperations

    def list_trash(self, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Everything in the trash (``trash:/name_<hash>`` paths with ``origin_path`` and ``deleted``).

        :param page_size: items per request (1-10000).
        """
        _check_page_size(page_size)
        offset = 0
        while True:
            params = {"path": "trash:/", "limit": page_size, "offset": offset}
            body = self.client.call("list trash", params=params).json()
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
        if name is not None:
            name_value(name)
        item = self.client.call("get trash item", params={"path": trash, "fields": "origin_path"}).json()
        origin = item.get("origin_path")
        target = f"{parent_path(origin)}/{name}".replace(":///", ":/") if origin and name else origin
        params = _clean({"path": trash, "name": name, "overwrite": _flag(overwrite)})
        try:
            response = self.client.call("restore from trash", params=params)
        except ConflictError as exc:
            raise refine_conflict(exc, "name", target or trash) from None
        return self.operations.finish(response, target, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def delete_from_trash(self, trash_path: str, *, wait: bool = True, poll_interval: float = 1.0,
                          timeout: float | None = None) -> dict[str, Any]:
        """Delete one trashed resource for good.

        :param trash_path: ``trash:/<name>`` as :meth:`list_trash` returns it.
        :param wait: wait for an asynchronous (202) operation.
        :param poll_interval: seconds between status checks.
        :param timeout: give up waiting after this many seconds.
        """
        trash = _trash_path(trash_path)
        response = self.client.call("delete from trash", params={"path": trash})
        return self.operations.finish(response, trash, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def empty_trash(self, *, wait: bool = True, poll_interval: float = 1.0, timeout: float | None = None
                    ) -> dict[str, Any]:
        """Delete everything in the trash for good (asynchronous when the trash is not empty).

        :param wait: wait for an asynchronous (202) operation.
        :param poll_interval: seconds between status checks.
        :param timeout: give up waiting after this many seconds.
        """
        response = self.client.call("empty trash")
        return self.operations.finish(response, "trash:/", wait=wait, poll_interval=poll_interval, timeout=timeout)
