"""Reads of the whole disk for backup verification and sync jobs: every file (flat), the files changed in a
window, the last uploaded.

``GET /v1/disk/resources/files`` lists every file of the disk flat (no folders), in name order, paged by
``limit``/``offset``; ``GET /v1/disk/resources/last-uploaded`` lists the newest uploads, one page of at most
``limit`` (no ``offset``: a capped list). "Changed in a window" is the flat list kept to files whose ``modified``
falls in ``since <= modified < until``: it sees every change (an upload, an overwrite, a copy) but reads the whole
list, while last-uploaded is one request but sees uploads only and at most ``limit`` of them; a window it cannot
cover whole is reported (the stream's ``stopped``), never silently cut.

Every read asks for the listed items' metadata only (``fields``): never the ``file`` download link, a signed URL
that must not land in an export. Each read is a :class:`~airflow_provider_social.core.reads.ReadStream`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.reads import ReadStream, check_bound, time_window
from airflow_provider_social.hooks.yandex_disk.paths import _check_page_size, _clean, _media_types
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient

#: The metadata every read asks for (the export columns).
FILE_FIELDS = ("path", "name", "size", "mime_type", "media_type", "md5", "sha256", "created", "modified",
               "resource_id", "revision")
#: Items per request of the flat list (its ``limit``; the sandbox allows up to 10,000, Yandex documents no cap).
PAGE_SIZE = 1000


def seconds(stamp: Any) -> float | None:
    """A Disk time (``2026-12-06T21:00:00+00:00``) as unix seconds; None when absent or unreadable."""
    if not isinstance(stamp, str):
        return None
    try:
        return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


class YandexDiskReads:
    """Flat reads of the disk.

    :param client: sends the Disk API's declared calls.
    """

    def __init__(self, client: YandexDiskClient) -> None:
        self.client = client

    def _flat(self, stream: ReadStream[dict[str, Any]], params: dict[str, Any], page_size: int
              ) -> Iterator[dict[str, Any]]:
        offset = 0
        while not stream.spent():
            stream.requests += 1
            body = self.client.call("list files", params=_clean({**params, "limit": page_size,
                                                                  "offset": offset})).json()
            items = body.get("items") or []
            yield from items
            offset += len(items)
            if len(items) < page_size:
                return

    def read_files(self, *, media_type: str | list[str] | None = None, page_size: int = PAGE_SIZE,
                   max_items: int | None = None) -> ReadStream[dict[str, Any]]:
        """Every file of the disk, flat, in name order (``GET /v1/disk/resources/files``, ``page_size`` per
        request), each with :data:`FILE_FIELDS`.

        :param media_type: only these media types (``image``, ``document``, ... or a list).
        :param page_size: files per request (1-10000).
        :param max_items: stop after this many files (None: all).
        """
        limit = check_bound(max_items, field="max_items", service=SERVICE)
        _check_page_size(page_size)
        params = {"media_type": _media_types(media_type), "fields": _item_fields()}
        return ReadStream(SERVICE, "files of the disk", lambda stream: self._flat(stream, params, page_size),
                          limit=limit)

    def read_changed_files(self, *, since: datetime | float | None = None, until: datetime | float | None = None,
                           media_type: str | list[str] | None = None, page_size: int = PAGE_SIZE,
                           max_items: int | None = None) -> ReadStream[dict[str, Any]]:
        """The files whose ``modified`` is ``since <= modified < until`` (an upload, an overwrite, a copy), from
        the flat list read whole.

        :param since: the window's start (aware datetime or unix seconds; None: from the beginning).
        :param until: the window's end, exclusive (None: up to now).
        :param media_type: only these media types.
        :param page_size: files per request (1-10000).
        :param max_items: stop after this many files (None: all).
        """
        limit = check_bound(max_items, field="max_items", service=SERVICE)
        _check_page_size(page_size)
        start, end = time_window(since, until, service=SERVICE)
        params = {"media_type": _media_types(media_type), "fields": _item_fields()}

        def pages(stream: ReadStream[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if start is not None and start == end:
                return
            for item in self._flat(stream, params, page_size):
                modified = seconds(item.get("modified"))
                if modified is not None and (start is None or modified >= start) and (end is None or modified < end):
                    yield item

        return ReadStream(SERVICE, "files changed in the window", pages, limit=limit)

    def read_last_uploaded(self, *, since: datetime | float | None = None, until: datetime | float | None = None,
                           media_type: str | list[str] | None = None, limit: int = PAGE_SIZE,
                           max_items: int | None = None) -> ReadStream[dict[str, Any]]:
        """The newest uploads, newest first (``GET /v1/disk/resources/last-uploaded``, one request of ``limit``),
        kept to ``since <= created < until``. When all ``limit`` items are newer than ``since``, older uploads of
        the window may be missing: the stream's report says so (use :meth:`read_changed_files` for a complete
        window).

        :param since: the window's start (aware datetime or unix seconds).
        :param until: the window's end, exclusive.
        :param media_type: only these media types.
        :param limit: how many uploads to ask for (1-10000).
        :param max_items: stop after this many files (None: all that were listed).
        """
        bound = check_bound(max_items, field="max_items", service=SERVICE)
        _check_page_size(limit, "limit")
        start, end = time_window(since, until, service=SERVICE)
        params = _clean({"limit": limit, "media_type": _media_types(media_type), "fields": _item_fields()})

        def pages(stream: ReadStream[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if start is not None and start == end:
                return
            stream.requests += 1
            items = self.client.call("list last uploaded", params=params).json().get("items") or []
            oldest: float | None = None
            for item in items:
                created = seconds(item.get("created"))
                oldest = created if oldest is None or (created is not None and created < oldest) else oldest
                if created is not None and (start is None or created >= start) and (end is None or created < end):
                    yield item
            if len(items) >= limit and (start is None or (oldest is not None and oldest >= start)):
                stream.cut_short(f"the list of the last {limit} uploads ended before the window's start; older "
                                 "uploads may be missing (raise limit, or read_changed_files for the whole window)")

        return ReadStream(SERVICE, "last uploaded files", pages, limit=bound)


def _item_fields() -> str:
    return ",".join(f"items.{name}" for name in FILE_FIELDS)


__all__ = ["FILE_FIELDS", "PAGE_SIZE", "YandexDiskReads", "seconds"]
