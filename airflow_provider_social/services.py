"""The registry of services: the one list that ``get_provider_info.py`` and the CLI assemble.

Each service declares its connection form and its ``airflow social auth`` command beside its hook
(``hooks/<service>_connection.py``); adding a service means writing that module and adding it here.
Standard library only (read by every Airflow process at start-up).
"""

from __future__ import annotations

from airflow_provider_social.core.declaration import ServiceDeclaration
from airflow_provider_social.hooks import twitter_connection, yandex_disk_connection
from airflow_provider_social.hooks.ok import connection as ok_connection

SERVICES: tuple[ServiceDeclaration, ...] = (
    yandex_disk_connection.SERVICE,
    twitter_connection.SERVICE,
    ok_connection.SERVICE,
)
