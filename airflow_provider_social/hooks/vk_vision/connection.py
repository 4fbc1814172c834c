"""VK Cloud Vision as the provider declares it: the ``vk_vision`` connection form (conn-fields and
ui-field-behaviour), its health summary and its sandbox. Plain data, standard library only (read at Airflow
start-up); listed in ``services.py``. No auth command: a service token or client credentials are typed in."""

from __future__ import annotations

from airflow_provider_social.core.declaration import (
    ConnectionFields,
    ConnectionForm,
    CredentialSummary,
    ServiceDeclaration,
)
from airflow_provider_social.core.declaration import string_field as _string

DEFAULT_BASE_URL = "https://smarty.mail.ru"
DEFAULT_TOKEN_URL = "https://mcs.mail.ru/auth/oauth/v1/token"

CONNECTION_FORM = ConnectionForm(
    conn_type="vk_vision", hook_name="VK Cloud Vision",
    hook_class_name="airflow_provider_social.hooks.vk_vision.VkVisionHook",
    fields={
        "client_id": _string("OAuth client ID", "Instead of a service token: VK Cloud console -> AI API -> Vision "
                             "API -> OAuth client ID (client-credentials grant; tokens live 1 hour and are renewed)."),
        "client_secret": _string("OAuth client secret", "The OAuth secret key shown on the same page.", secret=True),
        "api_base_url": _string("API base URL", "Vision API; override for the sandbox or a proxy.",
                                default=DEFAULT_BASE_URL),
        "oauth_endpoint": _string("OAuth endpoint", "VK Cloud OAuth token endpoint (the console's 'OAuth "
                                  "endpoint').", default=DEFAULT_TOKEN_URL),
    },
    behaviour={
        "hidden-fields": ["host", "port", "schema", "login"],
        "relabeling": {"password": "Service token"},
        "placeholders": {"password": "VK Cloud console -> AI API -> Vision API -> Add service token"},
    },
)


def credentials(conn: ConnectionFields) -> CredentialSummary:
    """The health page's summary: a service token (the password) or OAuth client credentials, never a user token.

    :param conn: the stored connection.
    """
    return CredentialSummary("service token" if conn.password else "OAuth client credentials", bool(conn.password),
                             standing=True)

SERVICE = ServiceDeclaration(
    name="vk_vision",
    connection=CONNECTION_FORM,
    credentials=credentials,
    sandbox="airflow_provider_social.sandbox.vk_vision.declaration.SANDBOX",
    extra_links=("airflow_provider_social.links.vk_vision.VkVisionConsoleLink",),
    trigger_modules=("airflow_provider_social.triggers.vk_vision",),
    sensor_modules=("airflow_provider_social.sensors.vk_vision",),
)
