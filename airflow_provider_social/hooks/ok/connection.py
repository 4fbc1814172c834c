"""OK.ru as the provider declares it: the ``odnoklassniki`` connection form (the three app values from the
developer's e-mail, the tokens, the group), ``airflow social auth ok`` and its authorization-code flow.

Plain data, import-light (read by every Airflow process at start-up); listed in ``airflow_provider_social/services.py``.
The hook is ``hooks/ok/hook.py``, the command's implementation ``cli.py``, the UI's adapter ``authorize.py``.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_social.core.authflow import AuthCodeConfig
from airflow_provider_social.core.declaration import (
    BROWSER_FLOW_ARGS,
    AuthCommand,
    ConnectionForm,
    ServiceDeclaration,
    cli_arg,
    suggested_field,
)
from airflow_provider_social.core.declaration import string_field as _string

CONN_TYPE = "odnoklassniki"
HOOK_CLASS = "airflow_provider_social.hooks.ok.OkHook"
HOOK_NAME = "Odnoklassniki (OK.ru)"
DEFAULT_CONN_ID = "odnoklassniki_default"
DEFAULT_PERMISSIONS = "VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT"
DEFAULT_API_BASE_URL = "https://api.ok.ru"
DEFAULT_OAUTH_BASE_URL = "https://connect.ok.ru"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
AUTHORIZE_PATH = "/oauth/authorize"


FIELDS: dict[str, dict[str, Any]] = {
    "application_id": _string("Application ID", "Application ID from the e-mail OK sends after you add the OAuth "
                              "platform (ok.ru/vitrine/myuploaded -> your app)."),
    "application_key": _string("Application public key", "Публичный ключ приложения from the same e-mail; sent "
                               "with every call as application_key."),
    "access_token": _string("Access token", "Written by `airflow social auth ok`; 30 minutes, or 30 days with "
                            "LONG_ACCESS_TOKEN.", secret=True),
    "refresh_token": _string("Refresh token", "Written by `airflow social auth ok`; lives 30 days.", secret=True),
    "redirect_uri": suggested_field("Redirect URI", "Listed under 'Список разрешённых redirect_uri' of the app, "
                                    f"e.g. {DEFAULT_REDIRECT_URI} for `airflow social auth ok` (its default when "
                                    "empty).", (DEFAULT_REDIRECT_URI,)),
    "permissions": _string("Permissions", "';'-separated permissions requested at authorisation.",
                           default=DEFAULT_PERMISSIONS),
    "group_id": _string("Group ID", "The group (gid) operators post to unless they name another."),
    "api_base_url": _string("API base URL", "api.ok.ru (fb.do and oauth/token.do); override for the sandbox.",
                            default=DEFAULT_API_BASE_URL),
    "oauth_base_url": _string("OAuth base URL", "connect.ok.ru (the authorization dialogue); override for the "
                              "sandbox.", default=DEFAULT_OAUTH_BASE_URL),
}

BEHAVIOUR: dict[str, Any] = {
    "hidden-fields": ["host", "port", "schema", "login"],
    "relabeling": {"password": "Application secret key"},
    # Airflow 3.3 renders placeholders of the standard fields only (custom fields: see suggested_field).
    "placeholders": {"password": "Секретный ключ приложения (from the e-mail)"},
}

# OK's server OAuth (apiok.ru/ext/oauth/server): ';'-separated permissions, a required state, layout=w, no PKCE;
# the code lives 2 minutes; token.do takes client_id/client_secret as parameters (every recorded client does so).
AUTH_FLOW = AuthCodeConfig(
    service="OK",
    authorize_url=DEFAULT_OAUTH_BASE_URL + AUTHORIZE_PATH,
    scopes=DEFAULT_PERMISSIONS,
    scope_separator=";",
    client_auth="body",
    pkce=False,
    authorize_params={"layout": "w"},
    code_lifetime="OK codes live 2 minutes",
    default_redirect_uri=DEFAULT_REDIRECT_URI,
)

CONNECTION_FORM = ConnectionForm(conn_type=CONN_TYPE, hook_class_name=HOOK_CLASS, hook_name=HOOK_NAME,
                                 fields=FIELDS, behaviour=BEHAVIOUR)

AUTH_COMMAND = AuthCommand(
    name="ok", conn_id=DEFAULT_CONN_ID,
    help="OK.ru OAuth authorization code flow for an odnoklassniki connection",
    func="airflow_provider_social.hooks.ok.cli.auth_ok",
    args=(
        cli_arg("--application-id", help="Application ID (default: the connection's)"),
        cli_arg("--application-key", help="Application public key (default: the connection's)"),
        cli_arg("--redirect-uri", help="A redirect_uri registered for the app (default: the connection's, else "
                f"{DEFAULT_REDIRECT_URI}); a loopback URI is served by this command"),
        cli_arg("--permissions", help=f"';'-separated permissions (default: the connection's, else "
                f"{DEFAULT_PERMISSIONS})"),
        *BROWSER_FLOW_ARGS,
    ),
)

SERVICE = ServiceDeclaration(
    name="ok", connection=CONNECTION_FORM, auth=AUTH_COMMAND, auth_flow=AUTH_FLOW,
    ui_flow="airflow_provider_social.hooks.ok.authorize.UI_FLOW",
    sandbox="airflow_provider_social.sandbox.ok.declaration.SANDBOX",
    extra_links=("airflow_provider_social.links.ok.OkTopicLink",),
)
