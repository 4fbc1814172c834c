"""The ``airflow social`` command group, registered through the provider's ``cli`` key.

Only argument definitions live here; the commands are imported lazily so ``airflow --help`` stays fast. Each
``auth <service>`` command is declared beside its service's hook and assembled from ``services.SERVICES``.
"""

from __future__ import annotations

from airflow.cli.cli_config import ActionCommand, Arg, GroupCommand, lazy_load_command

from airflow_provider_social.core.declaration import AuthCommand
from airflow_provider_social.services import SERVICES

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


def _auth_command(command: AuthCommand) -> ActionCommand:
    return ActionCommand(
        name=command.name,
        help=command.help,
        func=lazy_load_command(command.func),
        args=tuple(Arg(arg.flags, **arg.kwargs) for arg in command.args),
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
                    subcommands=tuple(_auth_command(service.auth) for service in SERVICES if service.auth),
                ),
            ),
        )
    ]
