"""What a service declares about itself, as plain data: its connection form, its ``airflow social auth`` command,
how the UI authorises it, what the health page says of its credentials and how it reaches the sandbox.

Each service writes one small module in its hook package (``hooks/<service>/connection.py``) holding a
:class:`ServiceDeclaration`; ``airflow_provider_social/services.py`` lists them, and ``get_provider_info.py``,
``cli/``, ``plugins/`` and ``sandbox/`` only loop over that list. Standard library only: every Airflow process
reads the provider metadata at start-up, so anything heavy is named by a dotted path and loaded on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

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
#: An OAuth client's own credentials, for commands with no other way to name them (the device flow).
CLIENT_CREDENTIAL_ARGS = (CLIENT_ID_ARG, CLIENT_SECRET_ARG)
PRINT_ONLY_ARG = cli_arg(
    "--print-only",
    help="Do not write the connection; print the AIRFLOW_CONN_* line instead (for secrets backends)",
    action="store_true",
)
# The browser flows' (authorization code with a redirect) way back: listen, or paste the address.
PASTE_ARG = cli_arg("--paste", action="store_true",
                    help="Do not listen on the redirect URI; paste the URL the browser was sent to")
BROWSER_TIMEOUT_ARG = cli_arg("--timeout", type=int, default=300,
                              help="Seconds to wait for the browser to come back (default 300)")


#: The options of a command that authorises in a browser: paste the redirect, how long to wait, or only print.
BROWSER_FLOW_ARGS = (PASTE_ARG, BROWSER_TIMEOUT_ARG, PRINT_ONLY_ARG)


def conn_id_arg(default: str) -> CliArg:
    """``--conn-id``: the connection an auth command writes, ``default`` unless given."""
    return cli_arg("--conn-id", help="Connection to authorise", default=default)


# Arguments every auth command takes (appended by cli/definition.py; read by cli/options.py).
VERBOSE_ARG = cli_arg("--verbose", action="store_true", help="On failure, show the traceback too")
AUTH_COMMON_ARGS = (
    cli_arg("--sandbox", metavar="URL",
            help="Authorise against the sandbox at URL (e.g. http://127.0.0.1:8765): fills the endpoints, the "
            "redirect URI and the sandbox app's credentials, so a new connection needs nothing else"),
    cli_arg("--oauth-base-url", metavar="URL",
            help="OAuth host for this connection (default: the connection's, else the real service's)"),
    cli_arg("--api-base-url", metavar="URL",
            help="API host for this connection (default: the connection's, else the real service's)"),
    VERBOSE_ARG,
)


@dataclass(frozen=True)
class OAuthOverride:
    """Where ``--oauth-base-url URL`` goes: the extra ``extra`` set to ``URL + path`` (X's consent page is a path
    on its host); ``extra_when`` pairs (flag, extra) pick another extra when a flag of the command is set (VK's
    ``--implicit`` uses the legacy OAuth host)."""

    extra: str = "oauth_base_url"
    path: str = ""
    extra_when: tuple[tuple[str, str], ...] = ()

    def target(self, flags: Any) -> tuple[str, str]:
        """(the extra to set, the path to append) for the parsed command line ``flags``.

        :param flags: the parsed command line (an ``argparse.Namespace``).
        """
        chosen = next((extra for flag, extra in self.extra_when if getattr(flags, flag, False)), self.extra)
        return chosen, self.path


@dataclass(frozen=True)
class AuthCommand:
    """``airflow social auth <name>``: ``func`` is the dotted path of the implementation, loaded on first use;
    ``conn_id`` the connection it writes unless ``--conn-id`` names another; ``args`` the command's own options."""

    name: str
    conn_id: str
    help: str
    func: str
    args: tuple[CliArg, ...]
    oauth_override: OAuthOverride = OAuthOverride()

    @property
    def arguments(self) -> tuple[CliArg, ...]:
        """``--conn-id``, then the command's own options (the CLI appends :data:`AUTH_COMMON_ARGS`)."""
        return (conn_id_arg(self.conn_id), *self.args)


@dataclass(frozen=True)
class UsageCommand:
    """``airflow social usage <name>``: what a connection has spent, counted by the service's meter; ``func`` is
    the dotted path of the implementation (it takes the parsed command line), loaded on first use."""

    name: str
    conn_id: str
    help: str
    func: str

    @property
    def arguments(self) -> tuple[CliArg, ...]:
        """``--conn-id``: the connection whose usage to show; ``--verbose``."""
        return (cli_arg("--conn-id", help="The connection whose usage to show", default=self.conn_id), VERBOSE_ARG)


