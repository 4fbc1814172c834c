"""The registry of sandbox services: every emulated service's :class:`~.state.ServiceSpec`, in mount order.

Read from the provider's one registry, ``services.all_services()``: each service names its sandbox package's
declaration (``ServiceDeclaration.sandbox``, e.g. ``sandbox/vk/declaration.py``). :mod:`.app` and :mod:`.server`
read this list to build a sandbox; :mod:`.state` never does (a :class:`~.state.SandboxState` is given its
services), so the service packages, which import :mod:`.state`, import nothing that imports them back. Adding a
service: write its package under ``sandbox/<service>/`` with a ``declaration.py`` and name it in the service's
declaration.
"""

from __future__ import annotations

from airflow_provider_social.core.declaration import load
from airflow_provider_social.services import all_services

from .state import ServiceSpec


def declared_specs() -> tuple[ServiceSpec, ...]:
    """The specs of every registered service with a sandbox, in registry order."""
    return tuple(spec for service in all_services() if service.sandbox for spec in load(service.sandbox).specs)


DEFAULT_SERVICES: tuple[ServiceSpec, ...] = declared_specs()

__all__ = ["DEFAULT_SERVICES", "declared_specs"]
