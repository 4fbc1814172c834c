"""Form reading, redirects, device user codes and the sandbox's small HTML pages."""

from __future__ import annotations

import html
import secrets
import string
from urllib.parse import parse_qsl, urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse

from .refusals import OAuthError


async def _read_form(request: Request, strict: bool = True) -> dict[str, str]:
    """Parse an urlencoded body; strict mode enforces the content type and single-valued parameters."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if strict and ctype != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Content-Type must be application/x-www-form-urlencoded")
    try:
        pairs = parse_qsl((await request.body()).decode(), keep_blank_values=True)
    except UnicodeDecodeError:
        raise OAuthError("invalid_request", "Body is not UTF-8") from None
    form: dict[str, str] = {}
    for key, value in pairs:
        if key in form and strict:
            raise OAuthError("invalid_request", f"Parameter {key!r} repeated")  # RFC 6749 §3.2
        form[key] = value
    return form


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise OAuthError("invalid_request", f"Missing {name}")
    return value


def _redirect(uri: str, params: dict[str, str | None]) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v is not None})
    return RedirectResponse(f"{uri}{'&' if '?' in uri else '?'}{query}", status_code=302)


def _printable_ascii(value: str) -> bool:
    return all(32 <= ord(ch) <= 126 for ch in value)


def _user_code(taken: dict[str, str]) -> str:
    while True:
        code = "".join(secrets.choice(string.ascii_lowercase) for _ in range(8))
        if code not in taken:
            return code


def _page(title: str, body: str) -> str:
    return (
        f'<!doctype html><html><head><meta charset="utf-8"><title>{html.escape(title)}</title></head>'
        f"<body><h1>{html.escape(title)}</h1>{body}</body></html>"
    )
