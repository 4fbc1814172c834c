"""Sandbox state and what a service declares to plug in (the list of services is :mod:`.registry`).

A service package plugs in by exposing a :class:`ServiceSpec`: its name (used by fault rules,
``/_control/state`` and the created log), its URL prefix, a function returning its routes, and optional
factories for its OAuth server and its in-memory state. Route handlers must look state up through
:class:`SandboxState` at request time (never capture it when the routes are built) so that ``reset()``
really starts from scratch.
"""

from __future__ import annotations

import collections
import itertools
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from starlette.routing import BaseRoute

from .clock import SandboxClock
from .faults import FaultInjector
from .oauth_server import OAuthServer


class Dumpable(Protocol):
    def dump(self) -> dict[str, Any]: ...


@dataclass(frozen=True)
class ServiceSpec:
    name: str  # "yandex_disk"
    prefix: str  # "/yandex-disk"
    routes: Callable[[SandboxState], list[BaseRoute]]
    oauth_factory: Callable[[SandboxClock], OAuthServer] | None = None  # registered under server.name
    state_factory: Callable[[SandboxState], Dumpable] | None = None
    description: str = ""
    # "api": served with the control API on the main port; "storage": on the separate storage listener (upload
    # and download hosts, which are other hosts at the real service and must never see the API's credentials).
    listener: str = "api"


@dataclass(frozen=True)
class SandboxService:
    """What one sandbox package declares, named by its service's ``ServiceDeclaration.sandbox``: the specs it
    mounts (in order) and the Airflow connection that reaches it (``sandbox.connections.SandboxConnection``)."""

    specs: tuple[ServiceSpec, ...]
    connection: Any = None


class CreatedLog:
    """Append-only, thread-safe record of what clients created (posts, uploads, ...), for test inspection."""

    def __init__(self, clock: SandboxClock) -> None:
        self._clock = clock
        self._lock = threading.Lock()
        self._events: list[dict[str, Any]] = []
        self._seq = itertools.count(1)

    def record(self, service: str, kind: str, **data: Any) -> dict[str, Any]:
        with self._lock:
            event = {
                "seq": next(self._seq),
                "at": self._clock.now(),
                "service": service,
                "kind": kind,
                "data": data,
            }
            self._events.append(event)
            return event

    def events(self, service: str | None = None) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._events if service is None or e["service"] == service]


class SandboxState:
    """Everything the sandbox remembers. One instance per app; ``reset()`` rebuilds it in place."""

    def __init__(self, services: Sequence[ServiceSpec]) -> None:
        """:param services: what this sandbox serves (``registry.DEFAULT_SERVICES`` for all of it). The state never
            reads the registry itself: the service packages import this module, and the registry imports them.
        """
        self.specs: tuple[ServiceSpec, ...] = tuple(services)
        self.clock = SandboxClock()
        self.faults = FaultInjector()
        self._lock = threading.RLock()
        self.oauth: dict[str, OAuthServer] = {}
        self.services: dict[str, Dumpable] = {}
        self.created = CreatedLog(self.clock)
        #: Requests served per service since the last reset (control API excluded): benchmarks read the load a
        #: client puts on an API here, where it lands.
        self.requests: collections.Counter[str] = collections.Counter()
        self.reset()

    def reset(self) -> None:
        """Fresh OAuth servers and service states, wall-clock time, no faults, empty created log."""
        with self._lock:
            self.clock.reset()
            self.faults.clear()
            self.created = CreatedLog(self.clock)
            self.requests = collections.Counter()
            self.oauth = {}
            for spec in self.specs:
                if spec.oauth_factory is not None:
                    server = spec.oauth_factory(self.clock)
                    self.oauth[server.name] = server
            # Service states may need the OAuth servers, so they are built second.
            self.services = {
                spec.name: spec.state_factory(self) for spec in self.specs if spec.state_factory is not None
            }

    def record(self, service: str, kind: str, **data: Any) -> dict[str, Any]:
        return self.created.record(service, kind, **data)

    def service_for_path(self, path: str) -> str | None:
        """The service a request path belongs to (None for the control API and unknown paths)."""
        for spec in self.specs:
            if path == spec.prefix or path.startswith(spec.prefix + "/"):
                return spec.name
        return None

    def dump(self, name: str) -> dict[str, Any]:
        if name in self.services:
            return self.services[name].dump()
        if name in self.oauth:
            return self.oauth[name].dump()
        raise KeyError(name)
