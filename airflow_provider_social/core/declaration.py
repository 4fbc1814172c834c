"""What a service declares about itself, as plain data: its connection form and its ``airflow social auth`` command.

Each service writes one small module beside its hook (``hooks/<service>_connection.py``) holding a
:class:`ServiceDeclaration`; ``airflow_provider_social/services.py`` lists them, ``get_provider_info.py`` turns
the forms into provider metadata and ``cli/definition.py`` turns the auth commands into Airflow CLI commands.
Standard library only: every Airflow process reads the provider metadata at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from airflow_provider_social.core.authflow import AuthCodeConfig


def string_field(label: str, description: str = "", *, secret: bool = False, default: Any = None) -> dict[str, Any]:
    """A ``conn-fields`` entry for an optional string (``format: password`` when secret)."""
    schema: dict[str, Any] = {"type": ["string", "null"]}
    if secret:
        schema["format"] = "password"
    if default is not None:
        schema["default"] = default
    entry: dict[str, Any] = {"label": label, "schema": schema}
    if description:
        entry["description"] = description
    return entry


def choice_field(
    label: str,
    description: str,
    choices: tuple[str, ...],
    *,
    default: str | None = None,
    display: dict[str, str] | None = None,
    unset: str | None = None,
) -> dict[str, Any]:
    """A ``conn-fields`` entry with a fixed set of values: Airflow 3.3's form shows a select (``enum``) with
    ``default`` preselected. ``unset`` labels the empty choice (stored as null: the hook's own default) and puts
    null among the choices; ``display`` labels the others (``values_display``)."""
    if default is not None and default not in choices:
        raise ValueError(f"{label}: default {default!r} is not one of {choices}")
    enum: list[str | None] = [None, *choices] if unset else list(choices)
    labels = dict(display or {})
    if unset:
        labels["null"] = unset
    schema: dict[str, Any] = {"type": ["string", "null"], "enum": enum}
    if default is not None:
        schema["default"] = default
    if labels:
        schema["values_display"] = labels
    return {"label": label, "description": description, "schema": schema}


def suggested_field(label: str, description: str, suggestions: tuple[str, ...], *, default: str | None = None
                    ) -> dict[str, Any]:
    """A free-text ``conn-fields`` entry whose usual values are suggested (``examples``: Airflow 3.3's form shows
    them as the input's list of suggestions). For values that are not a closed set, e.g. ``file:<directory>``."""
    entry = string_field(label, description, default=default)
    entry["schema"]["examples"] = list(suggestions)
    return entry


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
    "proxy": string_field("Proxy URL", "e.g. http://proxy:3128; used for every request of this connection."),
    "ca_bundle": string_field("CA bundle path", "Path to a PEM bundle for TLS verification (corporate proxies)."),
    # Not a closed set (file:<any directory>), so the usual values are suggestions, not an enum. No declared default:
    # Airflow 3.3.2 sends the form "***" for the default of any field whose name contains "token" (its secrets
    # masker's key list), so empty means 'variable' (the hook's default).
    "token_store": suggested_field(
        "Token store",
        "Where rotated tokens are kept: empty or 'variable' (an Airflow Variable social_token_<conn_id>), "
        "'file:<directory>' (one host), or for several hosts 'postgres:<conn id>' / 'redis:<conn id>'.",
        ("variable", "file:/shared/social-tokens", "postgres:social_tokens_pg", "redis:social_tokens_redis"),
    ),
}


@dataclass(frozen=True)
class ConnectionForm:
    """A connection type as Airflow's UI shows it: ``conn-fields`` (the service's own, then the common transport
    fields) and ``ui-field-behaviour``."""

    conn_type: str
    hook_class_name: str
    hook_name: str
    fields: dict[str, dict[str, Any]]
    behaviour: dict[str, Any]

    def provider_info(self) -> dict[str, Any]:
        """The ``connection-types`` entry of ``get_provider_info()``."""
        return {
            "connection-type": self.conn_type,
            "hook-class-name": self.hook_class_name,
            "hook-name": self.hook_name,
            "conn-fields": {**self.fields, **COMMON_CONN_FIELDS},
            "ui-field-behaviour": self.behaviour,
        }


@dataclass(frozen=True)
class CliArg:
    """One argument of a CLI command: the flags and keyword arguments of ``airflow.cli.cli_config.Arg``."""

    flags: tuple[str, ...]
    kwargs: dict[str, Any] = field(default_factory=dict)


def cli_arg(*flags: str, **kwargs: Any) -> CliArg:
    return CliArg(flags, kwargs)


# Arguments most auth commands share.
CLIENT_ID_ARG = cli_arg("--client-id", help="OAuth client ID (default: the connection's client_id extra)")
CLIENT_SECRET_ARG = cli_arg("--client-secret", help="OAuth client secret (default: the connection's)")
PRINT_ONLY_ARG = cli_arg(
    "--print-only",
    help="Do not write the connection; print the AIRFLOW_CONN_* line instead (for secrets backends)",
    action="store_true",
)


# Arguments every auth command takes (appended by cli/definition.py; read by cli/options.py).
AUTH_COMMON_ARGS = (
    cli_arg("--sandbox", metavar="URL",
            help="Authorise against the sandbox at URL (e.g. http://127.0.0.1:8765): fills the endpoints, the "
            "redirect URI and the sandbox app's credentials, so a new connection needs nothing else"),
    cli_arg("--oauth-base-url", metavar="URL",
            help="OAuth host for this connection (default: the connection's, else the real service's)"),
    cli_arg("--api-base-url", metavar="URL",
            help="API host for this connection (default: the connection's, else the real service's)"),
    cli_arg("--verbose", action="store_true", help="On failure, show the traceback too"),
)


@dataclass(frozen=True)
class AuthCommand:
    """``airflow social auth <name>``: ``func`` is the dotted path of the implementation, loaded on first use."""

    name: str
    help: str
    func: str
    args: tuple[CliArg, ...]


@dataclass(frozen=True)
class ServiceDeclaration:
    """One service, as the provider's metadata and CLI see it."""

    name: str
    connection: ConnectionForm
    auth: AuthCommand | None = None
    auth_flow: AuthCodeConfig | None = None  # when the service authorises by the authorization-code flow
    # Dotted paths Airflow loads from get_provider_info: operator extra links, trigger modules, notifier classes.
    extra_links: tuple[str, ...] = ()
    trigger_modules: tuple[str, ...] = ()
    notifiers: tuple[str, ...] = ()
