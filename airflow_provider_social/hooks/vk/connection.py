"""VK as the provider declares it: the ``vk`` connection form, ``airflow social auth vk`` and its VK ID
authorization-code flow; plus the defaults and the group-id forms the hook accepts.

Plain data, standard library only (read by every Airflow process); listed in ``airflow_provider_social/services.py``.
The hook is ``hooks/vk/hook.py``, the command's implementation ``cli.py``, the UI's adapter ``authorize.py``.
"""

from __future__ import annotations

import re
from typing import Any

from airflow_provider_social.core.authflow import AuthCodeConfig
from airflow_provider_social.core.declaration import (
    BROWSER_FLOW_ARGS,
    AuthCommand,
    ConnectionForm,
    OAuthOverride,
    ServiceDeclaration,
    cli_arg,
    user_token_summary,
)
from airflow_provider_social.core.declaration import string_field as _field

DEFAULT_API_VERSION = "5.199"
DEFAULT_ENDPOINTS = {
    "api_base_url": "https://api.vk.ru",
    "oauth_base_url": "https://oauth.vk.ru",
    "vk_id_base_url": "https://id.vk.com",
}
#: The seed guide's scopes for the legacy implicit-flow link (community work; market and ads for later issues).
IMPLICIT_SCOPES = "offline,wall,groups,photos,stats,stories,video,docs,market,ads"
#: VK ID scopes asked by `airflow social auth vk` (space-separated; `wall` is granted to VK ID apps on request).
VK_ID_SCOPES = "vkid.personal_info wall groups photos stats stories video docs"
DEFAULT_REDIRECT_URI = "http://localhost:8765/callback"


VK_CONN_FIELDS: dict[str, dict[str, Any]] = {
    "access_token": _field(
        "User access token", "A community admin's user token: wall posts, photos, albums, polls, statistics. "
        "From the token link (`airflow social auth vk --implicit`) or VK ID (`airflow social auth vk`).",
        secret=True),
    "community_token": _field(
        "Community token", "The community key (Manage -> API usage -> Create key): messages, stories, docs. "
        "Store it with `airflow social auth vk --community-token`.", secret=True),
    "group_id": _field("Group ID", "The community: 123456, -123456, club123456 or public123456."),
    "app_id": _field("App ID", "Your app at id.vk.com (needed for VK ID tokens and the token link)."),
    "client_secret": _field("Client secret", "The app's protected key (optional).", secret=True),
    "refresh_token": _field("VK ID refresh token", "Written by `airflow social auth vk`; rotates on every refresh; "
                            "the newest lives in the token store.", secret=True),
    "device_id": _field("VK ID device ID", "Written by `airflow social auth vk` with the tokens."),
    "api_version": _field("API version", "The `v` sent with every call (the guide's 5.131 still works).",
                          default=DEFAULT_API_VERSION),
    "api_base_url": _field("API base URL", "https://api.vk.ru, or https://partners.api.vk.ru (needs the "
                           "Russian Ministry of Digital Development root CA: set the CA bundle path).",
                           default=DEFAULT_ENDPOINTS["api_base_url"]),
    "oauth_base_url": _field("OAuth base URL", "Legacy token link host.", default=DEFAULT_ENDPOINTS["oauth_base_url"]),
    "vk_id_base_url": _field("VK ID base URL", "VK ID OAuth 2.1 host.", default=DEFAULT_ENDPOINTS["vk_id_base_url"]),
}

VK_UI_FIELD_BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["host", "port", "schema", "login", "password"],
    "relabeling": {},
    # Airflow 3.3 renders placeholders of the standard fields only: the custom fields' descriptions show examples.
    "placeholders": {},
}

_GROUP_RE = re.compile(r"^(?:-?(?P<num>[0-9]{1,12})|(?:club|public|event)(?P<name>[0-9]{1,12}))$")


