"""Mounting a service's OAuth server under its prefix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Mount
from starlette.types import Receive, Scope, Send

if TYPE_CHECKING:
    from ..state import SandboxState


def mounted_oauth(prefix: str, oauth_name: str) -> Callable[[SandboxState], list[BaseRoute]]:
    """The routes factory of a service that is nothing but its OAuth server (``ServiceSpec.routes``)."""

    def routes(state: SandboxState) -> list[BaseRoute]:
        async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
            # Looked up per request so /_control/reset swaps in a fresh server.
            await state.oauth[oauth_name].app(scope, receive, send)

        return [Mount(prefix, app=dispatch)]

    return routes
