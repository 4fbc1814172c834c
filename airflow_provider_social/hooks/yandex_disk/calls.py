"""Yandex Disk's call table: every API call the hook makes, declared once, and the one way they are sent.

Each row is an :class:`~airflow_provider_social.core.calls.ApiCall` named after the operation shown in errors.
Everything that is not data lives here: the method, the path, the token (none for upload/download links, which are
credentials themselves and only ever logged by host), whether a lost answer may be repeated, and the link policy
that retries a lapsed link (404/410) as well as 429 and 5xx.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.hooks.yandex_disk.auth import YandexDiskAuth
from airflow_provider_social.hooks.yandex_disk.policy import LINK_POLICY

if TYPE_CHECKING:
    import requests


def _table(*calls: ApiCall) -> dict[str, ApiCall]:
    return {call.name: call for call in calls}


#: Operation name -> call. Creates (POST) are not repeated after a lost answer unless the call says so.
CALLS: dict[str, ApiCall] = _table(
    ApiCall("get disk info", "GET", "/v1/disk"),
    ApiCall("get metadata", "GET", "/v1/disk/resources"),
    ApiCall("create folder", "PUT", "/v1/disk/resources"),
    ApiCall("delete", "DELETE", "/v1/disk/resources"),
    # copy/move are repeated after a lost answer only with overwrite=True (see YandexDiskResources._transfer).
    ApiCall("copy", "POST", "/v1/disk/resources/copy", idempotent=False),
    ApiCall("move", "POST", "/v1/disk/resources/move", idempotent=False),
    ApiCall("list files", "GET", "/v1/disk/resources/files"),
    ApiCall("list last uploaded", "GET", "/v1/disk/resources/last-uploaded"),
    ApiCall("list public", "GET", "/v1/disk/resources/public"),
    ApiCall("get upload link", "GET", "/v1/disk/resources/upload"),
    ApiCall("upload from URL", "POST", "/v1/disk/resources/upload", idempotent=False),
    ApiCall("get download link", "GET", "/v1/disk/resources/download"),
    ApiCall("publish", "PUT", "/v1/disk/resources/publish"),
    ApiCall("unpublish", "PUT", "/v1/disk/resources/unpublish"),
    ApiCall("get public metadata", "GET", "/v1/disk/public/resources"),
    ApiCall("get public download link", "GET", "/v1/disk/public/resources/download"),
    ApiCall("save public to disk", "POST", "/v1/disk/public/resources/save-to-disk", idempotent=False),
    ApiCall("list trash", "GET", "/v1/disk/trash/resources"),
    ApiCall("get trash item", "GET", "/v1/disk/trash/resources"),
    ApiCall("restore from trash", "PUT", "/v1/disk/trash/resources/restore"),
    ApiCall("delete from trash", "DELETE", "/v1/disk/trash/resources"),
    ApiCall("empty trash", "DELETE", "/v1/disk/trash/resources"),
    ApiCall("get operation status", "GET", "/v1/disk/operations/{operation_id}"),
    # Links handed out by the API: the URL is the credential, so no token and only the host is logged.
    ApiCall("upload file", "PUT", "", token=None, signed_url=True, policy=LINK_POLICY),
    ApiCall("read bytes", "GET", "", token=None, signed_url=True, policy=LINK_POLICY),
    ApiCall("download file", "GET", "", token=None, signed_url=True, stream=True, policy=LINK_POLICY),
)


class YandexDiskCalls(YandexDiskAuth):
    """The one way a Disk API call is sent."""

    calls: ClassVar[dict[str, ApiCall]] = CALLS

    def _call(self, name: str, **options: Any) -> requests.Response:
        """Run the declared call ``name`` with its data (``params``, ``path_params``, ``url``, ``body``, ...)."""
        return self.call_api(self.calls[name], **options)
