"""Yandex Disk's answers: the service name, the error table and how its error bodies read."""

from __future__ import annotations

from typing import TYPE_CHECKING

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
)
from airflow_provider_social.core.policy import CallContext, ResponsePolicy, StatusOverrides
from airflow_provider_social.hooks.yandex_disk.connection import SERVICE_NAME

if TYPE_CHECKING:
    import requests


SERVICE = SERVICE_NAME


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


#: What to do about an API error; ``{reauth_command}`` is the command that re-authorises the connection.
_HINTS = {
    "UnauthorizedError": "the OAuth token is missing, expired or revoked; run `{reauth_command}`",
    "DiskPathDoesntExistsError": "create the parent folder first, or pass parents=True",
    "DiskResourceAlreadyExistsError": "pass overwrite=True to replace it",
    "DiskPathPointsToExistentDirectoryError": "the path is a folder; choose a file path",
}



def yandex_error_parser(
    response: requests.Response, reauth_command: str = "airflow social auth yandex"
) -> ApiErrorInfo | None:
    """Parse Yandex error bodies: Disk ``{message, description, error}``, Yandex ID ``{error, error_description}``.

    :param response: the unsuccessful answer.
    :param reauth_command: the command that re-authorises the connection, named in a refused token's hint.
    """
    body = error_body(response)
    if isinstance(body, ApiErrorInfo):
        return body
    code = body.get("error")
    message = body.get("description") or body.get("error_description") or body.get("message") or str(code or "")
    return ApiErrorInfo(
        code=code,
        message=str(message),
        error_class=YANDEX_DISK_ERRORS.get(str(code)),
        hint=_HINTS.get(str(code), "").format(reauth_command=reauth_command),
    )



class OperationFailedError(SocialApiError):
    """An asynchronous Disk operation ended as ``failed`` (or did not end in time)."""


class YandexDiskPolicy(ResponsePolicy):
    """Disk API and Yandex ID answers: HTTP statuses decide, the error body is ``{message, description, error}``
    (Disk) or ``{error, error_description}`` (Yandex ID), read by :func:`yandex_error_parser`."""

    #: What the error body says without the call's context.
    parse_error_info = staticmethod(yandex_error_parser)

    def error_info(self, response: requests.Response, context: CallContext) -> ApiErrorInfo | None:
        """What Yandex's error body says; a refused token's hint names the command for this very connection.

        :param response: the unsuccessful answer.
        :param context: the call it answers.
        """
        return yandex_error_parser(response, context.reauth_command or "airflow social auth yandex")


#: The service's policy, set on the hook's transport once.
POLICY = YandexDiskPolicy()
#: Upload and download links (the upload host speaks plainly): a lapsed link (404/410) is retried with a fresh one.
LINK_POLICY = StatusOverrides(POLICY, retry_statuses=LINK_RETRY_STATUSES)
