"""One small error hierarchy shared by every service.

Every error names the service and the operation, carries the API's own error code and message, and a hint that
says what to fix. None of them ever carries a secret: messages are built from API error fields and our own text,
and :func:`~airflow_provider_social.core.masking.redact` is applied to anything that could echo a request.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from airflow_provider_social.core.masking import redact

if TYPE_CHECKING:  # requests is imported lazily so DAG files that import hooks parse fast
    import requests


class SocialApiError(Exception):
    """An error from (or about) a call to one of the services.

    ``resume_at`` (epoch seconds on the caller's clock) is set when the service asked for a wait that the call did
    not sit out: a deferrable operator waits for that moment in the triggerer (:mod:`core.wait_deferral`).
    """

    resume_at: float | None = None

    def __init__(
        self,
        message: str,
        *,
        service: str = "",
        operation: str = "",
        status_code: int | None = None,
        api_code: str | int | None = None,
        hint: str = "",
        details: dict[str, Any] | None = None,
    ) -> None:
        self.service = service
        self.operation = operation
        self.status_code = status_code
        self.api_code = api_code
        self.api_message = redact(message)
        self.hint = hint
        self.details = details or {}
        super().__init__(self.api_message)

    def __str__(self) -> str:  # rendered on demand: retry code may add a hint after construction
        where = " ".join(part for part in (self.service, self.operation) if part)
        prefix = f"{where}: " if where else ""
        code = []
        if self.status_code is not None:
            code.append(f"HTTP {self.status_code}")
        if self.api_code not in (None, ""):
            code.append(f"code {self.api_code}")
        codes = f" [{', '.join(code)}]" if code else ""
        hint = f" Hint: {self.hint}" if self.hint else ""
        # End the sentence with one full stop unless the API's message (without codes) already ends it.
        stop = "" if not codes and self.api_message.endswith((".", "!", "?")) else "."
        return f"{prefix}{self.api_message}{codes}{stop}{hint}"


class AuthenticationError(SocialApiError):
    """The credentials were refused (401/403 of the auth kind, invalid_grant, revoked tokens)."""


class ReauthorizationRequired(AuthenticationError):
    """The stored grant is dead; a person must run the provider's auth command again."""


class PermissionDeniedError(SocialApiError):
    """The credentials are valid but lack the right (scope, ownership, account type)."""


class RateLimitError(SocialApiError):
    """The service asked us to slow down and the wait exceeded the configured bound."""

    def __init__(self, message: str, *, retry_after: float | None = None, **kwargs: Any) -> None:
        self.retry_after = retry_after
        super().__init__(message, **kwargs)


class CallQuotaError(RateLimitError):
    """A call's quota for this credential is used up until ``resets_at`` (VK error 29: a method's daily quota).

    Never retried: the transport remembers the hold where the token store keeps shared state, and refuses the same
    call with the same credential without sending it, in every process sharing that store, until ``resets_at``.

    :param resets_at: when the quota resets, epoch seconds (None: unknown).
    """

    def __init__(self, message: str, *, resets_at: float | None = None, **kwargs: Any) -> None:
        self.resets_at = resets_at
        self.resume_at = resets_at
        super().__init__(message, **kwargs)


class ValidationError(SocialApiError, ValueError):
    """Bad input, raised before any network call (or a 400 from the API)."""


class NotFoundError(SocialApiError):
    """The resource does not exist."""


class ConflictError(SocialApiError):
    """The resource already exists, or its state forbids the operation (409, 423, duplicates)."""


class PayloadTooLargeError(ValidationError):
    """The body is larger than the service accepts (413), or than its documented limit."""


class QuotaExceededError(SocialApiError):
    """The account has no room left (507)."""


class ServerError(SocialApiError):
    """The service failed (5xx) or the connection broke, and retries did not help."""


def input_error(field: str, problem: str, *, service: str = "", operation: str = "") -> ValidationError:
    """Build the error for bad user input; the message names the field and the limit."""
    return ValidationError(f"{field}: {problem}", service=service, operation=operation)


_STATUS_CLASSES: dict[int, type[SocialApiError]] = {
    400: ValidationError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    423: ConflictError,
    429: RateLimitError,
    507: QuotaExceededError,
}


def error_class_for_status(status: int) -> type[SocialApiError]:
    """The default error class for an HTTP status; services refine it with their own API codes."""
    if status in _STATUS_CLASSES:
        return _STATUS_CLASSES[status]
    if status >= 500:
        return ServerError
    return SocialApiError


@dataclass
class ApiErrorInfo:
    """What a service's error body says."""

    code: str | int | None = None
    message: str = ""
    error_class: type[SocialApiError] | None = None  # overrides the class chosen from the status code
    hint: str = ""
    retry_after: float | None = None


class ErrorParser(Protocol):
    """Turns a service's error response into :class:`ApiErrorInfo` (one per service, on its hook)."""

    def __call__(self, response: requests.Response) -> ApiErrorInfo | None: ...


def error_body(response: requests.Response) -> dict[str, Any] | ApiErrorInfo:
    """The JSON object of an error response; or, when the body is not one (HTML from a proxy, plain text), an
    :class:`ApiErrorInfo` carrying the start of the text. Every service's error parser starts here."""
    try:
        body = response.json()
    except ValueError:
        return ApiErrorInfo(message=(response.text or response.reason or "")[:300])
    if not isinstance(body, dict):
        return ApiErrorInfo(message=str(body)[:300])
    return body


def default_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """Understands the common shapes: {"error": "...", "error_description"/"description"/"message": "..."}.

    :param response: the unsuccessful answer.
    """
    body = error_body(response)
    if isinstance(body, ApiErrorInfo):
        return body
    error = body.get("error")
    if isinstance(error, dict):  # {"error": {"error_code": .., "error_msg": ..}} and similar
        return ApiErrorInfo(
            code=error.get("error_code") or error.get("code"),
            message=str(error.get("error_msg") or error.get("message") or error),
        )
    message = body.get("error_description") or body.get("description") or body.get("message") or body.get("detail")
    return ApiErrorInfo(code=error, message=str(message or error or body)[:500])
