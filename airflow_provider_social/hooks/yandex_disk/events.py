"""New or changed files in a Disk folder, found by a cursor on the listing: modification time, then ``md5``.

Yandex Disk has no event feed for a folder, so a watcher lists it newest first (``sort=-modified``) and stops at
the cursor's mark: a file counts when it was modified after the mark, or at the mark itself but with a path and
``md5`` the cursor has not seen there. A re-upload under the same name gets a new modification time (and usually
a new ``md5``), so it counts again; the same bytes written twice within one second count once.

The cursor is ``{"mark": <ISO modified>, "at_mark": [[path, md5], ...]}``; it is kept in the connection's token
store by the trigger (:mod:`airflow_provider_social.triggers.yandex_disk_events`).
"""

from __future__ import annotations

import fnmatch
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.yandex_disk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.yandex_disk.paths import disk_path

#: The listing fields a watcher reads and hands on (never ``file``: a download link is a credential).
FIELDS = ["name", "path", "type", "created", "modified", "md5", "sha256", "size", "mime_type", "media_type",
          "resource_id", "revision"]
PAGE_SIZE = 100


def _when(item: dict[str, Any]) -> datetime:
    return datetime.fromisoformat(str(item["modified"]))


@dataclass(frozen=True)
class FolderWatch:
    """Which files of a folder a watcher reports.

    :param path: the folder (``disk:/Inbox``, ``app:/uploads``).
    :param name_pattern: only files whose name matches this shell pattern (``*.csv``); None: every file.
    """

    path: str
    name_pattern: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", disk_path(self.path, "path"))
        if self.name_pattern is not None and (not isinstance(self.name_pattern, str) or not self.name_pattern):
            raise input_error("name_pattern", f"a shell pattern such as '*.csv', got {self.name_pattern!r}",
                              service=SERVICE)

    def wanted(self, item: dict[str, Any]) -> bool:
        """Whether a listing item is a file this watcher reports.

        :param item: one item of the folder listing.
        """
        if item.get("type") != "file":
            return False
        return self.name_pattern is None or fnmatch.fnmatchcase(str(item.get("name", "")), self.name_pattern)

    def first_cursor(self, newest_first: Iterable[dict[str, Any]]) -> dict[str, Any]:
        """The cursor of a watcher starting now: everything already there counts as seen.

        :param newest_first: the folder listing, newest first.
        """
        cursor: dict[str, Any] = {"mark": None, "at_mark": []}
        for item in newest_first:
            if not self.wanted(item):
                continue
            if cursor["mark"] is None:
                cursor["mark"] = item["modified"]
            if _when(item) < datetime.fromisoformat(cursor["mark"]):
                break
            cursor["at_mark"].append([item["path"], item.get("md5")])
        return cursor

    def changes(self, newest_first: Iterable[dict[str, Any]], cursor: dict[str, Any]) -> list[dict[str, Any]]:
        """The files new or changed since ``cursor``, oldest first (the order they are reported in).

        :param newest_first: the folder listing, newest first (read only as far as the mark).
        :param cursor: from :meth:`first_cursor` or :meth:`advance`.
        """
        mark = datetime.fromisoformat(cursor["mark"]) if cursor.get("mark") else None
        seen = {tuple(pair) for pair in cursor.get("at_mark") or []}
        found = []
        for item in newest_first:
            if mark is not None and _when(item) < mark:
                break
            if not self.wanted(item):
                continue
            if mark is not None and _when(item) == mark and (item["path"], item.get("md5")) in seen:
                continue
            found.append(item)
        return sorted(found, key=lambda item: (_when(item), item["path"]))

    @staticmethod
    def advance(cursor: dict[str, Any], item: dict[str, Any]) -> dict[str, Any]:
        """The cursor once ``item`` (the oldest unreported change) was handed to Airflow.

        :param cursor: the current cursor.
        :param item: the reported file.
        """
        pair = [item["path"], item.get("md5")]
        if cursor.get("mark") and _when(item) == datetime.fromisoformat(cursor["mark"]):
            return {"mark": cursor["mark"], "at_mark": [*cursor.get("at_mark", []), pair]}
        return {"mark": item["modified"], "at_mark": [pair]}


def event_payload(item: dict[str, Any]) -> dict[str, Any]:
    """What a file event carries: its metadata (no download link).

    :param item: the listing item.
    """
    return {key: item[key] for key in FIELDS if key in item}


def newest_first(iter_folder: Callable[..., Iterator[dict[str, Any]]], path: str) -> Iterator[dict[str, Any]]:
    """The folder's items, newest first, page by page as the caller reads on.

    :param iter_folder: the hook's ``iter_folder``.
    :param path: the folder.
    """
    return iter_folder(path, page_size=PAGE_SIZE, sort="-modified", fields=FIELDS)


__all__ = ["FIELDS", "FolderWatch", "event_payload", "newest_first"]
