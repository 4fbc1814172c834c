"""The ``airflow social`` command group, registered through the provider's ``cli`` key.

Only argument definitions live here; the commands are imported lazily so ``airflow --help`` stays fast.
"""

from __future__ import annotations

from airflow.cli.cli_config import ActionCommand, Arg, GroupCommand, lazy_load_command

_COMMANDS = "airflow_provider_social.cli.commands"

ARG_HOST = Arg(("--host",), help="Address to listen on (loopback only)", default="127.0.0.1")
ARG_PORT = Arg(("--port",), help="Port to listen on; 0 picks a free one", type=int, default=8765)
ARG_PRINT_CONNECTIONS = Arg(
    ("--print-connections",),
    help="Print AIRFLOW_CONN_* lines for every connection type, pointing at this sandbox",
    action="store_true",
)
ARG_WRITE_CONNECTIONS = Arg(
    ("--write-connections",),
    help="Create or update those connections in the metadata database",
    action="store_true",
)
ARG_SANDBOX_URL = Arg(("--url",), help="Base URL of a running sandbox", default="http://127.0.0.1:8765")
ARG_CONN_ID = Arg(("--conn-id",), help="The Airflow connection to write the tokens into", required=False)
ARG_CLIENT_ID = Arg(("--client-id",), help="OAuth client ID (default: the connection's client_id extra)")
ARG_CLIENT_SECRET = Arg(("--client-secret",), help="OAuth client secret (default: the connection's)")
ARG_NO_WRITE = Arg(
    ("--print-only",),
    help="Do not write the connection; print the AIRFLOW_CONN_* line instead (for secrets backends)",
    action="store_true",
)


def get_cli_commands() -> list[GroupCommand]:
    return [
        GroupCommand(
            name="social",
            help="Social provider tools: the local sandbox and OAuth set-up for each service",
            subcommands=(
                ActionCommand(
                    name="sandbox",
                    help="Run the strict local emulator of every supported API",
                    func=lazy_load_command(f"{_COMMANDS}.sandbox"),
                    args=(ARG_HOST, ARG_PORT, ARG_PRINT_CONNECTIONS, ARG_WRITE_CONNECTIONS),
                ),
                ActionCommand(
                    name="sandbox-connections",
                    help="Print or write connections for an already running sandbox",
                    func=lazy_load_command(f"{_COMMANDS}.sandbox_connections"),
                    args=(ARG_SANDBOX_URL, ARG_WRITE_CONNECTIONS),
                ),
                GroupCommand(
                    name="auth",
                    help="Authorise a connection: run the service's OAuth flow and save the tokens",
                    subcommands=(
                        ActionCommand(
                            name="yandex",
                            help="Yandex ID device-code flow for a yandex_disk connection",
                            func=lazy_load_command(f"{_COMMANDS}.auth_yandex"),
                            args=(
                                Arg(("--conn-id",), help="Connection to authorise", default="yandex_disk_default"),
                                ARG_CLIENT_ID,
                                ARG_CLIENT_SECRET,
                                ARG_NO_WRITE,
                            ),
                        ),
                        ActionCommand(
                            name="twitter",
                            help="X OAuth 2.0 authorization code flow with PKCE for a twitter connection",
                            func=lazy_load_command(f"{_COMMANDS}.auth_twitter"),
                            args=(
                                Arg(("--conn-id",), help="Connection to authorise", default="twitter_default"),
                                ARG_CLIENT_ID,
                                Arg(("--client-secret",),
                                    help="OAuth client secret (default: the connection's; none for public clients)"),
                                Arg(("--redirect-uri",),
                                    help="Callback URI registered for the app (default: the connection's, else "
                                    "http://127.0.0.1:8765/callback); a loopback URI is served by this command"),
                                Arg(("--scope",), help="Space-separated scopes (default: the connection's, else "
                                    "tweet.read tweet.write users.read media.write offline.access)"),
                                Arg(("--paste",), action="store_true",
                                    help="Do not listen on the redirect URI; paste the URL the browser was sent to"),
                                Arg(("--timeout",), type=int, default=300,
                                    help="Seconds to wait for the browser to come back (default 300)"),
                                ARG_NO_WRITE,
                            ),
                        ),
                        ActionCommand(
                            name="ok",
                            help="OK.ru OAuth authorization code flow for an odnoklassniki connection",
                            func=lazy_load_command("airflow_provider_social.cli.auth_ok.auth_ok"),
                            args=(
                                Arg(("--conn-id",), help="Connection to authorise", default="odnoklassniki_default"),
                                Arg(("--application-id",), help="Application ID (default: the connection's)"),
                                Arg(("--application-key",),
                                    help="Application public key (default: the connection's)"),
                                Arg(("--redirect-uri",),
                                    help="A redirect_uri registered for the app (default: the connection's, else "
                                    "http://127.0.0.1:8765/callback); a loopback URI is served by this command"),
                                Arg(("--permissions",), help="';'-separated permissions (default: the connection's, "
                                    "else VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT)"),
                                Arg(("--paste",), action="store_true",
                                    help="Do not listen on the redirect URI; paste the URL the browser was sent to"),
                                Arg(("--timeout",), type=int, default=300,
                                    help="Seconds to wait for the browser to come back (default 300)"),
                                ARG_NO_WRITE,
                            ),
                        ),
                    ),
                ),
            ),
        )
    ]
