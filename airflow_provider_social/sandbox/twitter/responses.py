"""X's answers: problem+json errors (API v2), ``{"errors": [...]}`` (v1.1), and the JSON body reader."""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .constants import PROBLEM


def _json(data: Any, status: int = 200, content_type: str = "application/json; charset=utf-8") -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=content_type)


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> Response:
    """RFC 7807-style error as X sends it (reference section 3)."""
    body = {"title": title, "detail": detail, "type": kind if kind == "about:blank" else PROBLEM + kind,
            "status": status, **extra}
    return _json(body, status, "application/problem+json")


def invalid_request(message: str, parameter: str | None = None, values: list[Any] | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if parameter:
        error["parameters"] = {parameter: values or []}
    return problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                   "invalid-request", errors=[error])


def unauthorized() -> Response:
    response = problem(401, "Unauthorized", "Unauthorized")
    return response


def forbidden(detail: str) -> Response:
    return problem(403, "Forbidden", detail)


def not_found(detail: str, resource_type: str = "tweet", value: str = "") -> Response:
    return problem(404, "Not Found Error", detail, "resource-not-found", resource_type=resource_type,
                   value=value, parameter="id")


def v1_error(status: int, code: int, message: str) -> Response:
    return _json({"errors": [{"code": code, "message": message}]}, status)


class _Reject(Exception):
    """Raised inside handlers to answer with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response



def _json_body(request: Request, body: bytes) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise _Reject(invalid_request("Content-Type must be application/json"))
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _Reject(invalid_request("Request body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise _Reject(invalid_request("Request body must be a JSON object"))
    return data
