"""``fb.do`` and REST-style (``/api/<group>/<method>``) calls: parameters, ``sig``, session, permissions.

Checks, in order (reference section 3.2; wording after apiok.ru's error list and recorded client answers):

1. ``application_key`` present and registered, else 101 PARAM_API_KEY.
2. ``sig`` present, else 104 PARAM_SIGNATURE ("No signature specified").
3. ``access_token`` (or ``session_key``) present, else 103 PARAM_SESSION_KEY (every emulated method needs one).
4. ``sig`` equals md5 of the sorted ``key=value`` pairs (without ``sig``, ``access_token``, ``session_key``, no
   separator, values as sent, UTF-8) followed by lowercase-hex md5(access_token + application secret key),
   else 104.
5. The session: expired -> 102 PARAM_SESSION_EXPIRED, unknown or revoked -> 103 PARAM_SESSION_KEY.
6. The method exists, else 3 METHOD; ``format=json`` (the sandbox does not emulate XML answers), else 100.
7. The method's permissions were granted (VALUABLE_ACCESS for every method, which is the stricter reading of
   "needed for most methods"; PHOTO_CONTENT, GROUP_CONTENT per method), else 10 PERMISSION_DENIED.

A call with LONG_ACCESS_TOKEN extends the token to 30 days, at most once a day [confirmed].
"""

from __future__ import annotations

import hashlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from .constants import DAY, LONG_ACCESS_TTL, NAME, OAUTH_NAME, SANDBOX_APP_KEY, SANDBOX_APP_SECRET
from .oauth import permissions
from .state import ApiError, OkState

if TYPE_CHECKING:
    from ..state import SandboxState

UNSIGNED = ("sig", "access_token", "session_key")


@dataclass(frozen=True)
class Caller:
    uid: str
    permissions: frozenset[str]
    base_url: str  # how the client reached the sandbox (for upload URLs)


Handler = Callable[[OkState, Caller, dict[str, str]], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    handler: Handler
    permissions: frozenset[str]


# md5 is the protocol OK defines for signatures, not our choice of hash.
def signature(params: dict[str, str], access_token: str, app_secret: str) -> str:
    """OK's ``sig`` (reference 3.2), written here independently of the client's implementation."""
    secret = hashlib.md5((access_token + app_secret).encode("utf-8"), usedforsecurity=False).hexdigest().lower()
    joined = "".join(f"{key}={params[key]}" for key in sorted(params) if key not in UNSIGNED)
    return hashlib.md5((joined + secret).encode("utf-8"), usedforsecurity=False).hexdigest().lower()


async def read_params(request: Request) -> dict[str, str]:
    """Query parameters plus, for POST, an urlencoded body; a repeated parameter is refused (100)."""
    pairs = list(request.query_params.multi_items())
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        if body:
            if ctype != "application/x-www-form-urlencoded":
                raise ApiError(100, "POST parameters must be application/x-www-form-urlencoded")
            try:
                pairs += parse_qsl(body.decode("utf-8"), keep_blank_values=True)
            except UnicodeDecodeError:
                raise ApiError(100, "request body is not UTF-8") from None
    params: dict[str, str] = {}
    for key, value in pairs:
        if key in params:
            raise ApiError(100, f"parameter {key} repeated")
        params[key] = value
    return params


def _base_url(request: Request) -> str:
    base = str(request.base_url).rstrip("/")
    app_root = request.scope.get("app_root_path", "")
    mount = request.scope.get("root_path", "")[len(app_root):]
    prefix = mount[: -len("/ok-api")] if mount.endswith("/ok-api") else mount
    return f"{base}{prefix}"


def _authenticate(state: SandboxState, service: OkState, params: dict[str, str]) -> tuple[str, str, str]:
    """Steps 1-5; returns (uid, scope, token)."""
    if not params.get("application_key"):
        raise ApiError(101, "No application key")
    if params["application_key"] != SANDBOX_APP_KEY:
        raise ApiError(101, f"Application key {params['application_key']} is not registered")
    if not params.get("sig"):
        raise ApiError(104, "No signature specified")
    token = params.get("access_token") or params.get("session_key")
    if not token:
        raise ApiError(103, "No session key or access token specified")
    if params["sig"].lower() != signature(params, token, SANDBOX_APP_SECRET):
        raise ApiError(104, f"Invalid signature {params['sig']}")
    server = state.oauth[OAUTH_NAME]
    info, reason = server.validate_access_token(token)
    if reason == "expired":
        raise ApiError(102, "Session expired")
    if info is None:
        raise ApiError(103, "Invalid session key")
    if "LONG_ACCESS_TOKEN" in permissions(info.scope):
        now = state.clock.now()
        if now - service.extended_at.get(token, 0.0) >= DAY:
            server.extend_access_token(token, now + LONG_ACCESS_TTL)
            service.extended_at[token] = now
    return info.user_id, info.scope, token


def endpoint(state: SandboxState, methods: dict[str, Method], *, rest: bool = False):
    """The route for ``/fb.do`` (method in ``method``) or ``/api/{group}/{name}`` (``rest``)."""

    async def route(request: Request) -> Response:
        service: OkState = state.services[NAME]  # type: ignore[assignment]
        try:
            params = await read_params(request)
            if rest:
                name = f"{request.path_params['group']}.{request.path_params['name']}"
                if params.get("method") not in (None, name):
                    raise ApiError(100, f"method {params['method']} does not match the path {name}")
            else:
                name = params.get("method", "")
                if not name:
                    raise ApiError(100, "method is not specified")
            uid, scope, _ = _authenticate(state, service, params)
            method = methods.get(name)
            if method is None:
                raise ApiError(3, f"Method {name} does not exist")
            if params.get("format", "").lower() != "json":
                raise ApiError(100, "format: the sandbox only answers format=json")
            granted = frozenset(permissions(scope))
            missing = sorted(method.permissions - granted)
            if missing:
                raise ApiError(10, f"Method {name} requires permission(s) {', '.join(missing)}")
            if (injected := service.take_injected(name)) is not None:
                raise ApiError(injected, f"injected by the sandbox control API for {name}")
            args = {k: v for k, v in params.items() if k not in (*UNSIGNED, "application_key", "format", "method")}
            result = await method.handler(service, Caller(uid, granted, _base_url(request)), args)
        except ApiError as error:
            return error.response()
        if service.take_lost_answer(name):
            return PlainTextResponse("Bad Gateway", status_code=502)
        return JSONResponse(result)

    return route
