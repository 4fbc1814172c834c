"""Provider metadata read by Airflow's ProvidersManager (entry point ``apache_airflow_provider``).

Connection forms are declared here (``conn-fields`` + ``ui-field-behaviour``): Airflow 3.3's UI reads only these.
Custom fields are stored as plain keys in the Connection's ``extra`` JSON. Keep this module import-free: it runs
in every Airflow process at start-up.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_social import __version__


def _string(label: str, description: str = "", *, secret: bool = False, default: Any = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if secret:
        schema["format"] = "password"
    if default is not None:
        schema["default"] = default
    field: dict[str, Any] = {"label": label, "schema": schema}
    if description:
        field["description"] = description
    return field


# Transport settings every connection type accepts (read by hooks.base.SocialHook).
COMMON_CONN_FIELDS: dict[str, dict[str, Any]] = {
    "timeout": {
        "label": "Request timeout (s)",
        "description": "Read timeout for each request; the connect timeout is at most 10 s.",
        "schema": {"type": ["number", "null"], "minimum": 1},
    },
    "max_retries": {
        "label": "Max retries",
        "description": "Retries after 429, 5xx and connection errors (default 4).",
        "schema": {"type": ["integer", "null"], "minimum": 0, "maximum": 20},
    },
    "max_retry_wait": {
        "label": "Max total retry wait (s)",
        "description": "Upper bound on all waits of one call, including Retry-After (default 120).",
        "schema": {"type": ["number", "null"], "minimum": 0},
    },
    "proxy": _string("Proxy URL", "e.g. http://proxy:3128; used for every request of this connection."),
    "ca_bundle": _string("CA bundle path", "Path to a PEM bundle for TLS verification (corporate proxies)."),
    "token_store": _string(
        "Token store",
        "Where rotated tokens are kept: 'variable' (default; Airflow Variable social_token_<conn_id>), "
        "or 'file:/shared/dir'.",
    ),
}


def _connection_type(
    conn_type: str,
    hook: str,
    name: str,
    fields: dict[str, dict[str, Any]],
    behaviour: dict[str, Any],
) -> dict[str, Any]:
    return {
        "connection-type": conn_type,
        "hook-class-name": hook,
        "hook-name": name,
        "conn-fields": {**fields, **COMMON_CONN_FIELDS},
        "ui-field-behaviour": behaviour,
    }


YANDEX_DISK_CONNECTION = _connection_type(
    "yandex_disk",
    "airflow_provider_social.hooks.yandex_disk.YandexDiskHook",
    "Yandex Disk",
    {
        "refresh_token": _string("Refresh token", "Yandex ID refresh token (renews the access token).", secret=True),
        "client_id": _string("Client ID", "ClientID of your app at oauth.yandex.ru (needed to refresh)."),
        "client_secret": _string("Client secret", "Client secret of the same app.", secret=True),
        "api_base_url": _string("API base URL", "Disk REST API; override for the sandbox or a proxy.",
                                default="https://cloud-api.yandex.net"),
        "oauth_base_url": _string("OAuth base URL", "Yandex ID; override for the sandbox.",
                                  default="https://oauth.yandex.ru"),
    },
    {
        "hidden-fields": ["host", "port", "schema", "login", "extra"],
        "relabeling": {"password": "OAuth access token"},
        "placeholders": {"password": "y0_... (from `airflow social auth yandex`)"},
    },
)


def get_provider_info() -> dict[str, Any]:
    return {
        "package-name": "airflow-provider-social",
        "name": "Social (VK, X, Yandex Disk, OK)",
        "description": "Post, upload and keep credentials fresh on VK, VK Cloud Vision, Twitter/X, Yandex Disk "
        "and Odnoklassniki; ships a strict local sandbox of every API.",
        "versions": [__version__],
        "connection-types": [YANDEX_DISK_CONNECTION],
        "extra-links": ["airflow_provider_social.links.yandex_disk.YandexDiskPublicLink"],
        "triggers": [
            {"integration-name": "Yandex Disk", "python-modules": ["airflow_provider_social.triggers.yandex_disk"]},
        ],
        "notifications": [],
        "cli": ["airflow_provider_social.cli.definition.get_cli_commands"],
    }
