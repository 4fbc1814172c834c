"""Yandex Disk upload checks and the upload host's answers, for :class:`.hook.YandexDiskHook`.

* :class:`AccountLimits`: an upload larger than the account's ``max_file_size`` or its free space is refused
  before any upload link is asked for (one ``GET /v1/disk``, cached per hook and fetched again before refusing,
  so a stale cache never refuses an upload that now fits).
* :func:`uploader_error`: the upload host is not the Disk API; its refusals come without the API's JSON body
  (shared/reference/twitter_x_yandex.md section 7, "Upload href semantics"). Each status becomes an error that
  says what happened to which path.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from airflow_provider_social.core.errors import (
    ConflictError,
    PayloadTooLargeError,
    QuotaExceededError,
    SocialApiError,
)
from airflow_provider_social.core.uploads import human_size
from airflow_provider_social.hooks.yandex_disk.connection import SERVICE_NAME

SERVICE = SERVICE_NAME


def _amount(n: int) -> str:
    return f"{human_size(n)} ({n} bytes)"


class AccountLimits:
    """The account's ``max_file_size`` and free space, read from the disk info once per hook.

    :param fetch: reads the disk info (``GET /v1/disk``).
    """

    def __init__(self, fetch: Callable[[], dict[str, Any]]) -> None:
        self._fetch = fetch
        self._info: dict[str, Any] | None = None
        self._lock = threading.Lock()

    def info(self, *, refresh: bool = False) -> dict[str, Any]:
        """The disk info, read once (again with ``refresh``).

        :param refresh: read it again.
        """
        with self._lock:
            if self._info is None or refresh:
                self._info = self._fetch()
            return self._info

    def check(self, size: int, *, field: str, name: str, overwrite: bool) -> None:
        """Raise before any upload when ``size`` exceeds a limit; a cached answer is re-read before refusing.

        With ``overwrite`` the free space is not checked: the file it replaces frees room we cannot see from here
        (the upload host still answers 507 when it does not fit).

        :param size: bytes to upload.
        :param field: the argument named in errors.
        :param name: the file's name in errors.
        :param overwrite: whether an existing file is replaced (its space reused).
        """
        fresh = self._info is None
        refusal = self._refusal(self.info(), size, field=field, name=name, overwrite=overwrite)
        if refusal is not None and not fresh:
            refusal = self._refusal(self.info(refresh=True), size, field=field, name=name, overwrite=overwrite)
        if refusal is not None:
            raise refusal

    @staticmethod
    def _refusal(info: dict[str, Any], size: int, *, field: str, name: str, overwrite: bool) -> SocialApiError | None:
        limit = _int(info.get("max_file_size"))
        if limit is not None and size > limit:
            return PayloadTooLargeError(
                f"{field}: {name} is {_amount(size)}, over the account's max_file_size of {_amount(limit)}",
                service=SERVICE, operation="upload file",
                hint="split the file or use an account with a higher limit (Yandex 360: 50 GB)",
            )
        total, used = _int(info.get("total_space")), _int(info.get("used_space"))
        if overwrite or total is None or used is None:
            return None
        free = max(0, total - used)
        if size > free:
            return QuotaExceededError(
                f"{field}: no room on Yandex Disk for {name}: it is {_amount(size)}, the free space is "
                f"{_amount(free)} (total_space {total} - used_space {used}, the trash included)",
                service=SERVICE, operation="upload file", hint="free space (empty the trash) or buy more",
            )
        return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def uploader_error(error: SocialApiError, *, field: str, path: str) -> SocialApiError:
    """A clear error for the upload host's refusal of a PUT to an upload href (413/507 are handled by the caller).

    404 and 410: the href is unknown or lapsed (the caller retries with a fresh link); 412: it already took its
    PUT; 409: the folder the file goes to no longer exists (or the path is taken).
    """
    status = error.status_code
    common: dict[str, Any] = {"service": SERVICE, "operation": "upload file", "status_code": status}
    if status in (404, 410):
        return SocialApiError(
            f"{field}: the upload link for {path!r} lapsed or is unknown to the upload host (HTTP {status})",
            hint="upload links live 30 minutes and take one PUT; upload_file() asks for a fresh one per attempt",
            **common,
        )
    if status == 412:
        return ConflictError(
            f"{field}: the upload link for {path!r} was already used (one PUT per link)",
            hint="ask for a new link with get_upload_link() for every PUT", **common,
        )
    if status == 409:
        parent = path.rsplit("/", 1)[0]
        parent = parent + "/" if parent.endswith(":") else parent
        return ConflictError(
            f"{field}: the upload host refused {path!r}: its folder {parent!r} no longer exists or the path is taken",
            hint="create the folder (parents=True) or choose another path, then upload again", **common,
        )
    return error
