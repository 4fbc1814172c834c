"""Control API (``/_control``, JSON in and out) and :class:`SandboxControl`, its Python client.

==========  ==================================  =========================================================
Method      Path                                Body / result
==========  ==================================  =========================================================
GET         /health                             -> {"ok": true}
POST        /reset                              fresh state, wall-clock time, no faults -> {"ok": true}
GET         /clock                              -> {"now", "frozen"}
POST        /clock/advance                      {"seconds"} -> {"now", "frozen"}
POST        /clock/freeze                       {"at"?} -> {"now", "frozen"}
POST        /clock/unfreeze                     -> {"now", "frozen"}
POST        /faults                             a fault rule (see faults.py) -> {"id"}
GET         /faults                             -> {"faults": [rule, ...]}
DELETE      /faults                             -> {"ok": true}
POST        /oauth/{service}/tokens             {"client_id"?, "scope"?} -> token response
POST        /oauth/{service}/expire             {"token"} -> {"ok": true}
POST        /oauth/{service}/revoke             {"token"} -> {"ok": true}
POST        /oauth/{service}/device/approve     {"user_code", "deny"?} -> {"ok": true}
POST        /oauth/{service}/auto-approve       {"enabled"} -> {"ok": true}
GET         /created[?service=]                 -> {"events": [{seq, at, service, kind, data}, ...]}
GET         /requests                           -> {"total", "by_service": {service: count}} since the reset
GET         /state/{service}                    -> the service's dump
POST        /state/{service}                    settings for the service (if it has any) -> the new dump
POST        /{service}/tokens                   a token the service's own state mints (``mint_token``); VK:
                                                {"kind", "user_id"?, "group_id"?, "scopes"?, "expires_in"?}
                                                -> {"access_token", ...} (a VK user or community key)
==========  ==================================  =========================================================

Errors: ``{"error": "..."}`` with 400 (bad input), 404 (unknown service/token/user code) or 409 (wrong state).
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import requests
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

if TYPE_CHECKING:
    from .oauth_server import OAuthServer
    from .state import SandboxState

Handler = Callable[[Request], Awaitable[Response]]


class _ControlError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _guard(handler: Handler) -> Handler:
    """Map the few expected failures to JSON errors instead of 500s."""

    async def wrapped(request: Request) -> Response:
        try:
            return await handler(request)
        except _ControlError as exc:
            return JSONResponse({"error": str(exc)}, status_code=exc.status)
        except KeyError as exc:
            return JSONResponse({"error": f"not found: {exc.args[0] if exc.args else ''}"}, status_code=404)
        except ValueError as exc:
            return JSONResponse({"error": str(exc)}, status_code=409)

    return wrapped


async def _json(request: Request) -> dict[str, Any]:
    raw = await request.body()
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        raise _ControlError(400, "body must be JSON") from None
    if not isinstance(data, dict):
        raise _ControlError(400, "body must be a JSON object")
    return data


def _field(data: dict[str, Any], name: str, kind: type | tuple[type, ...]) -> Any:
    value = data.get(name)
    # bool is an int subclass; only accept it where a bool is asked for.
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        raise _ControlError(400, f"{name!r} is required and must be {getattr(kind, '__name__', kind)}")
    return value


def control_routes(state: SandboxState) -> list[BaseRoute]:
    """Routes relative to ``/_control``; state is always read through ``state`` so reset is seen."""

    def oauth(request: Request) -> OAuthServer:
        name = request.path_params["service"]
        if name not in state.oauth:
            raise _ControlError(404, f"no OAuth server {name!r}; known: {sorted(state.oauth)}")
        return state.oauth[name]

    def ok() -> JSONResponse:
        return JSONResponse({"ok": True})

    async def health(request: Request) -> Response:
        return ok()

    async def reset(request: Request) -> Response:
        state.reset()
        return ok()

    async def clock_get(request: Request) -> Response:
        return JSONResponse(state.clock.snapshot())

    async def clock_advance(request: Request) -> Response:
        state.clock.advance(float(_field(await _json(request), "seconds", (int, float))))
        return JSONResponse(state.clock.snapshot())

    async def clock_freeze(request: Request) -> Response:
        at = (await _json(request)).get("at")
        if at is not None and (isinstance(at, bool) or not isinstance(at, (int, float))):
            raise _ControlError(400, "'at' must be a number")
        state.clock.freeze(at)
        return JSONResponse(state.clock.snapshot())

    async def clock_unfreeze(request: Request) -> Response:
        state.clock.unfreeze()
        return JSONResponse(state.clock.snapshot())

    async def faults_add(request: Request) -> Response:
        try:
            rule = state.faults.add(await _json(request))
        except (TypeError, ValueError) as exc:
            raise _ControlError(400, str(exc)) from None
        return JSONResponse({"id": rule.id})

    async def faults_list(request: Request) -> Response:
        return JSONResponse({"faults": state.faults.list()})

    async def faults_clear(request: Request) -> Response:
        state.faults.clear()
        return ok()

    async def oauth_tokens(request: Request) -> Response:
        data = await _json(request)
        server = oauth(request)
        return JSONResponse(server.mint_tokens(data.get("client_id"), data.get("scope"), data.get("user_id")))

    async def oauth_expire(request: Request) -> Response:
        oauth(request).expire_token(_field(await _json(request), "token", str))
        return ok()

    async def oauth_revoke(request: Request) -> Response:
        oauth(request).revoke_token(_field(await _json(request), "token", str))
        return ok()

    async def oauth_device_approve(request: Request) -> Response:
        data = await _json(request)
        oauth(request).approve_device(_field(data, "user_code", str), deny=bool(data.get("deny", False)))
        return ok()

    async def oauth_auto_approve(request: Request) -> Response:
        oauth(request).set_auto_approve(_field(await _json(request), "enabled", bool))
        return ok()

    async def created(request: Request) -> Response:
        return JSONResponse({"events": state.created.events(request.query_params.get("service"))})

    async def requests_served(request: Request) -> Response:
        counts = dict(state.requests)
        return JSONResponse({"total": sum(counts.values()), "by_service": counts})

    async def service_state(request: Request) -> Response:
        return JSONResponse(state.dump(request.path_params["service"]))

    async def service_configure(request: Request) -> Response:
        target = state.services.get(request.path_params["service"])
        configure = getattr(target, "configure", None)
        if configure is None:
            raise _ControlError(404, f"service {request.path_params['service']!r} has no settings")
        try:
            return JSONResponse(configure(await _json(request)))
        except (TypeError, ValueError) as exc:
            raise _ControlError(400, str(exc)) from None

    async def service_tokens(request: Request) -> Response:
        name = request.path_params["service"]
        mint = getattr(state.services.get(name), "mint_token", None)
        if mint is None:
            raise _ControlError(404, f"service {name!r} is not mounted or mints no tokens of its own")
        try:
            return JSONResponse(mint(await _json(request)))
        except (TypeError, ValueError) as exc:
            raise _ControlError(400, str(exc)) from None

    table: list[tuple[str, str, Handler]] = [
        ("GET", "/health", health),
        ("POST", "/reset", reset),
        ("GET", "/clock", clock_get),
        ("POST", "/clock/advance", clock_advance),
        ("POST", "/clock/freeze", clock_freeze),
        ("POST", "/clock/unfreeze", clock_unfreeze),
        ("POST", "/faults", faults_add),
        ("GET", "/faults", faults_list),
        ("DELETE", "/faults", faults_clear),
        ("POST", "/oauth/{service}/tokens", oauth_tokens),
        ("POST", "/oauth/{service}/expire", oauth_expire),
        ("POST", "/oauth/{service}/revoke", oauth_revoke),
        ("POST", "/oauth/{service}/device/approve", oauth_device_approve),
        ("POST", "/oauth/{service}/auto-approve", oauth_auto_approve),
        ("GET", "/created", created),
        ("GET", "/requests", requests_served),
        ("GET", "/state/{service}", service_state),
        ("POST", "/state/{service}", service_configure),
        ("POST", "/{service}/tokens", service_tokens),
    ]
    return [Route(path, _guard(handler), methods=[method]) for method, path, handler in table]


# ---- client


class SandboxControlError(RuntimeError):
    def __init__(self, status: int, body: Any) -> None:
        super().__init__(f"sandbox control call failed ({status}): {body}")
        self.status = status
        self.body = body


class SandboxControl:
    """Thin ``requests`` client for the control API (tests, demo script, CLI)."""

    def __init__(self, base_url: str, timeout: float = 10.0, session: requests.Session | None = None) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = session or requests.Session()

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None, **params: Any) -> Any:
        response = self.session.request(
            method,
            f"{self.base_url}/_control{path}",
            json=body,
            params={k: v for k, v in params.items() if v is not None} or None,
            timeout=self.timeout,
        )
        try:
            data = response.json()
        except ValueError:
            data = response.text
        if response.status_code >= 400:
            raise SandboxControlError(response.status_code, data)
        return data

    def health(self) -> bool:
        return bool(self._call("GET", "/health").get("ok"))

    def reset(self) -> None:
        self._call("POST", "/reset")

    def clock(self) -> dict[str, Any]:
        return self._call("GET", "/clock")

    def now(self) -> float:
        return float(self.clock()["now"])

    def advance(self, seconds: float) -> dict[str, Any]:
        return self._call("POST", "/clock/advance", {"seconds": seconds})

    def freeze(self, at: float | None = None) -> dict[str, Any]:
        return self._call("POST", "/clock/freeze", {} if at is None else {"at": at})

    def unfreeze(self) -> dict[str, Any]:
        return self._call("POST", "/clock/unfreeze")

    def add_fault(self, **rule: Any) -> str:
        return str(self._call("POST", "/faults", rule)["id"])

    def faults(self) -> list[dict[str, Any]]:
        return list(self._call("GET", "/faults")["faults"])

    def clear_faults(self) -> None:
        self._call("DELETE", "/faults")

    def mint_tokens(
        self, service: str, client_id: str | None = None, scope: str | None = None, user_id: str | None = None
    ) -> dict[str, Any]:
        body = {k: v for k, v in {"client_id": client_id, "scope": scope, "user_id": user_id}.items() if v is not None}
        return self._call("POST", f"/oauth/{service}/tokens", body)

    def expire_token(self, service: str, token: str) -> None:
        self._call("POST", f"/oauth/{service}/expire", {"token": token})

    def revoke_token(self, service: str, token: str) -> None:
        self._call("POST", f"/oauth/{service}/revoke", {"token": token})

    def approve_device(self, service: str, user_code: str, deny: bool = False) -> None:
        self._call("POST", f"/oauth/{service}/device/approve", {"user_code": user_code, "deny": deny})

    def set_auto_approve(self, service: str, enabled: bool) -> None:
        self._call("POST", f"/oauth/{service}/auto-approve", {"enabled": enabled})

    def created(self, service: str | None = None) -> list[dict[str, Any]]:
        return list(self._call("GET", "/created", service=service)["events"])

    def state(self, service: str) -> dict[str, Any]:
        return self._call("GET", f"/state/{service}")

    def requests(self) -> dict[str, Any]:
        """Requests served since the last reset: ``{"total", "by_service": {service: count}}``."""
        return self._call("GET", "/requests")

    def configure(self, service: str, **settings: Any) -> dict[str, Any]:
        """Change a service's sandbox settings (e.g. ``configure("yandex_disk", max_file_size=1024)``)."""
        return self._call("POST", f"/state/{service}", settings)

    # ---- VK

    def vk_token(self, kind: str = "user", **fields: Any) -> str:
        """A VK user or community key (``user_id``, ``group_id``, ``scopes``, ``expires_in`` optional)."""
        return str(self._call("POST", "/vk/tokens", {"kind": kind, **fields})["access_token"])

    def vk_state(self) -> dict[str, Any]:
        return self.state("vk")

    def vk_configure(self, **settings: Any) -> dict[str, Any]:
        """``captcha_next={"method", "form"}``, ``flood_next=method``, ``rate_limits={"user", "community"}``,
        ``users={id: {"online", "last_seen", ...}}``, ``legacy_auto_approve``, ``reset_violations``."""
        return self.configure("vk", **settings)

    def vk_rate_limit_violations(self) -> int:
        return int(self.vk_state()["rate_limit_violations"])