class ConnectionFields(Protocol):
    """What the health page can read of a stored connection (``core.setup.ui.StoredConnection``)."""

    @property
    def password(self) -> str | None: ...

    def setting(self, name: str) -> Any: ...


@dataclass(frozen=True)
class CredentialSummary:
    """What a connection holds, in words, for the health page (never a value).

    :param kind: the kind of credential, e.g. "OAuth 2.0 user token, refreshable; community key".
    :param access_token: whether the connection itself holds a user access token.
    :param standing: whether it holds a credential that needs no user token (a service token, a community key,
        OAuth 1.0a keys): then "no token" is not a warning.
    """

    kind: str
    access_token: bool
    standing: bool = False


def user_token_kinds(conn: ConnectionFields, access_token: Any) -> list[str]:
    """The OAuth 2.0 user token's kind in words (empty when there is none).

    :param conn: the stored connection.
    :param access_token: where the service keeps its access token (an extra or the password).
    """
    if conn.setting("refresh_token"):
        return ["OAuth 2.0 user token, refreshable"]
    return ["OAuth 2.0 access token, not refreshable"] if access_token else []


def user_token_summary(*, in_password: bool = False, standing: tuple[tuple[str, str], ...] = ()
                       ) -> Callable[[ConnectionFields], CredentialSummary]:
    """The usual ``credentials`` entry: an OAuth 2.0 user token (maybe refreshable), plus credentials that need no
    user token.

    :param in_password: the access token is the connection's password (else its ``access_token`` extra).
    :param standing: (extra, words) for each credential that needs no user token, e.g. a VK community key.
    """

    def summary(conn: ConnectionFields) -> CredentialSummary:
        access = conn.password if in_password else conn.setting("access_token")
        held = [words for extra, words in standing if conn.setting(extra)]
        return CredentialSummary("; ".join([*user_token_kinds(conn, access), *held]) or "none", bool(access),
                                 standing=bool(held))

    return summary


#: The default ``credentials`` entry: a user token in the ``access_token`` extra.
user_token_credentials = user_token_summary()


@dataclass(frozen=True)
class ServiceDeclaration:
    """One service, as the provider's metadata, CLI, UI plugin and sandbox see it.

    :param name: the service's name (``SERVICES`` key, the UI's pending authorisations).
    :param connection: its connection form.
    :param auth: its ``airflow social auth`` command, if it has one.
    :param auth_flow: its authorization-code flow configuration, when it authorises that way.
    :param usage: its ``airflow social usage`` command, if it counts what calls cost.
    :param ui_flow: dotted path of its UI authorisation adapter (``core.setup.ui.CodeFlowAdapter`` or
        ``DeviceFlowAdapter``); None: no "Authorize" button.
    :param credentials: what the health page says of a connection's credentials.
    :param sandbox: dotted path of its ``sandbox.state.SandboxService`` (routes and the connection reaching it).
    :param extra_links: operator extra links Airflow loads from ``get_provider_info``.
    :param trigger_modules: trigger modules, likewise.
    :param sensor_modules: sensor modules, likewise.
    :param notifiers: notifier classes, likewise.
    :param filesystem_modules: object storage filesystem modules (``schemes`` and ``get_fs``), likewise.
    """

    name: str
    connection: ConnectionForm
    auth: AuthCommand | None = None
    auth_flow: AuthCodeConfig | None = None
    usage: UsageCommand | None = None
    ui_flow: str | None = None
    credentials: Callable[[ConnectionFields], CredentialSummary] = user_token_credentials
    sandbox: str | None = None
    extra_links: tuple[str, ...] = ()
    trigger_modules: tuple[str, ...] = ()
    sensor_modules: tuple[str, ...] = ()
    notifiers: tuple[str, ...] = ()
    filesystem_modules: tuple[str, ...] = ()


def load(dotted: str) -> Any:
    """The object a dotted path names (``package.module.NAME``), importing its module on first use.

    :param dotted: the dotted path.
    """
    import importlib

    module, _, name = dotted.rpartition(".")
    return getattr(importlib.import_module(module), name)
