"""The extra service's declaration: everything the provider's metadata, CLI, UI plugin and sandbox need.
Standard library only, like the real ones."""

from __future__ import annotations

from airflow_provider_social.core.authflow import AuthCodeConfig
from airflow_provider_social.core.declaration import (
    PRINT_ONLY_ARG,
    AuthCommand,
    ConnectionForm,
    OAuthOverride,
    ServiceDeclaration,
    string_field,
    user_token_summary,
)

CONN_TYPE = "example_social"
DEFAULT_OAUTH_BASE_URL = "https://id.example.test"

AUTH_FLOW = AuthCodeConfig(service="Example", authorize_url=f"{DEFAULT_OAUTH_BASE_URL}/authorize",
                           scopes="read write")

CONNECTION_FORM = ConnectionForm(
    conn_type=CONN_TYPE,
    hook_class_name="tests.extra_service.ExampleHook",
    hook_name="Example Social",
    fields={
        "client_id": string_field("Client ID", "The app's client id."),
        "access_token": string_field("Access token", "Written by `airflow social auth example`.", secret=True),
        "api_key": string_field("API key", "A key that needs no user token.", secret=True),
        "api_base_url": string_field("API base URL", "Override for the sandbox.", default="https://api.example.test"),
        "oauth_base_url": string_field("OAuth base URL", "Override for the sandbox.", default=DEFAULT_OAUTH_BASE_URL),
    },
    behaviour={"hidden-fields": ["host", "port", "schema", "login", "password"], "relabeling": {}, "placeholders": {}},
)

AUTH_COMMAND = AuthCommand(
    name="example",
    conn_id="example_social_default",
    help="Example: store a pasted access token in an example_social connection",
    func="tests.extra_service.cli.auth_example",
    args=(PRINT_ONLY_ARG,),
    oauth_override=OAuthOverride("oauth_base_url", "/oauth"),
)


SERVICE = ServiceDeclaration(
    name="example",
    connection=CONNECTION_FORM,
    auth=AUTH_COMMAND,
    auth_flow=AUTH_FLOW,
    ui_flow="tests.extra_service.authorize.UI_FLOW",
    credentials=user_token_summary(standing=(("api_key", "API key"),)),  # a user token, or a key needing none
    sandbox="tests.extra_service.sandbox.declaration.SANDBOX",
)
