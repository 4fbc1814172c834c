"""Yandex Disk (REST API v1) and Yandex ID OAuth.

Auth: ``Authorization: OAuth <token>``. Tokens live a year; Yandex returns a new refresh token on each refresh and
we keep the newest through the token store. Facts and sources: shared/reference/twitter_x_yandex.md sections 7-8.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

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
)
from airflow_provider_social.core.oauth import AuthorizationPending, DeviceCode, OAuth2Client, TokenAuth
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.base import SocialHook

if TYPE_CHECKING:
    import requests

SERVICE = "Yandex Disk"

# One table from the API's `error` names to our error classes (the API's English description is kept as message).
YANDEX_DISK_ERRORS: dict[str, type[SocialApiError]] = {
    "FieldValidationError": ValidationError,
    "UnauthorizedError": AuthenticationError,
    "DiskSymlinkPasswordRequiredError": PermissionDeniedError,
    "DiskUnsupportedUserAccountTypeError": PermissionDeniedError,
    "ForbiddenError": PermissionDeniedError,
    "DiskNotFoundError": NotFoundError,
    "DiskOperationNotFoundError": NotFoundError,
    "DiskPathDoesntExistsError": NotFoundError,
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
    try:
        body = response.json()
    except ValueError:
        return ApiErrorInfo(message=(response.text or response.reason or "")[:300])
    if not isinstance(body, dict):
        return ApiErrorInfo(message=str(body)[:300])
    code = body.get("error")
    message = body.get("description") or body.get("error_description") or body.get("message") or str(code or "")
    return ApiErrorInfo(
        code=code,
        message=str(message),
        error_class=YANDEX_DISK_ERRORS.get(str(code)),
        hint=_HINTS.get(str(code), ""),
    )


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
        """
        device = self.oauth_client.start_device_flow(device_id=device_id, device_name=device_name)
        on_code(device)
        deadline = self.clock() + device.expires_in
        while True:
            self.sleep(device.interval)
            try:
                return self.oauth_client.poll_device_token(device, grant_type="device_code", code_param="code")
            except AuthorizationPending:
                if self.clock() >= deadline:
                    raise AuthenticationError(
                        f"the code {device.user_code} was not approved within {int(device.expires_in)} s",
                        service=SERVICE, operation="device authorization", api_code="expired_token",
                        hint="run the command again and approve the code sooner",
                    ) from None
            except SocialApiError as exc:
                if exc.api_code == "access_denied":
                    raise AuthenticationError(
                        "access was denied on the confirmation page", service=SERVICE,
                        operation="device authorization", api_code=exc.api_code,
                        hint="run the command again and press Allow",
                    ) from None
                if exc.api_code in ("expired_token", "invalid_grant", "bad_verification_code"):
                    raise AuthenticationError(
                        f"the device code is no longer valid ({exc.api_message})", service=SERVICE,
                        operation="device authorization", api_code=exc.api_code,
                        hint="run the command again to get a new code",
                    ) from None
                raise

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

    def check_connection(self) -> str:
        info = self.get_disk_info()
        login = (info.get("user") or {}).get("login", "unknown user")
        used, total = info.get("used_space", 0), info.get("total_space", 0)
        return f"Connected to Yandex Disk as {login}: {used / 2**30:.2f} of {total / 2**30:.2f} GiB used"
