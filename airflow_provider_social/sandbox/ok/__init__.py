"""Odnoklassniki (OK.ru) sandbox: api.ok.ru (``fb.do``, ``/api/<group>/<method>``, ``oauth/token.do``),
connect.ok.ru (the authorization dialogue) and the photo upload host. Facts: reference section 3.

==============  ==============  =====================================================================
Prefix          Service name    What
==============  ==============  =====================================================================
``/ok-api``     ``ok``          ``/fb.do``, ``/api/{group}/{name}``, ``/oauth/token.do`` (oauth ``ok``)
``/ok-connect`` ``ok_connect``  ``/oauth/authorize``
``/ok-upload``  ``ok_upload``   ``/uploadImage?apiToken=..`` (the ``upload_url`` of photosV2.getUploadUrl)
==============  ==============  =====================================================================

Control: ``POST /_control/state/ok`` injects API errors per method or loses an answer (see
:meth:`OkState.configure`); ``POST /_control/oauth/ok/tokens`` mints tokens (scope ``;``-separated).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount, Route

from ..state import SandboxState, ServiceSpec
from .api import endpoint
from .constants import (
    ALL_PERMISSIONS,
    CONNECT_NAME,
    CONNECT_PREFIX,
    NAME,
    OAUTH_NAME,
    PREFIX,
    SANDBOX_APP_ID,
    SANDBOX_APP_KEY,
    SANDBOX_APP_SECRET,
    SANDBOX_GROUP_ID,
    SANDBOX_UID,
    UPLOAD_NAME,
    UPLOAD_PREFIX,
)
from .methods import METHODS
from .oauth import make_oauth_server
from .state import OkState
from .upload import upload_endpoint

__all__ = ["CONNECT_SERVICE", "SANDBOX_APP_ID", "SANDBOX_APP_KEY", "SANDBOX_APP_SECRET", "SANDBOX_GROUP_ID",
           "SANDBOX_UID", "SERVICE", "UPLOAD_SERVICE", "OAUTH_NAME", "ALL_PERMISSIONS"]


def _oauth(state: SandboxState, handler: str):
    """A route calling the *current* OAuth server's handler (looked up per request: reset() replaces it)."""

    async def route(request: Request) -> Response:
        return await getattr(state.oauth[OAUTH_NAME], handler)(request)

    return route


def _api_routes(state: SandboxState) -> list[BaseRoute]:
    methods = ["GET", "POST"]
    return [Mount(PREFIX, routes=[
        Route("/fb.do", endpoint(state, METHODS), methods=methods),
        Route("/api/{group}/{name}", endpoint(state, METHODS, rest=True), methods=methods),
        Route("/oauth/token.do", _oauth(state, "_token_endpoint"), methods=["POST"]),
    ])]


def _connect_routes(state: SandboxState) -> list[BaseRoute]:
    return [Mount(CONNECT_PREFIX, routes=[
        Route("/oauth/authorize", _oauth(state, "_authorize_get"), methods=["GET"]),
        Route("/oauth/authorize", _oauth(state, "_authorize_post"), methods=["POST"]),
    ])]


def _upload_routes(state: SandboxState) -> list[BaseRoute]:
    return [Mount(UPLOAD_PREFIX, routes=[Route("/uploadImage", upload_endpoint(state), methods=["POST"])])]


SERVICE = ServiceSpec(
    name=NAME, prefix=PREFIX, routes=_api_routes, oauth_factory=make_oauth_server,
    state_factory=lambda sandbox: OkState(sandbox), description="OK API (api.ok.ru) with oauth/token.do",
)
CONNECT_SERVICE = ServiceSpec(name=CONNECT_NAME, prefix=CONNECT_PREFIX, routes=_connect_routes,
                              description="connect.ok.ru OAuth authorization dialogue")
UPLOAD_SERVICE = ServiceSpec(name=UPLOAD_NAME, prefix=UPLOAD_PREFIX, routes=_upload_routes,
                             description="OK photo upload host (upload_url)")
