"""Twitter/X as the provider declares it: the ``twitter`` connection form, ``airflow social auth twitter`` and
its OAuth 2.0 authorization-code flow (PKCE S256).

Plain data, standard library only (read by every Airflow process); listed in ``airflow_provider_social/services.py``.
The hook is the ``hooks/twitter`` package, the command's implementation ``cli.py``, the UI's adapter
``authorize.py``.
"""

from __future__ import annotations

from airflow_provider_social.core.authflow import AuthCodeConfig
from airflow_provider_social.core.declaration import (
    BROWSER_FLOW_ARGS,
    CLIENT_ID_ARG,
    AuthCommand,
    ConnectionFields,
    ConnectionForm,
    CredentialSummary,
    OAuthOverride,
    ServiceDeclaration,
    UsageCommand,
    choice_field,
    cli_arg,
    suggested_field,
    user_token_kinds,
)
from airflow_provider_social.core.declaration import string_field as _string

DEFAULT_SCOPES = "tweet.read tweet.write users.read media.write offline.access"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8765/callback"
AUTHORIZE_URL = "https://x.com/i/oauth2/authorize"

# X OAuth 2.0: space-separated scopes, PKCE required, codes live 30 seconds; a confidential client authenticates
# with HTTP Basic, a public one sends client_id in the body (OAuth2Client does that when there is no secret).
AUTH_FLOW = AuthCodeConfig(
    service="X",
    authorize_url=AUTHORIZE_URL,
    scopes=DEFAULT_SCOPES,
    scope_separator=" ",
    client_auth="basic",
    code_lifetime="X codes live 30 seconds",
    default_redirect_uri=DEFAULT_REDIRECT_URI,
)

CONNECTION_FORM = ConnectionForm(
    conn_type="twitter",
    hook_class_name="airflow_provider_social.hooks.twitter.TwitterHook",
    hook_name="Twitter/X",
    fields={
        "client_id": _string("Client ID", "OAuth 2.0 Client ID (developer portal: Keys and tokens -> OAuth 2.0 "
                             "Client ID and Client Secret)."),
        "client_secret": _string("Client secret", "OAuth 2.0 Client Secret (Generate in the same section); leave "
                                 "empty for public clients (Native App, Single-page App).", secret=True),
        "redirect_uri": suggested_field("Redirect URI", "Callback URI registered in the app's User authentication "
                                        f"settings, e.g. {DEFAULT_REDIRECT_URI} for `airflow social auth twitter` "
                                        "(its default when empty).", (DEFAULT_REDIRECT_URI,)),
        "scope": _string("Scopes", "Space-separated OAuth 2.0 scopes.", default=DEFAULT_SCOPES),
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
        "auth_mode": choice_field("Auth mode", "Which credentials the hook sends; empty: OAuth 2.0 when its tokens "
                                  "are set, else OAuth 1.0a.", ("oauth2", "oauth1"),
                                  display={"oauth2": "OAuth 2.0 user token", "oauth1": "OAuth 1.0a keys"},
                                  unset="automatic (OAuth 2.0 when its tokens are set)"),
        "media_upload_api": choice_field("Media upload API", "'v2' (api.x.com) or 'v1.1' (upload.twitter.com, needs "
                                         "the OAuth 1.0a keys).", ("v2", "v1.1"), default="v2"),
        "dedupe_window_minutes": {
            "label": "No-double-post window (min)",
            "description": "How far back a retried post looks for an identical post before sending (default 15).",
            "schema": {"type": ["number", "null"], "minimum": 0},
        },
        "api_base_url": _string("API base URL", "X API v2; override for the sandbox or a proxy.",
                                default="https://api.x.com"),
        "upload_base_url": _string("Upload base URL", "v1.1 media upload host.",
                                   default="https://upload.twitter.com"),
        "authorize_url": _string("Authorize URL", "OAuth 2.0 consent page.", default=AUTHORIZE_URL),
    },
    behaviour={
        "hidden-fields": ["host", "port", "schema", "login", "password"],
        "relabeling": {},
        # Airflow 3.3 renders placeholders of the standard fields only; the redirect URI suggests its default instead.
        "placeholders": {},
    },
)

AUTH_COMMAND = AuthCommand(
    name="twitter", conn_id="twitter_default",
    help="X OAuth 2.0 authorization code flow with PKCE for a twitter connection",
    func="airflow_provider_social.hooks.twitter.cli.auth_twitter",
    args=(
        CLIENT_ID_ARG,
        cli_arg("--client-secret", help="OAuth client secret (default: the connection's; none for public clients)"),
        cli_arg("--redirect-uri", help="Callback URI registered for the app (default: the connection's, else "
                f"{DEFAULT_REDIRECT_URI}); a loopback URI is served by this command"),
        cli_arg("--scope", help=f"Space-separated scopes (default: the connection's, else {DEFAULT_SCOPES})"),
        *BROWSER_FLOW_ARGS,
    ),
    # --oauth-base-url is x.com; the consent page is a path on it.
    oauth_override=OAuthOverride("authorize_url", "/i/oauth2/authorize"),
)


def credentials(conn: ConnectionFields) -> CredentialSummary:
    """The health page's summary: an OAuth 2.0 user token, or OAuth 1.0a keys (``auth_mode`` oauth1 or for v1.1
    media upload).

    :param conn: the stored connection.
    """
    access = conn.setting("access_token")
    if conn.setting("auth_mode") == "oauth1":
        return CredentialSummary("OAuth 1.0a user context", bool(access), standing=True)
    kinds = [*user_token_kinds(conn, access), *(["OAuth 1.0a (media upload)"] if conn.setting("oauth_token") else [])]
    return CredentialSummary("; ".join(kinds) or "none", bool(access))

USAGE_COMMAND = UsageCommand(
    name="twitter", conn_id="twitter_default",
    help="X calls by billing kind, their estimated cost, the daily budget, and X's own count",
    func="airflow_provider_social.hooks.twitter.usage.usage_twitter",
)

SERVICE = ServiceDeclaration(
    name="twitter", connection=CONNECTION_FORM, auth=AUTH_COMMAND, auth_flow=AUTH_FLOW, usage=USAGE_COMMAND,
    ui_flow="airflow_provider_social.hooks.twitter.authorize.UI_FLOW", credentials=credentials,
    sandbox="airflow_provider_social.sandbox.twitter.declaration.SANDBOX",
    extra_links=("airflow_provider_social.links.twitter.TwitterTweetLink",),
    trigger_modules=("airflow_provider_social.triggers.twitter", "airflow_provider_social.triggers.twitter_events"),
    sensor_modules=("airflow_provider_social.sensors.twitter",),
)
