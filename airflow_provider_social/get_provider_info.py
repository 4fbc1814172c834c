"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``).

Connection forms (``conn-fields`` + ``ui-field-behaviour``; Airflow 3.3's UI reads only these), extra links,
triggers, sensors and notifiers are declared by each service in its hook package (``hooks/<service>/connection.py``)
and assembled here from the one registry, ``services.all_services()``. Custom fields are stored as plain keys in the
Connection's ``extra`` JSON. Keep this module and what it imports free of heavy imports: it runs in every Airflow
process at start-up.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_social import __version__
from airflow_provider_social.core.declaration import COMMON_CONN_FIELDS, ServiceDeclaration
from airflow_provider_social.services import all_services

__all__ = ["COMMON_CONN_FIELDS", "get_provider_info"]


def _listing(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def describe(services: tuple[ServiceDeclaration, ...] | None = None) -> tuple[str, str]:
    """The provider's name and description on Airflow's Providers page: the installed services (``services.py``),
    so the page grows with each service and never lists one that does not exist.

    :param services: the services to list (default: every registered one).
    """
    services = all_services() if services is None else services
    names = [service.connection.hook_name for service in services]
    name = f"Social ({', '.join(names)})" if names else "Social"
    description = (f"Post, upload and keep credentials fresh on {_listing(names)}; ships a strict local sandbox of "
                   "every API." if names else "No service is registered.")
    return name, description


def get_provider_info() -> dict[str, Any]:
    services = all_services()
    name, description = describe(services)
    return {
        "package-name": "airflow-provider-social",
        "name": name,
        "description": description,
        "versions": [__version__],
        "connection-types": [service.connection.provider_info() for service in services],
        "extra-links": [link for service in services for link in service.extra_links],
        "triggers": [
            {"integration-name": service.connection.hook_name, "python-modules": list(service.trigger_modules)}
            for service in services if service.trigger_modules
        ],
        "sensors": [
            {"integration-name": service.connection.hook_name, "python-modules": list(service.sensor_modules)}
            for service in services if service.sensor_modules
        ],
        "notifications": [notifier for service in services for notifier in service.notifiers],
        "filesystems": [module for service in services for module in service.filesystem_modules],
        "cli": ["airflow_provider_social.cli.definition.get_cli_commands"],
        # No "plugins" key: the plugin is the airflow.plugins entry point (pyproject.toml), which Airflow always
        # loads; declared here as well, it loaded twice with lazy_discover_providers = False ("already registered").
    }
