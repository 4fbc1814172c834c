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
======================  ==================  ===============================================================

Adding a service (X, VK, OK, Vision): write ``sandbox/<service>.py`` exposing ``SERVICE = ServiceSpec(...)``
(see :mod:`.state`) and append it to ``DEFAULT_SERVICES`` below. Fault rules name services by the
"Service name" column (or the prefix, e.g. ``yandex-disk``).
"""

from __future__ import annotations

from collections.abc import Sequence

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import BaseRoute, Mount

from . import yandex_disk, yandex_id
from .control import control_routes
from .faults import FaultMiddleware, quiet_drop_logs
from .state import CreatedLog, SandboxState, ServiceSpec

__all__ = ["DEFAULT_SERVICES", "CreatedLog", "SandboxState", "ServiceSpec", "create_app"]

DEFAULT_SERVICES: tuple[ServiceSpec, ...] = (
    yandex_id.SERVICE, yandex_disk.SERVICE, yandex_disk.UPLOADER, yandex_disk.DOWNLOADER,
)


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
            Middleware(FaultMiddleware, injector=state.faults, resolve_service=state.service_for_path),
        ],
    )
    app.state.sandbox = state
    return app
