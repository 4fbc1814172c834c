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

TWITTER_CONNECTION = _connection_type(
    "twitter",
    "airflow_provider_social.hooks.twitter.TwitterHook",
    "Twitter/X",
    {
        "client_id": _string("Client ID", "OAuth 2.0 Client ID (developer portal: Keys and tokens -> OAuth 2.0 "
                             "Client ID and Client Secret)."),
        "client_secret": _string("Client secret", "OAuth 2.0 Client Secret (Generate in the same section); leave "
                                 "empty for public clients (Native App, Single-page App).", secret=True),
        "redirect_uri": _string("Redirect URI", "Callback URI registered in the app's User authentication "
                                "settings, e.g. http://127.0.0.1:8765/callback for `airflow social auth twitter`."),
        "scope": _string("Scopes", "Space-separated OAuth 2.0 scopes.",
                         default="tweet.read tweet.write users.read media.write offline.access"),
        "access_token": _string("OAuth 2.0 access token", "Written by `airflow social auth twitter`; lives 2 hours.",
                                secret=True),
        "refresh_token": _string("OAuth 2.0 refresh token", "Single-use, rotating; the hook keeps the newest in the "
                                 "token store.", secret=True),
        "oauth_consumer_key": _string("OAuth 1.0a consumer key", "Keys and tokens -> Consumer Keys -> API Key.",
                                      secret=True),
        "oauth_consumer_secret": _string("OAuth 1.0a consumer secret", "Consumer Keys -> API Key Secret.",
                                         secret=True),
        "oauth_token": _string("OAuth 1.0a access token", "Authentication Tokens -> Access Token.", secret=True),
        "oauth_token_secret": _string("OAuth 1.0a access token secret", "Authentication Tokens -> Access Token "
                                      "Secret.", secret=True),
        "auth_mode": _string("Auth mode", "'oauth2' or 'oauth1'; default: oauth2 when OAuth 2.0 tokens are set."),
        "media_upload_api": _string("Media upload API", "'v2' (api.x.com, default) or 'v1.1' (upload.twitter.com, "
                                    "needs the OAuth 1.0a keys).", default="v2"),
        "dedupe_window_minutes": {
            "label": "No-double-post window (min)",
            "description": "How far back a retried post looks for an identical post before sending (default 15).",
            "schema": {"type": ["number", "null"], "minimum": 0},
        },
        "api_base_url": _string("API base URL", "X API v2; override for the sandbox or a proxy.",
                                default="https://api.x.com"),
        "upload_base_url": _string("Upload base URL", "v1.1 media upload host.",
                                   default="https://upload.twitter.com"),
        "authorize_url": _string("Authorize URL", "OAuth 2.0 consent page.",
                                 default="https://x.com/i/oauth2/authorize"),
    },
    {
        "hidden-fields": ["host", "port", "schema", "login", "password", "extra"],
        "relabeling": {},
        "placeholders": {"redirect_uri": "http://127.0.0.1:8765/callback"},
    },
)


def _declared(module: Any) -> dict[str, Any]:
    """A connection type a service declares in its own ``hooks/<service>/connection.py``."""
    return _connection_type(module.CONN_TYPE, module.HOOK_CLASS, module.HOOK_NAME, module.FIELDS, module.BEHAVIOUR)


def get_provider_info() -> dict[str, Any]:
    from airflow_provider_social.hooks.ok import connection as ok_connection  # import-free module


    return {
        "package-name": "airflow-provider-social",
        "name": "Social (VK, X, Yandex Disk, OK)",
        "description": "Post, upload and keep credentials fresh on VK, VK Cloud Vision, Twitter/X, Yandex Disk "
        "and Odnoklassniki; ships a strict local sandbox of every API.",
        "versions": [__version__],
        "connection-types": [YANDEX_DISK_CONNECTION, TWITTER_CONNECTION, _declared(ok_connection)],
        "extra-links": [
            "airflow_provider_social.links.twitter.TwitterTweetLink",
            "airflow_provider_social.links.yandex_disk.YandexDiskPublicLink",
            "airflow_provider_social.links.ok.OkTopicLink",
        ],
        "triggers": [
            {"integration-name": "Yandex Disk", "python-modules": ["airflow_provider_social.triggers.yandex_disk"]},
            {"integration-name": "Twitter/X", "python-modules": ["airflow_provider_social.triggers.twitter"]},
        ],
        "notifications": [],
        "cli": ["airflow_provider_social.cli.definition.get_cli_commands"],
    }
