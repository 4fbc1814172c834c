"""Yandex Disk (REST API v1) and Yandex ID OAuth.

Auth: ``Authorization: OAuth <token>``. Tokens live a year; Yandex returns a new refresh token on each refresh and
we keep the newest through the token store. Facts and sources: shared/reference/twitter_x_yandex.md sections 7-8.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PayloadTooLargeError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    SocialApiError,
    ValidationError,
    error_body,
    input_error,
)
from airflow_provider_social.core.masking import redact_url
from airflow_provider_social.core.oauth import AuthorizationPending, DeviceCode, OAuth2Client, TokenAuth
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.yandex_disk_limits import AccountLimits, uploader_error

if TYPE_CHECKING:
    import requests

SERVICE = "Yandex Disk"
#: How long an upload answered 202 (received, not yet in Disk) is waited for by default, in seconds.
UPLOAD_WAIT_TIMEOUT = 600.0
#: Upload and download links: besides 429 and 5xx (507, no space, is final), 404/410 mean the link lapsed, and
#: every attempt fetches a fresh one.
LINK_RETRY_STATUSES = frozenset({404, 410, 429} | set(range(500, 600)) - {507})

# One table from the API's `error` names to our error classes (the API's English description is kept as message).
YANDEX_DISK_ERRORS: dict[str, type[SocialApiError]] = {
    "FieldValidationError": ValidationError,
    "UnauthorizedError": AuthenticationError,
    "DiskSymlinkPasswordRequiredError": PermissionDeniedError,
    "DiskUnsupportedUserAccountTypeError": PermissionDeniedError,
    "ForbiddenError": PermissionDeniedError,
    "DiskNotFoundError": NotFoundError,
    "DiskOperationNotFoundError": NotFoundError,
    "DiskPathDoesntExistsError": ConflictError,  # 409: the parent folder is missing
    "DiskPathPointsToExistentDirectoryError": ConflictError,
    "DiskResourceAlreadyExistsError": ConflictError,
    "MD5DifferError": ConflictError,
    "DiskResourceLockedError": ConflictError,
    "DiskUploadTrafficLimitExceeded": RateLimitError,
    "TooManyRequestsError": RateLimitError,
    "DiskResourceDownloadLimitExceededError": RateLimitError,
    "PayloadTooLargeError": PayloadTooLargeError,
    "InsufficientStorageError": QuotaExceededError,
    "DiskServiceUnavailableError": ServerError,
}

_HINTS = {
    "UnauthorizedError": "the OAuth token is missing, expired or revoked; run `airflow social auth yandex`",
    "DiskPathDoesntExistsError": "create the parent folder first, or pass parents=True",
    "DiskResourceAlreadyExistsError": "pass overwrite=True to replace it",
    "DiskPathPointsToExistentDirectoryError": "the path is a folder; choose a file path",
}


def yandex_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """Parse Yandex error bodies: Disk ``{message, description, error}``, Yandex ID ``{error, error_description}``."""
    body = error_body(response)
    if isinstance(body, ApiErrorInfo):
        return body
    code = body.get("error")
    message = body.get("description") or body.get("error_description") or body.get("message") or str(code or "")
    return ApiErrorInfo(
        code=code,
        message=str(message),
        error_class=YANDEX_DISK_ERRORS.get(str(code)),
        hint=_HINTS.get(str(code), ""),
    )


def _device_flow_error(exc: SocialApiError) -> SocialApiError:
    """A clear message for each way Yandex ID ends a device flow (its own codes and RFC 8628's alike)."""
    reasons = {
        "access_denied": ("access was denied on the confirmation page", "run the command again and press Allow"),
        "bad_verification_code": (
            "Yandex ID does not recognise the device code (bad_verification_code)",
            "run the command again to get a new code; do not edit the code it polls with",
        ),
        "invalid_grant": (
            f"the device code is expired or already used ({exc.api_message})",
            "run the command again to get a new code",
        ),
        "expired_token": (
            f"the device code expired ({exc.api_message})", "run the command again and approve the code sooner"
        ),
    }
    if exc.api_code not in reasons:
        return exc
    message, hint = reasons[str(exc.api_code)]
    return AuthenticationError(message, service=SERVICE, operation="device authorization", api_code=exc.api_code,
                               hint=hint)


class YandexDiskHook(SocialHook):
    """Yandex Disk through the REST API v1, with Yandex ID token refresh.

    Connection ``yandex_disk``: ``password`` holds the OAuth access token; extras ``refresh_token``,
    ``client_id``, ``client_secret`` (needed to refresh), ``api_base_url``, ``oauth_base_url``, ``timeout``.

    :param yandex_disk_conn_id: the Connection ID, default ``yandex_disk_default``.
    """

    conn_name_attr = "yandex_disk_conn_id"
    default_conn_name = "yandex_disk_default"
    conn_type = "yandex_disk"
    hook_name = "Yandex Disk"

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": "https://cloud-api.yandex.net",
        "oauth_base_url": "https://oauth.yandex.ru",
    }
    error_parser = staticmethod(yandex_error_parser)
    reauth_command = "airflow social auth yandex --conn-id {conn_id}"

    def __init__(self, yandex_disk_conn_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(conn_id=yandex_disk_conn_id, **kwargs)
        self.yandex_disk_conn_id = self.conn_id

    # ---------------------------------------------------------------------------------------------- auth
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """Yandex ID: token, device-code and revoke endpoints, client credentials from the Connection."""
        oauth = self.endpoint("oauth_base_url")
        return OAuth2Client(
            self.transport,
            token_url=f"{oauth}/token",
            device_code_url=f"{oauth}/device/code",
            revoke_url=f"{oauth}/revoke_token",
            client_id=self.extra("client_id"),
            client_secret=self.secret_extra("client_secret"),
            client_auth="body",
        )

    @cached_property
    def token_manager(self) -> TokenManager:
        seed = TokenSet(
            access_token=self.connection.password or None,
            refresh_token=self.secret_extra("refresh_token"),
            expires_at=float(self.extra("expires_at")) if self.extra("expires_at") else None,
        )
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self._refresh if can_refresh else None)

    @classmethod
    def for_authorization(
        cls,
        *,
        conn_id: str,
        client_id: str,
        client_secret: str,
        oauth_base_url: str | None = None,
        **kwargs: Any,
    ) -> YandexDiskHook:
        """A hook for the first authorisation, before the Connection holds any token (used by the CLI)."""
        from airflow.sdk import Connection

        hook = cls(conn_id, **kwargs)
        extra = {"client_id": client_id, "client_secret": client_secret}
        if oauth_base_url:
            extra["oauth_base_url"] = oauth_base_url
        hook.__dict__["connection"] = Connection(conn_id=conn_id, conn_type=cls.conn_type, extra=json.dumps(extra))
        return hook

    def authorize_device(
        self,
        on_code: Callable[[DeviceCode], None],
        *,
        device_id: str | None = None,
        device_name: str | None = None,
    ) -> TokenSet:
        """Run the Yandex ID device-code flow: request a code, let ``on_code`` show it, poll until approved.

        Polls at the server's ``interval``; the device code goes in the ``code`` form field (Yandex's spelling).
        A ``slow_down`` answer adds 5 s to the interval for the rest of the flow (RFC 8628 section 3.5; Yandex
        documents no slow_down but says it "may respond with an error" to faster polls, so both are handled).

        :param on_code: shows the user the verification URL and code.
        :param device_id: Yandex's optional device identifier (6-50 characters), to tie the token to a device.
        :param device_name: the device's name shown in the user's Yandex ID settings.
        """
        device = self.oauth_client.start_device_flow(device_id=device_id, device_name=device_name)
        on_code(device)
        deadline = self.clock() + device.expires_in
        interval = device.interval
        while True:
            self.sleep(interval)
            try:
                return self.oauth_client.poll_device_token(device, grant_type="device_code", code_param="code")
            except AuthorizationPending as pending:
                if pending.api_code == "slow_down":
                    interval += 5
                if self.clock() >= deadline:
                    raise AuthenticationError(
                        f"the code {device.user_code} was not approved within {int(device.expires_in)} s",
                        service=SERVICE, operation="device authorization", api_code="expired_token",
                        hint="run the command again and approve the code sooner",
                    ) from None
            except SocialApiError as exc:
                raise _device_flow_error(exc) from None

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        return self.oauth_client.refresh(tokens)

    @cached_property
    def auth(self) -> TokenAuth:
        return TokenAuth(self.token_manager, scheme="OAuth")

    def _call(self, method: str, path: str, *, operation: str, **kwargs: Any) -> requests.Response:
        return self.transport.request(
            method, self.url("api_base_url", path), operation=operation, auth=self.auth, **kwargs
        )

    # ---------------------------------------------------------------------------------------------- operations
    def get_disk_info(self) -> dict[str, Any]:
        """Space and account data: ``total_space``, ``used_space``, ``trash_size``, ``max_file_size``, ``user``."""
        return self._call("GET", "/v1/disk", operation="get disk info").json()

    @cached_property
    def account_limits(self) -> AccountLimits:
        """``max_file_size`` and free space, read once per hook, checked before every upload."""
        return AccountLimits(self.get_disk_info)

    def check_connection(self) -> str:
        info = self.get_disk_info()
        login = (info.get("user") or {}).get("login", "unknown user")
        used, total = info.get("used_space", 0), info.get("total_space", 0)
        return f"Connected to Yandex Disk as {login}: {used / 2**30:.2f} of {total / 2**30:.2f} GiB used"

    # ---------------------------------------------------------------------------------------------- folders, metadata
    def _refine(self, exc: SocialApiError, field: str, path: str) -> SocialApiError:
        """Name the argument in the API's 409s, so the user sees which input to change."""
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

    def create_folder(self, path: str, *, parents: bool = False, exist_ok: bool = False) -> dict[str, Any]:
        """Create a folder (``PUT /v1/disk/resources``); ``parents=True`` creates missing parents as well.

        :param path: ``disk:/a/b``, ``/a/b``, ``a/b`` (all on the user's disk) or ``app:/...`` (the app folder).
        :param parents: create every missing folder on the way, like ``mkdir -p``.
        :param exist_ok: an existing folder is not an error (implied for the parents).
        :return: ``{"path": ..., "created": bool}``.
        """
        path = disk_path(path, "path")
        try:
            self._call("PUT", "/v1/disk/resources", operation="create folder", params={"path": path})
            return {"path": path, "created": True}
        except ConflictError as exc:
            if exc.api_code == "DiskPathPointsToExistentDirectoryError" and (exist_ok or parents):
                return {"path": path, "created": False}
            if exc.api_code == "DiskPathDoesntExistsError" and parents:
                self.create_folder(parent_path(path), parents=True)
                return self.create_folder(path, exist_ok=True)
            raise self._refine(exc, "path", path) from None

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
        """
        params = {"path": disk_path(path, "path"), "fields": _fields(fields), "limit": limit, "offset": offset,
                  "sort": sort}
        return self._call("GET", "/v1/disk/resources", operation="get metadata", params=_clean(params)).json()

    def iter_folder(
        self, path: str, *, page_size: int = 100, sort: str | None = None, fields: list[str] | None = None
    ) -> Iterator[dict[str, Any]]:
        """Every item of a folder, fetched page by page (``limit``/``offset``) as you iterate."""
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
        """``"file"``, ``"dir"``, or None when nothing is at ``path``."""
        try:
            return self.get_metadata(path, fields="type")["type"]
        except NotFoundError:
            return None

    def exists(self, path: str) -> bool:
        return self.get_type(path) is not None

    # ---------------------------------------------------------------------------------------------- async operations
    def _operation_id(self, response: requests.Response) -> str:
        href = response.json()["href"]
        return href.rstrip("/").rsplit("/", 1)[-1]

    def _finish(
        self,
        response: requests.Response,
        path: str | None,
        *,
        wait: bool,
        poll_interval: float,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """The result of a call that answers 201/204 (done) or 202 (an operation to wait for, or to hand over)."""
        if response.status_code == 201 and path is None:
            path = _path_from_link(response.json().get("href", ""))
        if response.status_code != 202:
            return {"path": path, "operation_id": None, "status": "success"}
        operation_id = self._operation_id(response)
        if not wait:
            return {"path": path, "operation_id": operation_id, "status": "in-progress"}
        self.wait_for_operation(operation_id, poll_interval=poll_interval, timeout=timeout)
        return {"path": path, "operation_id": operation_id, "status": "success"}

    def get_operation_status(self, operation_id: str) -> str:
        """``"success"``, ``"failed"`` or ``"in-progress"`` (``GET /v1/disk/operations/{id}``).

        :param operation_id: the id, or the operation's href as the API returned it.
        """
        operation_id = operation_id.rstrip("/").rsplit("/", 1)[-1]
        if not operation_id:
            raise input_error("operation_id", "is empty", service=SERVICE)
        body = self._call("GET", f"/v1/disk/operations/{operation_id}", operation="get operation status",
                          params={"fields": "status"}).json()
        status = str(body.get("status"))
        return "failed" if status == "failure" else status  # older docs spelled it "failure"

    def wait_for_operation(
        self, operation_id: str, *, poll_interval: float = 1.0, timeout: float | None = None
    ) -> str:
        """Poll until the operation ends; return ``"success"`` or raise :class:`OperationFailedError`.

        Uses the hook's ``sleep`` and ``clock`` (injectable), so tests never wait on a real clock.
        """
        deadline = None if timeout is None else self.clock() + timeout
        while True:
            status = self.get_operation_status(operation_id)
            if status == "success":
                return status
            if status == "failed":
                raise OperationFailedError(
                    f"operation {operation_id} failed", service=SERVICE, operation="wait for operation",
                    hint="Yandex gives no reason; check the source and target and try again",
                )
            if deadline is not None and self.clock() >= deadline:
                raise OperationFailedError(
                    f"operation {operation_id} still in progress after {timeout:.0f} s", service=SERVICE,
                    operation="wait for operation", api_code="timeout",
                    hint="raise the timeout, or use a deferrable operator",
                )
            self.sleep(poll_interval)

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
        path = disk_path(path, "path")
        params = _clean({"path": path, "permanently": _flag(permanently), "md5": md5})
        response = self._call("DELETE", "/v1/disk/resources", operation="delete", params=params)
        return self._finish(response, path, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def _transfer(
        self, kind: str, source: str, destination: str, *, overwrite: bool, wait: bool, poll_interval: float,
        timeout: float | None, force_async: bool, parents: bool,
    ) -> dict[str, Any]:
        source = disk_path(source, "source")
        destination = disk_path(destination, "destination")
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
            response = self._call("POST", f"/v1/disk/resources/{kind}", operation=kind, params=params,
                                  idempotent=overwrite)
        except ConflictError as exc:
            raise self._refine(exc, "destination", destination) from None
        result = self._finish(response, destination, wait=wait, poll_interval=poll_interval, timeout=timeout)
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
        """
        return self._transfer("move", source, destination, overwrite=overwrite, wait=wait,
                              poll_interval=poll_interval, timeout=timeout, force_async=force_async, parents=parents)

    # ---------------------------------------------------------------------------------------------- lists
    def _pages(self, url_path: str, operation: str, params: dict[str, Any], page_size: int,
               limit: int | None) -> Iterator[dict[str, Any]]:
        _check_page_size(page_size)
        offset, given = 0, 0
        while True:
            size = page_size if limit is None else min(page_size, limit - given)
            if size <= 0:
                return
            body = self._call("GET", url_path, operation=operation,
                              params=_clean({**params, "limit": size, "offset": offset})).json()
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
        """
        params = {"media_type": _media_types(media_type), "sort": sort,
                  "fields": None if not fields else ",".join(f"items.{f}" for f in fields)}
        return self._pages("/v1/disk/resources/files", "list files", params, page_size, limit)

    def list_last_uploaded(self, *, limit: int = 20, media_type: str | list[str] | None = None) -> list[dict[str, Any]]:
        """The most recently uploaded files, newest first (``GET /v1/disk/resources/last-uploaded``)."""
        _check_page_size(limit, "limit")
        params = _clean({"limit": limit, "media_type": _media_types(media_type)})
        body = self._call("GET", "/v1/disk/resources/last-uploaded", operation="list last uploaded", params=params)
        return list(body.json().get("items", []))

    def list_public(self, *, type: str | None = None, page_size: int = 100) -> Iterator[dict[str, Any]]:  # noqa: A002
        """Your published resources (``GET /v1/disk/resources/public``); ``type`` is ``"file"`` or ``"dir"``."""
        if type not in (None, "file", "dir"):
            raise input_error("type", f"must be 'file' or 'dir', got {type!r}", service=SERVICE)
        return self._pages("/v1/disk/resources/public", "list public", {"type": type}, page_size, None)

    # ---------------------------------------------------------------------------------------------- upload
    def _upload_link(self, path: str, overwrite: bool) -> tuple[str, str | None]:
        """(href, operation_id): the upload operation tracks an upload the upload host answers 202."""
        response = self._call(
            "GET", "/v1/disk/resources/upload", operation="get upload link",
            params={"path": path, "overwrite": _flag(overwrite)},
        )
        body = response.json()
        operation_id = body.get("operation_id")
        return str(body["href"]), str(operation_id) if operation_id else None

    def get_upload_link(self, remote_path: str, *, overwrite: bool = False) -> str:
        """A one-use upload href (valid 30 minutes). It is a credential: never log or return it to XCom."""
        path = disk_path(remote_path, "remote_path")
        try:
            href, _operation_id = self._upload_link(path, overwrite)
        except ConflictError as exc:
            raise self._refine(exc, "remote_path", path) from None
        register_secret_url(href)
        return href

    def upload_file(
        self,
        local_path: str | os.PathLike[str],
        remote_path: str,
        *,
        overwrite: bool = False,
        parents: bool = False,
        wait: bool = True,
        poll_interval: float = 1.0,
        timeout: float = UPLOAD_WAIT_TIMEOUT,
    ) -> dict[str, Any]:
        """Upload a local file: get an upload href, then stream the raw bytes in one ``PUT`` with Content-Length.

        Memory stays flat whatever the size. A file over the account's ``max_file_size`` or free space is refused
        before any upload (:class:`PayloadTooLargeError` / :class:`QuotaExceededError`, from the disk info read
        once per hook). On a 5xx, a lapsed link or a dropped connection the whole attempt is repeated with a
        *fresh* link (a href takes one PUT). When the upload host answers 202 (received, not yet moved into Disk)
        the upload's operation is waited for before the file's metadata is read.

        :param local_path: the file to send (a missing file or a directory fails before any network call).
        :param remote_path: where it goes, e.g. ``disk:/Backups/report.csv``.
        :param overwrite: replace an existing file (else :class:`ConflictError` naming ``remote_path``).
        :param parents: create missing parent folders.
        :param wait: wait for a 202 upload to land; with False the result has ``status: "in-progress"`` and the
            ``operation_id`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between operation status checks while waiting.
        :param timeout: give up waiting for a 202 upload after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "size", "md5", "sha256", "operation_id", "status"}`` as Yandex computed them
            (``md5``/``sha256`` are None while ``status`` is ``"in-progress"``).
        """
        from airflow_provider_social.core.uploads import check_local_file

        local = check_local_file(local_path, field="local_path", service=SERVICE)
        path = disk_path(remote_path, "remote_path")
        size = local.stat().st_size
        return self._upload(lambda: _FileStream(local, size), size, path, local.name, "local_path",
                            overwrite=overwrite, parents=parents, wait=wait, poll_interval=poll_interval,
                            timeout=timeout)

    def upload_bytes(
        self, data: bytes, remote_path: str, *, overwrite: bool = False, parents: bool = False, wait: bool = True,
        poll_interval: float = 1.0, timeout: float = UPLOAD_WAIT_TIMEOUT,
    ) -> dict[str, Any]:
        """Upload in-memory bytes (small generated content: reports, markers); same contract as :meth:`upload_file`.

        :param data: the file content.
        :param remote_path: where it goes.
        :param overwrite: replace an existing file.
        :param parents: create missing parent folders.
        :param wait: wait for a 202 upload to land (see :meth:`upload_file`).
        :param poll_interval: seconds between operation status checks while waiting.
        :param timeout: give up waiting for a 202 upload after this many seconds.
        :return: ``{"path", "size", "md5", "sha256", "operation_id", "status"}``.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise input_error("data", f"bytes expected, got {type(data).__name__}", service=SERVICE)
        path = disk_path(remote_path, "remote_path")
        payload = bytes(data)
        return self._upload(lambda: _BytesBody(payload), len(payload), path, "data", "data", overwrite=overwrite,
                            parents=parents, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def _upload(
        self, body_factory: Callable[[], Any], size: int, path: str, shown_name: str, field: str, *,
        overwrite: bool, parents: bool, wait: bool, poll_interval: float, timeout: float,
    ) -> dict[str, Any]:
        """Get a fresh upload link and PUT a fresh body in every attempt; then check what Yandex stored."""
        from airflow_provider_social.core.http import RetryableError

        self.account_limits.check(size, field=field, name=shown_name, overwrite=overwrite)
        if parents:
            parent = parent_path(path)
            if parent not in ("disk:/", "app:/"):
                self.create_folder(parent, parents=True)

        def attempt() -> tuple[int, str | None]:
            try:
                href, operation_id = self._upload_link(path, overwrite)
            except ConflictError as exc:
                raise self._refine(exc, "remote_path", path) from None
            register_secret_url(href)
            try:
                response = self.transport.send(
                    # An empty file is sent as b"": requests would otherwise chunk a zero-length stream.
                    "PUT", href, operation="upload file", body=body_factory if size else None, data=b"",
                    signed_url=True,
                    headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                    retry_statuses=LINK_RETRY_STATUSES,
                )
            except RetryableError as retry:  # 404/410 (a lapsed link), 429, 5xx: a fresh link next time
                retry.error = uploader_error(retry.error, field="remote_path", path=path)
                raise
            except PayloadTooLargeError:
                raise self._too_large(shown_name, size, field) from None
            except QuotaExceededError as refused:
                raise QuotaExceededError(
                    f"{field}: no room on Yandex Disk for {_human(size)}", service=SERVICE,
                    operation="upload file", status_code=507, api_code=refused.api_code,
                    hint="free space (empty the trash) or buy more",
                ) from None
            except SocialApiError as refused:
                raise uploader_error(refused, field="remote_path", path=path) from None
            response.close()
            return response.status_code, operation_id

        status, operation_id = self.transport.with_retries("upload file", attempt)
        if status == 202:  # received, not yet moved into Disk: its metadata would be 404 until the operation ends
            if not wait and operation_id:
                return {"path": path, "size": size, "md5": None, "sha256": None, "operation_id": operation_id,
                        "status": "in-progress"}
            self._wait_for_upload(operation_id, path, poll_interval=poll_interval, timeout=timeout)
        return {**self.check_uploaded(path, size), "operation_id": operation_id if status == 202 else None,
                "status": "success"}

    def _wait_for_upload(self, operation_id: str | None, path: str, *, poll_interval: float, timeout: float) -> None:
        """Until the upload answered 202 is in Disk: its operation, or (no operation id) the file appearing."""
        try:
            if operation_id:
                self.wait_for_operation(operation_id, poll_interval=poll_interval, timeout=timeout)
                return
            deadline = self.clock() + timeout
            while self.get_type(path) != "file":
                if self.clock() >= deadline:
                    raise OperationFailedError(
                        f"still not in Disk after {timeout:.0f} s", service=SERVICE, operation="wait for upload",
                        api_code="timeout", hint="raise the timeout, or use a deferrable operator",
                    )
                self.sleep(poll_interval)
        except OperationFailedError as exc:
            raise OperationFailedError(
                f"remote_path: Yandex accepted the upload of {path!r} (HTTP 202) but did not put it into Disk: "
                f"{exc.api_message}", service=SERVICE, operation="upload file", status_code=202,
                api_code=exc.api_code, hint=exc.hint or "upload again",
            ) from None

    def check_uploaded(self, path: str, size: int) -> dict[str, Any]:
        """``{"path", "size", "md5", "sha256"}`` of an uploaded file, checked against the size sent."""
        meta = self.get_metadata(path, fields="path,size,md5,sha256")
        if meta.get("size") != size:
            raise ServerError(
                f"remote_path: Yandex Disk holds {meta.get('size')} bytes, the local data has {size}",
                service=SERVICE, operation="upload file", hint="upload again with overwrite=True",
            )
        return {"path": meta.get("path", path), "size": size, "md5": meta.get("md5"), "sha256": meta.get("sha256")}

    def _too_large(self, name: str, size: int, field: str = "local_path") -> PayloadTooLargeError:
        try:
            limit = f"the account's limit is {_human(int(self.account_limits.info(refresh=True)['max_file_size']))}"
        except (SocialApiError, KeyError, ValueError):
            limit = "over the account's limit"
        return PayloadTooLargeError(
            f"{field}: {name} is {_human(size)}; {limit}", service=SERVICE, operation="upload file",
            status_code=413, hint="split the file or use an account with a higher limit (Yandex 360: 50 GB)",
        )

    def upload_from_url(
        self, url: str, remote_path: str, *, parents: bool = False, wait: bool = True, poll_interval: float = 1.0,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Let Yandex fetch ``url`` into ``remote_path`` (asynchronous, ``POST /v1/disk/resources/upload``).

        :param url: an ``http://`` or ``https://`` URL Yandex can reach.
        :param remote_path: where the file goes; must not exist yet.
        :param parents: create missing parent folders first.
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "operation_id", "status"}``.
        """
        parts = urlsplit(url or "")
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise input_error("url", "must be an http:// or https:// URL", service=SERVICE)
        path = disk_path(remote_path, "remote_path")
        if parents:
            self.create_folder(parent_path(path), parents=True)
        try:
            response = self._call("POST", "/v1/disk/resources/upload", operation="upload from URL",
                                  params={"url": url, "path": path}, idempotent=False)
        except ConflictError as exc:
            raise self._refine(exc, "remote_path", path) from None
        return self._finish(response, path, wait=wait, poll_interval=poll_interval, timeout=timeout)

    # ---------------------------------------------------------------------------------------------- download
    def get_download_link(self, path: str) -> str:
        """A download href for a file. It is a credential: never log or return it to XCom."""
        response = self._call("GET", "/v1/disk/resources/download", operation="get download link",
                              params={"path": disk_path(path, "path")})
        href = str(response.json()["href"])
        register_secret_url(href)
        return href

    def download_file(self, remote_path: str, local_path: str | os.PathLike[str], *, overwrite: bool = True
                      ) -> dict[str, Any]:
        """Stream a file to ``local_path`` (a file path, or an existing directory to keep the remote name).

        Written to a temporary file beside the target and renamed into place, so a broken download never leaves
        a partial file; redirects are followed; a break is retried with a fresh link. The target never lands
        outside the directory it names.

        :param remote_path: the file on Disk.
        :param local_path: a file path, or an existing directory (the remote name is kept).
        :param overwrite: replace an existing local file (else :class:`ConflictError` before any download).
        :return: ``{"path", "local_path", "size"}``.
        """
        path = disk_path(remote_path, "remote_path")
        target = safe_local_target(local_path, path)
        if target.exists() and not overwrite:
            raise ConflictError(f"local_path: {str(target)!r} exists", service=SERVICE, operation="download file",
                                hint="pass overwrite=True")
        return self._download(lambda: self.get_download_link(path), target, path)

    def read_bytes(self, remote_path: str, *, max_size: int = 64 * 1024 * 1024) -> bytes:
        """A small file's content in memory (use :meth:`download_file` for anything big).

        :param remote_path: the file.
        :param max_size: refuse (before downloading) files larger than this many bytes.
        """
        path = disk_path(remote_path, "remote_path")
        meta = self.get_metadata(path, fields="type,size")
        if meta.get("type") != "file":
            raise input_error("remote_path", f"{path!r} is a folder, not a file", service=SERVICE)
        check = int(meta.get("size") or 0)
        if check > max_size:
            raise PayloadTooLargeError(
                f"remote_path: {path!r} is {_human(check)}, over max_size {_human(max_size)}", service=SERVICE,
                operation="read bytes", hint="use download_file() to stream it to disk",
            )

        def attempt() -> bytes:
            href = self.get_download_link(path)
            return self.transport.send("GET", href, operation="read bytes", signed_url=True,
                                       retry_statuses=LINK_RETRY_STATUSES).content

        return self.transport.with_retries("read bytes", attempt)

    def _download(self, link: Callable[[], str], target: Path, path: str) -> dict[str, Any]:
        from airflow_provider_social.core.uploads import response_blocks, stream_to_file

        def attempt() -> int:
            import requests as _requests
            from urllib3.exceptions import HTTPError

            from airflow_provider_social.core.http import RetryableError

            href = link()
            shown = redact_url(href, signed=True)
            response = self.transport.send("GET", href, operation="download file", stream=True, signed_url=True,
                                           retry_statuses=LINK_RETRY_STATUSES)

            try:
                return stream_to_file(response_blocks(response, CHUNK_SIZE), target)
            except (_requests.RequestException, HTTPError) as exc:
                raise RetryableError(ServerError(f"download from {shown} broke off: {type(exc).__name__}",
                                                 service=SERVICE, operation="download file")) from None
            finally:
                response.close()

        size = self.transport.with_retries("download file", attempt)
        return {"path": path, "local_path": str(target), "size": size}

    # ---------------------------------------------------------------------------------------------- publishing
    def publish(self, path: str) -> str:
        """Publish a file or folder and return its public URL (``PUT /v1/disk/resources/publish``)."""
        path = disk_path(path, "path")
        self._call("PUT", "/v1/disk/resources/publish", operation="publish", params={"path": path})
        return str(self.get_metadata(path, fields="public_url")["public_url"])

    def unpublish(self, path: str) -> None:
        """Make a resource private again (``PUT /v1/disk/resources/unpublish``)."""
        self._call("PUT", "/v1/disk/resources/unpublish", operation="unpublish",
                   params={"path": disk_path(path, "path")})

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
        return self._call("GET", "/v1/disk/public/resources", operation="get public metadata", params=params).json()

    def get_public_download_link(self, public_key: str, *, path: str | None = None) -> str:
        """A download href for a public file (or a file inside a public folder, ``path`` relative to it)."""
        params = _clean({"public_key": _public_key(public_key), "path": path})
        href = str(self._call("GET", "/v1/disk/public/resources/download", operation="get public download link",
                              params=params).json()["href"])
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
            response = self._call("POST", "/v1/disk/public/resources/save-to-disk", operation="save public to disk",
                                  params=params, idempotent=False)
        except ConflictError as exc:
            raise self._refine(exc, "name", f"{folder or 'disk:/Загрузки'}/{name or ''}") from None
        expected = f"{folder.rstrip('/')}/{name}" if folder and name else None
        return self._finish(response, expected, wait=wait, poll_interval=poll_interval, timeout=timeout)

    # ---------------------------------------------------------------------------------------------- trash
    def list_trash(self, *, page_size: int = 100) -> Iterator[dict[str, Any]]:
        """Everything in the trash (``trash:/name_<hash>`` paths with ``origin_path`` and ``deleted``)."""
        _check_page_size(page_size)
        offset = 0
        while True:
            body = self._call("GET", "/v1/disk/trash/resources", operation="list trash",
                              params={"path": "trash:/", "limit": page_size, "offset": offset}).json()
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
        origin = self._call("GET", "/v1/disk/trash/resources", operation="get trash item",
                            params={"path": trash, "fields": "origin_path"}).json().get("origin_path")
        target = f"{parent_path(origin)}/{name}".replace(":///", ":/") if origin and name else origin
        params = _clean({"path": trash, "name": name, "overwrite": _flag(overwrite)})
        try:
            response = self._call("PUT", "/v1/disk/trash/resources/restore", operation="restore from trash",
                                  params=params)
        except ConflictError as exc:
            raise self._refine(exc, "name", target or trash) from None
        return self._finish(response, target, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def delete_from_trash(self, trash_path: str, *, wait: bool = True, poll_interval: float = 1.0,
                          timeout: float | None = None) -> dict[str, Any]:
        """Delete one trashed resource for good."""
        trash = _trash_path(trash_path)
        response = self._call("DELETE", "/v1/disk/trash/resources", operation="delete from trash",
                              params={"path": trash})
        return self._finish(response, trash, wait=wait, poll_interval=poll_interval, timeout=timeout)

    def empty_trash(self, *, wait: bool = True, poll_interval: float = 1.0, timeout: float | None = None
                    ) -> dict[str, Any]:
        """Delete everything in the trash for good (asynchronous when the trash is not empty)."""
        response = self._call("DELETE", "/v1/disk/trash/resources", operation="empty trash")
        return self._finish(response, "trash:/", wait=wait, poll_interval=poll_interval, timeout=timeout)


# -------------------------------------------------------------------------------------------------- helpers

MAX_PATH = 32760  # characters, documented on the upload page
MAX_NAME = 255
CHUNK_SIZE = 1024 * 1024
MEDIA_TYPES = frozenset({
    "audio", "backup", "book", "compressed", "data", "development", "diskimage", "document", "encoded",
    "executable", "flash", "font", "image", "settings", "spreadsheet", "text", "unknown", "video", "web",
})


class OperationFailedError(SocialApiError):
    """An asynchronous Disk operation ended as ``failed`` (or did not end in time)."""


def disk_path(path: Any, field: str = "path") -> str:
    """A Disk path in canonical form (``disk:/a/b`` or ``app:/a``), or a ValidationError naming ``field``.

    Checked before any network call: empty paths, paths over 32760 characters, names over 255, ``.``/``..``.
    """
    if not isinstance(path, str) or not path.strip():
        raise input_error(field, "a remote path is required", service=SERVICE)
    if len(path) > MAX_PATH:
        raise input_error(field, f"the path is {len(path)} characters, over the {MAX_PATH} limit", service=SERVICE)
    scheme, sep, rest = path.partition(":")
    if not (sep and scheme in ("disk", "app")):
        if sep and scheme.isalpha() and rest.startswith("/"):
            raise input_error(field, f"unknown scheme {scheme!r}; use disk:/ or app:/", service=SERVICE)
        scheme, rest = "disk", path
    parts = [p for p in rest.split("/") if p]
    for part in parts:
        if part in (".", ".."):
            raise input_error(field, "relative segments (a dot or two dots) are not allowed", service=SERVICE)
        if len(part) > MAX_NAME:
            problem = f"the name starting {part[:20]!r} is {len(part)} characters, over the {MAX_NAME} limit"
            raise input_error(field, problem, service=SERVICE)
    return f"{scheme}:/" + "/".join(parts)


def parent_path(path: str) -> str:
    scheme, _, rest = path.partition(":/")
    head = rest.rstrip("/").rsplit("/", 1)[0] if "/" in rest.rstrip("/") else ""
    return f"{scheme}:/{head}"


def safe_local_target(local_path: str | os.PathLike[str], remote: str) -> Path:
    """Where a download lands: ``local_path``, or ``local_path/<remote name>`` for a directory, never outside it."""
    if local_path is None or not str(local_path).strip():
        # Path("") is the current directory: the file would land wherever the worker happens to run.
        raise input_error("local_path", f"a local file path or an existing directory is required, got {local_path!r}",
                          service=SERVICE)
    local = Path(local_path).expanduser()
    if local.is_dir() or str(local_path).endswith(os.sep):
        name = remote.rstrip("/").rsplit("/", 1)[-1]
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
            raise input_error("remote_path", f"cannot derive a safe local file name from {remote!r}", service=SERVICE)
        directory = local.resolve()
        target = (directory / name).resolve()
        if target.parent != directory:
            raise input_error("local_path", f"{name!r} would land outside {str(directory)!r}", service=SERVICE)
        return target
    if local.name in ("", ".", ".."):
        raise input_error("local_path", f"{str(local)!r} is not a file path", service=SERVICE)
    directory = local.parent.resolve()
    if not directory.is_dir():
        raise input_error("local_path", f"the directory {str(directory)!r} does not exist", service=SERVICE)
    return directory / local.name


def register_secret_url(href: str) -> None:
    """Upload/download hrefs are credentials (anyone holding one can write/read the file): mask them."""
    from airflow_provider_social.core.masking import register_secret

    register_secret(href, "href")
    path = urlsplit(href).path
    register_secret(path.rsplit("/", 1)[-1], "href")


def _path_from_link(href: str) -> str | None:
    values = parse_qs(urlsplit(href).query).get("path")
    return values[0] if values else None


def _trash_path(path: Any) -> str:
    if not isinstance(path, str) or not path.strip():
        raise input_error("trash_path", "a trash:/ path is required", service=SERVICE)
    rest = path[len("trash:"):] if path.startswith("trash:") else path
    name = rest.strip("/")
    if not name or "/" in name or len(name) > MAX_PATH:
        raise input_error("trash_path", f"expected trash:/<name> as list_trash() returns it, got {path!r}",
                          service=SERVICE)
    return f"trash:/{name}"


def _public_key(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise input_error("public_key", "the public key or public URL is required", service=SERVICE)
    return value.strip()


def _media_types(value: str | list[str] | None) -> str | None:
    if value is None:
        return None
    items = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = sorted(set(items) - MEDIA_TYPES)
    if unknown:
        raise input_error("media_type", f"unknown {unknown}; one of {sorted(MEDIA_TYPES)}", service=SERVICE)
    return ",".join(items) or None


def _fields(fields: str | list[str] | None) -> str | None:
    if fields is None:
        return None
    return fields if isinstance(fields, str) else ",".join(fields)


def _check_page_size(value: int, field: str = "page_size") -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise input_error(field, f"must be an integer from 1 to 10000, got {value!r}", service=SERVICE)


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}


def _human(size: float) -> str:
    from airflow_provider_social.core.uploads import human_size

    return human_size(size)


class _BytesBody:
    """In-memory bytes as an upload body with the same interface as :class:`_FileStream`."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(self._data)
        for start in range(0, len(view), CHUNK_SIZE):
            yield bytes(view[start: start + CHUNK_SIZE])

    def close(self) -> None:
        pass


class _FileStream:
    """A file body for one upload attempt: Content-Length known, read in 1 MiB chunks (fewer syscalls than the
    16 KiB requests would use for a file object), never held in memory."""

    def __init__(self, path: Path, size: int) -> None:
        self._fh = open(path, "rb")  # noqa: SIM115 - closed by the attempt that owns it
        self._size = size

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._fh.read(CHUNK_SIZE):
            yield chunk

    def close(self) -> None:
        self._fh.close()