def parse_group_id(value: Any, *, field: str = "group_id") -> int:
    """A community id as a positive int, from 123, -123, "club123", "public123" or "https://vk.com/club123"."""
    from airflow_provider_social.core.errors import input_error

    text = str(value).strip() if value is not None else ""
    text = re.sub(r"^(?:https?://)?(?:m\.)?vk\.(?:com|ru)/", "", text)
    match = _GROUP_RE.match(text)
    number = int(match.group("num") or match.group("name")) if match else 0
    if number <= 0:
        raise input_error(field, f"expected a community id (123456, -123456, club123456 or public123456), got "
                          f"{value!r}", service="VK")
    return number


# ---------------------------------------------------------------------------------------------- declaration
CONNECTION_FORM = ConnectionForm(
    conn_type="vk",
    hook_class_name="airflow_provider_social.hooks.vk.VkHook",
    hook_name="VK",
    fields=VK_CONN_FIELDS,
    behaviour=VK_UI_FIELD_BEHAVIOUR,
)

# VK ID OAuth 2.1: space-separated scopes, PKCE S256, the redirect brings a device_id that the code exchange and
# every refresh need; the token endpoint takes client_id (and the optional secret) in the form body and wants the
# request's state too (reference 1.8).
AUTH_FLOW = AuthCodeConfig(
    service="VK ID",
    authorize_url=f"{DEFAULT_ENDPOINTS['vk_id_base_url']}/authorize",
    scopes=VK_ID_SCOPES,
    scope_separator=" ",
    client_auth="body",
    redirect_params=("device_id",),
    send_state=True,
    code_lifetime="VK ID codes live 10 minutes",
    default_redirect_uri=DEFAULT_REDIRECT_URI,
)

AUTH_COMMAND = AuthCommand(
    name="vk", conn_id="vk_default",
    help="VK: VK ID OAuth 2.1 with PKCE (default), the legacy token link (--implicit) or a community key "
    "(--community-token) for a vk connection",
    func="airflow_provider_social.hooks.vk.cli.auth_vk",
    args=(
        cli_arg("--app-id", help="App ID of your app at id.vk.com (default: the connection's app_id)"),
        cli_arg("--implicit", action="store_true",
                help="Print the legacy token link (offline token) and read the pasted blank.html#access_token=... "
                "address"),
        cli_arg("--community-token", action="store_true", help="Store a community key, read from a hidden prompt"),
        cli_arg("--redirect-uri", help=f"VK ID redirect URI registered for the app (default {DEFAULT_REDIRECT_URI}; "
                "a loopback URI is served by this command)"),
        cli_arg("--scope", help=f"Space-separated VK ID scopes (default: {VK_ID_SCOPES})"),
        *BROWSER_FLOW_ARGS,
    ),
    # --oauth-base-url is the VK ID host, or with --implicit the legacy token link's host.
    oauth_override=OAuthOverride("vk_id_base_url", extra_when=(("implicit", "oauth_base_url"),)),
)


#: The name errors and logs give the service (light to import: operators name it at DAG parse time).
SERVICE_NAME = "VK"

SERVICE = ServiceDeclaration(
    name="vk", connection=CONNECTION_FORM, auth=AUTH_COMMAND, auth_flow=AUTH_FLOW,
    ui_flow="airflow_provider_social.hooks.vk.authorize.UI_FLOW",
    # a user token (VK ID or the token link) and/or a community key
    credentials=user_token_summary(standing=(("community_token", "community key"),)),
    sandbox="airflow_provider_social.sandbox.vk.declaration.SANDBOX",
    extra_links=("airflow_provider_social.links.vk.VkPostLink",),
    trigger_modules=("airflow_provider_social.triggers.vk_events",),
    sensor_modules=("airflow_provider_social.sensors.vk",),
    notifiers=("airflow_provider_social.notifications.vk.VkNotifier",),
)


__all__ = [
    "AUTH_COMMAND",
    "AUTH_FLOW",
    "CONNECTION_FORM",
    "DEFAULT_API_VERSION",
    "SERVICE",
    "DEFAULT_ENDPOINTS",
    "IMPLICIT_SCOPES",
    "VK_CONN_FIELDS",
    "VK_ID_SCOPES",
    "VK_UI_FIELD_BEHAVIOUR",
    "parse_group_id",
]
