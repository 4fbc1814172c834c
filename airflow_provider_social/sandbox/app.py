"""The sandbox ASGI app: every emulated service on one port, under its own path prefix.

======================  ==================  ===============================================================
Prefix                  Service name        What
======================  ==================  ===============================================================
``/_control``           (never faulted)     control API: reset, clock, faults, OAuth helpers, inspection
``/yandex-oauth``       ``yandex_oauth``    Yandex ID OAuth (oauth key ``yandex``): authorize, token,
                                            device/code, revoke_token, device (verification page)
``/yandex-disk``        ``yandex_disk``     Yandex Disk REST API (``/v1/disk``)
``/yandex-uploader``    ``yandex_uploader`` Yandex Disk upload hrefs (one raw PUT each) -- storage listener
``/yandex-downloader``  ``yandex_downloader`` Yandex Disk download hrefs (streamed) -- storage listener
``/x-api``              ``twitter``         X API v2 (api.x.com) incl. ``/2/oauth2/token`` (oauth key ``twitter``)
``/x-upload``           ``twitter_upload``  X v1.1 media upload (upload.twitter.com), OAuth 1.0a
``/x``                  ``twitter_web``     x.com: ``/i/oauth2/authorize``
``/vk-api``             ``vk``              VK API (api.vk.ru): ``/method/<name>``
``/vk-id``              ``vk_id_web``       VK ID OAuth 2.1 (id.vk.com, oauth key ``vk_id``)
``/vk-oauth``           ``vk_oauth``        oauth.vk.ru legacy Implicit Flow and ``blank.html``
``/vk-upload``          ``vk_upload``       VK upload servers (pu.vk.com), single-use URLs -- storage listener
``/vk-vision``          ``vk_vision``       VK Cloud Vision (smarty.mail.ru), see ``sandbox/vk_vision``
``/vk-cloud-auth``      ``vk_cloud_auth``   VK Cloud OAuth token endpoint (mcs.mail.ru)
``/ok-api``             ``ok``              OK API: ``/fb.do``, ``/api/..``, ``/oauth/token.do`` (oauth ``ok``)
``/ok-connect``         ``ok_connect``      connect.ok.ru: ``/oauth/authorize``
``/ok-upload``          ``ok_upload``       OK photo upload host (``upload_url``)
======================  ==================  ===============================================================

Two listeners: services whose spec says ``listener="storage"`` (the upload and download hosts, other hosts at the
real service) are served by a second app on their own port (``create_app(state, listener="storage")``); the API
app (``listener="api"``) has the control API and every other service. The API app's ``state.storage_base_url``
tells services where hrefs to the storage listener point. ``create_app(state)`` without a listener serves all of it
on one port (hrefs then point at that port). Any ``Authorization`` header that reaches a storage service is
recorded in the created log (kind ``authorization_received``, with the scheme, never the credential).

Adding a service: write the package ``sandbox/<service>/`` exposing its ``ServiceSpec`` values (see :mod:`.state`)
in its ``declaration.py`` (a ``SandboxService``), named by the service's ``ServiceDeclaration.sandbox``. Fault
rules name services by the "Service name" column (or the prefix, e.g. ``yandex-disk``).
"""

from __future__ import annotations

import email.utils
from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .clock import SandboxClock
from .control import control_routes
from .faults import FaultMiddleware, quiet_drop_logs
from .registry import DEFAULT_SERVICES
from .state import CreatedLog, SandboxState, ServiceSpec

__all__ = ["DEFAULT_SERVICES", "CreatedLog", "SandboxState", "ServiceSpec", "create_app"]



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


class RequestObserver:
    """Observes every request once, by the service its path belongs to (the control API and unknown paths belong
    to none):

    - counts it (``GET /_control/requests``): benchmarks read the load a client puts on an API where it lands;
    - on a storage-listener service, records an ``Authorization`` header. The real upload/download hosts need no
      token (the href is the credential) and a client must never send its OAuth token there; tests assert that no
      such record appears. Only the scheme is kept, never the credential.
    """

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state
        self.storage = {spec.name for spec in state.specs if spec.listener == "storage"}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            service = self.state.service_for_path(scope["path"])
            if service is not None:
                self.state.requests[service] += 1
                if service in self.storage:
                    header = dict(scope.get("headers") or []).get(b"authorization")
                    if header is not None:
                        scheme = header.decode("latin-1").split(" ", 1)[0][:20]
                        self.state.record(service, "authorization_received", method=scope["method"], scheme=scheme)
        await self.app(scope, receive, send)


LISTENERS = ("api", "storage")


def create_app(
    state: SandboxState | None = None, services: Sequence[ServiceSpec] | None = None, *, listener: str | None = None
) -> Starlette:
    """Build the app; ``state.specs`` (or ``services`` for a new state, the registry's by default) decides what is
    mounted.

    :param state: the sandbox state to serve; a new one when None.
    :param services: the services of that new state (``DEFAULT_SERVICES`` when None); ignored with ``state``.

    :param listener: ``"api"`` (control API + API services), ``"storage"`` (storage services only) or None (all
        on one port).
    """
    if listener is not None and listener not in LISTENERS:
        raise ValueError(f"listener must be one of {LISTENERS} or None, got {listener!r}")
    if state is None:
        state = SandboxState(DEFAULT_SERVICES if services is None else services)
    routes: list[BaseRoute] = [] if listener == "storage" else [Mount("/_control", routes=control_routes(state))]
    for spec in state.specs:
        if listener is None or spec.listener == listener:
            routes.extend(spec.routes(state))
    quiet_drop_logs()
    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(RequestObserver, state=state),
            Middleware(SandboxDateMiddleware, clock=state.clock),
            Middleware(FaultMiddleware, injector=state.faults, resolve_service=state.service_for_path),
        ],
    )
    app.state.sandbox = state
    app.state.storage_base_url = None
    return app
