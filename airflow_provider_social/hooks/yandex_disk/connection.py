"""Yandex Disk as the provider declares it: the ``yandex_disk`` connection form and ``airflow social auth yandex``.

Plain data, standard library only (read by every Airflow process); listed in ``airflow_provider_social/services.py``.
The hook is the ``hooks/yandex_disk`` package; the command is ``cli.py`` (device flow), the UI's adapter
``authorize.py``.
"""

from __future__ import annotations

from airflow_provider_social.core.declaration import (
    CLIENT_CREDENTIAL_ARGS,
    PRINT_ONLY_ARG,
    AuthCommand,
    ConnectionForm,
    ServiceDeclaration,
    cli_arg,
    user_token_summary,
)
from airflow_provider_social.core.declaration import string_field as _string

CONNECTION_FORM = ConnectionForm(
    conn_type="yandex_disk",
    hook_class_name="airflow_provider_social.hooks.yandex_disk.YandexDiskHook",
    hook_name="Yandex Disk",
    fields={
        "refresh_token": _string("Refresh token", "Yandex ID refresh token (renews the access token).", secret=True),
        "client_id": _string("Client ID", "ClientID of your app at oauth.yandex.ru (needed to refresh)."),
        "client_secret": _string("Client secret", "Client secret of the same app.", secret=True),
        "api_base_url": _string("API base URL", "Disk REST API; override for the sandbox or a proxy.",
                                default="https://cloud-api.yandex.net"),
        "oauth_base_url": _string("OAuth base URL", "Yandex ID; override for the sandbox.",
                                  default="https://oauth.yandex.ru"),
    },
    behaviour={
        "hidden-fields": ["host", "port", "schema", "login"],
        "relabeling": {"password": "OAuth access token"},
        "placeholders": {"password": "y0_... (from `airflow social auth yandex`)"},
    },
)

AUTH_COMMAND = AuthCommand(
    name="yandex", conn_id="yandex_disk_default",
    help="Yandex ID device-code flow for a yandex_disk connection",
    func="airflow_provider_social.hooks.yandex_disk.cli.auth_yandex",
    args=(
        *CLIENT_CREDENTIAL_ARGS,
        cli_arg("--timeout", type=int, default=300,
                help="Seconds to wait for the code to be approved (at most the code's lifetime)"),
        PRINT_ONLY_ARG,
    ),
)

#: The name errors and logs give the service (light to import: triggers and operators name it at DAG parse time).
SERVICE_NAME = "Yandex Disk"

SERVICE = ServiceDeclaration(
    name="yandex_disk", connection=CONNECTION_FORM, auth=AUTH_COMMAND,
    ui_flow="airflow_provider_social.hooks.yandex_disk.authorize.UI_FLOW",
    credentials=user_token_summary(in_password=True),
    sandbox="airflow_provider_social.sandbox.yandex.declaration.SANDBOX",
    extra_links=("airflow_provider_social.links.yandex_disk.YandexDiskPublicLink",),
    trigger_modules=("airflow_provider_social.triggers.yandex_disk",
                     "airflow_provider_social.triggers.yandex_disk_events"),
    sensor_modules=("airflow_provider_social.sensors.yandex_disk",),
    filesystem_modules=("airflow_provider_social.fs.yadisk",),
)
