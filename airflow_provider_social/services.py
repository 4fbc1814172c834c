"""The registry of services: the one list that ``get_provider_info.py`` and the CLI assemble.

Each service declares its connection form and its ``airflow social auth`` command beside its hook
(``hooks/<service>/connection.py``); adding a service means writing that module and adding it here.
Standard library only (read by every Airflow process at start-up).
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
    ok_connection.SERVICE,
    vk_vision_connection.SERVICE,
)
