"""oauth.vk.ru's legacy Implicit Flow (``/vk-oauth``): ``/authorize?response_type=token`` -> ``blank.html#...``.

dev.vk.ru/ru/api/access-token/implicit-flow-user (deprecated there in favour of VK ID, still what the user's
guide uses): ``client_id``, ``redirect_uri`` (standalone apps: only ``https://oauth.vk.ru/blank.html``, or
the older ``oauth.vk.com`` one), ``scope`` (comma names or a bitmask), ``response_type=token``, ``state``,
``v``. On approval the browser lands on ``blank.html#access_token=...&expires_in=...&user_id=...&state=...``
(here the sandbox's own ``/vk-oauth/blank.html``): ``expires_in=0`` with ``offline`` in the scope, else the
1-hour user-key lifetime. A denial lands on ``blank.html#error=access_denied&error_reason=user_denied...``.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from ..state import ServiceSpec
from .state import APP_ID, USER_SCOPES, USER_TOKEN_TTL, VkState

if TYPE_CHECKING:
    from ..state import SandboxState

NAME = "vk_oauth"
PREFIX = "/vk-oauth"
BLANK_URIS = ("https://oauth.vk.ru/blank.html", "https://oauth.vk.com/blank.html")
# dev.vk.ru/ru/reference/access-rights bit values.
SCOPE_BITS = {
    "notify": 1, "friends": 2, "photos": 4, "audio": 8, "video": 16, "stories": 64, "pages": 128,
    "status": 1024, "notes": 2048, "messages": 4096, "wall": 8192, "ads": 32768, "offline": 65536,
    "docs": 131072, "groups": 262144, "notifications": 524288, "stats": 1048576, "email": 4194304,
    "market": 134217728,
}


def parse_scope(raw: str) -> list[str]:
    raw = raw.strip()
    if raw.isdigit():
        mask = int(raw)
        return [name for name, bit in SCOPE_BITS.items() if mask & bit]
    names = [part.strip() for part in raw.replace(" ", ",").split(",") if part.strip()]
    return [name for name in names if name in USER_SCOPES]  # VK ignores names it does not know


def _error(error: str, description: str, status: int = 400) -> JSONResponse:
    return JSONResponse({"error": error, "error_description": description}, status_code=status)


def _routes(state: SandboxState) -> list[BaseRoute]:
    def vk() -> VkState:
        return state.services["vk"]  # type: ignore[return-value]

    def blank(request: Request) -> str:
        return str(request.base_url).rstrip("/") + PREFIX + "/blank.html"

    def check(params: dict[str, str], request: Request) -> Response | None:
        if params.get("client_id") != str(APP_ID):
            return _error("invalid_client", "client_id is incorrect", 401)
        if params.get("redirect_uri", BLANK_URIS[0]) not in (*BLANK_URIS, blank(request)):
            return _error("invalid_request", "redirect_uri is incorrect, check application domain in the settings page")
        if params.get("response_type") != "token":
            return _error("unsupported_response_type", "only response_type=token is emulated (Implicit Flow)")
        return None

    def grant(params: dict[str, str], request: Request) -> Response:
        scopes = parse_scope(params.get("scope", ""))
        offline = "offline" in scopes
        minted = vk().mint_token({"kind": "user", "scopes": scopes, "expires_in": 0 if offline else USER_TOKEN_TTL})
        fragment = {"access_token": minted["access_token"], "expires_in": str(minted["expires_in"]),
                    "user_id": str(minted["user_id"])}
        if params.get("state"):
            fragment["state"] = params["state"]
        return RedirectResponse(f"{blank(request)}#{urlencode(fragment)}", status_code=302)

    async def authorize_get(request: Request) -> Response:
        params = dict(request.query_params)
        refused = check(params, request)
        if refused is not None:
            return refused
        if vk().legacy_auto_approve:
            return grant(params, request)
        hidden = "".join(f'<input type="hidden" name="{html.escape(k)}" value="{html.escape(v)}">'
                         for k, v in params.items())
        page = (f"<!doctype html><html><body><h1>Allow application {APP_ID}?</h1>"
                f'<form method="post">{hidden}<button name="decision" value="allow">Allow</button> '
                '<button name="decision" value="deny">Deny</button></form></body></html>')
        return HTMLResponse(page)

    async def authorize_post(request: Request) -> Response:
        async with request.form() as form:
            params = {k: v for k, v in form.items() if isinstance(v, str)}
        refused = check(params, request)
        if refused is not None:
            return refused
        if params.pop("decision", "") != "allow":
            fragment = {"error": "access_denied", "error_reason": "user_denied",
                        "error_description": "User denied your request"}
            if params.get("state"):
                fragment["state"] = params["state"]
            return RedirectResponse(f"{blank(request)}#{urlencode(fragment)}", status_code=302)
        return grant(params, request)

    async def blank_page(request: Request) -> Response:
        return HTMLResponse("<!doctype html><html><body>Please do not copy the address bar contents to share "
                            "with anyone: it holds your access key.</body></html>")

    return [
        Route(PREFIX + "/authorize", authorize_get, methods=["GET"]),
        Route(PREFIX + "/authorize", authorize_post, methods=["POST"]),
        Route(PREFIX + "/blank.html", blank_page, methods=["GET"]),
    ]


SERVICE = ServiceSpec(name=NAME, prefix=PREFIX, routes=_routes, description="oauth.vk.ru legacy Implicit Flow")
