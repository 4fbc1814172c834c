"""Yandex Disk's call table: every API call the hook makes, declared once, and the one way they are sent.

Each row is an :class:`~airflow_provider_social.core.calls.ApiCall` named after the operation shown in errors.
Everything that is not data lives here: the method, the path, the token (none for upload/download links, which are
credentials themselves and only ever logged by host), whether a lost answer may be repeated, and the link policy
that retries a lapsed link (404/410) as well as 429 and 5xx.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.hooks.yandex_disk.policy import LINK_POLICY

if TYPE_CHECKING:
    import requests

    from airflow_provider_social.core.http import Transport

T = TypeVar("T")


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


class YandexDiskClient:
    """The one way a Disk API call is sent: the declared calls of :data:`CALLS`, by name.

    :param send: runs a declared call through the connection's transport with the credentials of its token kind
        (the hook's :meth:`~airflow_provider_social.hooks.base.SocialHook.call_api`).
    :param transport: the connection's transport, asked for on first use (building it reads the Connection).
    """

    def __init__(self, send: Callable[..., Any], transport: Callable[[], Transport]) -> None:
        self._send = send
        self._transport = transport

    def call(self, name: str, **options: Any) -> requests.Response:
        """Run the declared call ``name`` with its data (``params``, ``path_params``, ``url``, ``body``, ...).

        :param name: the operation name, a key of :data:`CALLS`.
        """
        return self._send(CALLS[name], **options)

    def send(self, call: ApiCall, **options: Any) -> requests.Response:
        """Run a call of the table adjusted for one use (a copy that may overwrite is safe to repeat).

        :param call: the call, a row of :data:`CALLS` or a variant of one.
        """
        return self._send(call, **options)

    def send_to_link(self, name: str, href: str, **options: Any) -> Any:
        """One attempt of the declared link call ``name`` (no token: the href is the credential) to ``href``.

        :param name: ``upload file``, ``read bytes`` or ``download file``.
        :param href: the link the API handed out.
        """
        return self._send(CALLS[name], url=href, retries=False, **options)

    def with_retries(self, name: str, attempt: Callable[[], T]) -> T:
        """Run ``attempt`` within the connection's retry budget (multi-step operations: a link, then its use).

        :param name: the operation, named in errors and logs.
        :param attempt: one try; raises :class:`~airflow_provider_social.core.http.RetryableError` to ask for another.
        """
        return self._transport().with_retries(name, attempt)
