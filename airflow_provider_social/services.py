"""The registry of services: the one list that ``get_provider_info.py``, the CLI, the UI plugin and the sandbox
loop over.

Each service declares itself in its hook package (``hooks/<service>/connection.py``: connection form, auth command,
UI authorisation, health summary, sandbox); adding a service means writing that package and adding its
``SERVICE`` here. Standard library only (read by every Airflow process at start-up).
"""

from __future__ import annotations

from airflow_provider_social.core.declaration import ServiceDeclaration
from airflow_provider_social.hooks.ok import connection as ok_connection
from airflow_provider_social.hooks.twitter import connection as twitter_connection
from airflow_provider_social.hooks.vk import connection as vk_connection
from airflow_provider_social.hooks.vk_vision import connection as vk_vision_connection
from airflow_provider_social.hooks.yandex_disk import connection as yandex_disk_connection

SERVICES: tuple[ServiceDeclaration, ...] = (
    yandex_disk_connection.SERVICE,
    twitter_connection.SERVICE,
    vk_connection.SERVICE,
    vk_vision_connection.SERVICE,
    ok_connection.SERVICE,
)

_registered: list[ServiceDeclaration] = []


def all_services() -> tuple[ServiceDeclaration, ...]:
    """The provider's services (:data:`SERVICES`), then any added by :func:`register`."""
    return (*SERVICES, *_registered)


def register(service: ServiceDeclaration) -> None:
    """Add a service declared outside this package (the test suite's extra service). Only what is read after the
    call sees it: call it before Airflow reads the provider metadata.

    :param service: its declaration; its name and connection type must be new.
    """
    taken = {(s.name, s.connection.conn_type) for s in all_services()}
    if any(service.name == name or service.connection.conn_type == conn_type for name, conn_type in taken):
        raise ValueError(f"service {service.name!r} (connection type {service.connection.conn_type!r}) is taken")
    _registered.append(service)


def unregister(service: ServiceDeclaration) -> None:
    """Remove a service added by :func:`register`.

    :param service: its declaration.
    """
    _registered.remove(service)


def service_for(conn_type: str | None) -> ServiceDeclaration | None:
    """The declaration of the service whose connection type is ``conn_type``, if it is ours.

    :param conn_type: a connection type.
    """
    return next((service for service in all_services() if service.connection.conn_type == conn_type), None)
