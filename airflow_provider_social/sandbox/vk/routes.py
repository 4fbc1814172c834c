"""``/vk-api/method/<name>``: reading the request, the checks in VK's order, the response envelopes.

GET and POST are equivalent; POST bodies are ``application/x-www-form-urlencoded`` or ``multipart/form-data``
(VK does not read JSON bodies, so their fields are simply not seen). The token comes from ``access_token`` or
``Authorization: Bearer``. Every answer is HTTP 200: ``{"response": ...}`` or ``{"error": {...}}``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from . import errors, rules
from .errors import VkError
from .methods import METHODS, Call
from .params import Params
from .state import Token, VkState

if TYPE_CHECKING:
    from ..state import SandboxState

NAME = "vk"
PREFIX = "/vk-api"
_VERSION_RE = re.compile(r"^(\d+)\.(\d+)$")


@dataclass
class ExecuteResult:
    """``execute`` answers ``execute_errors`` next to ``response``."""

    response: Any
    execute_errors: list[dict[str, Any]]


def invoke(vk: VkState, token: Token, name: str, data: dict[str, str], v: str, base_url: str) -> Any:
    """Run one method after the per-method checks (top-level calls and calls inside ``execute``)."""
    method = METHODS.get(name)
    if method is None:
        raise VkError(3, errors.UNKNOWN_METHOD)
    check_method_version(name, v)
    rules.check_access(method, token)
    rules.check_daily_quota(vk, token, name)
    rules.check_injected(vk, name, data)
    return method.func(Call(vk, token, Params(data), name, v, base_url))


def check_version(v: str | None) -> str:
    if not v:
        raise VkError(8, errors.V_REQUIRED)
    match = _VERSION_RE.match(v.strip())
    if match is None or int(match.group(1)) < 5:
        raise VkError(8, errors.V_TOO_OLD)
    return v.strip()


def check_method_version(name: str, v: str) -> None:
    """Methods VK serves only from a later version than the general floor refuse older ones with error 8."""
    floor = errors.METHOD_MIN_VERSION.get(name)
    if floor is None:
        return
    match = _VERSION_RE.match(v)
    if match is None or (int(match.group(1)), int(match.group(2))) < tuple(int(x) for x in floor.split(".")):
        raise VkError(8, errors.version_too_old(floor))


async def read_params(request: Request) -> dict[str, str]:
    data = {k: v for k, v in request.query_params.items()}
    if request.method == "POST":
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype in ("application/x-www-form-urlencoded", "multipart/form-data"):
            async with request.form() as form:
                for key, value in form.multi_items():
                    if isinstance(value, str):
                        data[key] = value
    return data


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip()
    return None


def upload_base(request: Request) -> str:
    """Where upload URLs point: the storage listener (VK's upload hosts, pu.vk.com and the like, are other hosts
    than api.vk.ru), or this port when the sandbox runs on one port."""
    storage = getattr(request.app.state, "storage_base_url", None)
    return str(storage or request.base_url).rstrip("/")


def _routes(state: SandboxState) -> list[BaseRoute]:
    async def endpoint(request: Request) -> Response:
        vk: VkState = state.services[NAME]  # type: ignore[assignment]
        arrived = vk.clock.now()  # the per-second limit counts arrivals (headers read), not bodies read
        name = request.path_params["method"]
        try:
            data = await read_params(request)
        except Exception:  # a malformed multipart body: VK cannot read any parameter either
            data = {}
        try:
            v = check_version(data.get("v"))
            token = rules.resolve_token(vk, data.get("access_token") or _bearer(request))
            rules.check_rate(vk, token, arrived)
            result = invoke(vk, token, name, data, v, upload_base(request))
        except VkError as exc:
            return JSONResponse(exc.body(errors.request_params(name, data)))
        if isinstance(result, ExecuteResult):
            body: dict[str, Any] = {"response": result.response}
            if result.execute_errors:
                body["execute_errors"] = result.execute_errors
            return JSONResponse(body)
        return JSONResponse({"response": result})

    return [Route(PREFIX + "/method/{method}", endpoint, methods=["GET", "POST"])]
