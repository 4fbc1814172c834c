"""The sandbox ASGI app: every emulated service on one port, under its own path prefix.

======================  ==================  ===============================================================
Prefix                  Service name        What
======================  ==================  ===============================================================
``/_control``           (never faulted)     control API: reset, clock, faults, OAuth helpers, inspection
``/yandex-oauth``       ``yandex_oauth``    Yandex ID OAuth (oauth key ``yandex``): authorize, token,
                                            device/code, revoke_token, device (verification page)
``/yandex-disk``        ``yandex_disk``     Yandex Disk REST API (``/v1/disk``)
``/yandex-uploader``    ``yandex_uploader`` Yandex Disk upload hrefs (one raw PUT each)
``/yandex-downloader``  ``yandex_downloader`` Yandex Disk download hrefs (streamed)
``/x-api``              ``twitter``         X API v2 (api.x.com) incl. ``/2/oauth2/token`` (oauth key ``twitter``)
``/x-upload``           ``twitter_upload``  X v1.1 media upload (upload.twitter.com), OAuth 1.0a
``/x``                  ``twitter_web``     x.com: ``/i/oauth2/authorize``
``/ok-api``             ``ok``              OK API: ``/fb.do``, ``/api/..``, ``/oauth/token.do`` (oauth ``ok``)
``/ok-connect``         ``ok_connect``      connect.ok.ru: ``/oauth/authorize``
``/ok-upload``          ``ok_upload``       OK photo upload host (``upload_url``)
======================  ==================  ===============================================================

Adding a service (X, VK, OK, Vision): write ``sandbox/<service>.py`` exposing ``SERVICE = ServiceSpec(...)``
(see :mod:`.state`) and append it to ``DEFAULT_SERVICES`` below. Fault rules name services by the
"Service name" column (or the prefix, e.g. ``yandex-disk``).
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from . import ok, twitter, yandex_disk, yandex_id
from .clock import SandboxClock
from .control import control_routes
from .faults import FaultMiddleware, quiet_drop_logs
from .state import CreatedLog, SandboxState, ServiceSpec

__all__ = ["DEFAULT_SERVICES", "CreatedLog", "SandboxState", "ServiceSpec", "create_app"]

DEFAULT_SERVICES: tuple[ServiceSpec, ...] = (
    yandex_id.SERVICE,
    yandex_disk.SERVICE,
    yandex_disk.UPLOADER,
    yandex_disk.DOWNLOADER,
    twitter.SERVICE,
    twitter.UPLOAD_SERVICE,
    twitter.WEB_SERVICE,
    ok.SERVICE,
    ok.CONNECT_SERVICE,
    ok.UPLOAD_SERVICE,
)


class SandboxDateMiddleware:
    """Every response's ``Date`` header comes from the sandbox clock (uvicorn's own is turned off in server.py).

    Clients measure ``x-rate-limit-reset`` and HTTP-date ``Retry-After`` against ``Date``; with a frozen or
    advanced sandbox clock the wall-clock date would make those waits wrong.
    """

    def __init__(self, app: ASGIApp, clock: SandboxClock) -> None:
        self.app = app
        self.clock = clock

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_date(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"date"]
                date = email.utils.formatdate(self.clock.now(), usegmt=True)
                headers.append((b"date", date.encode("latin-1")))
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_date)


def create_app(state: SandboxState | None = None, services: Sequence[ServiceSpec] | None = None) -> Starlette:
    """Build the app; ``state.specs`` (or ``services`` for a new state) decides what is mounted."""
    if state is None:
        state = SandboxState(services)
    routes: list[BaseRoute] = [Mount("/_control", routes=control_routes(state))]
    for spec in state.specs:
        routes.extend(spec.routes(state))
    quiet_drop_logs()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(SandboxDateMiddleware, clock=state.clock),
            Middleware(FaultMiddleware, injector=state.faults, resolve_service=state.service_for_path),
        ],
    )
    app.state.sandbox = state
    return app
