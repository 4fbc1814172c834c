"""The ``airflow social`` command group, registered through the provider's ``cli`` key.

Only argument definitions live here; the commands are imported lazily so ``airflow --help`` stays fast. Each
``auth <service>`` command is declared beside its service's hook and assembled from ``services.all_services()``.
"""

from __future__ import annotations

from argparse import Namespace
from collections.abc import Callable

from airflow.cli.cli_config import ActionCommand, Arg, GroupCommand, lazy_load_command

from airflow_provider_social.core.declaration import AUTH_COMMON_ARGS, AuthCommand, CliArg, UsageCommand
from airflow_provider_social.services import all_services

_COMMANDS = "airflow_provider_social.cli.commands"

ARG_HOST = Arg(("--host",), help="Address to listen on (loopback only) (default: 127.0.0.1)", default="127.0.0.1")
ARG_PORT = Arg(("--port",), help="Port to listen on; 0 picks a free one (default: 8765)", type=int, default=8765)
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
ARG_SANDBOX_URL = Arg(("--url",), help="Base URL of a running sandbox (default: http://127.0.0.1:8765)",
                      default="http://127.0.0.1:8765")


def _with_default(arg: CliArg) -> Arg:
    """The argument, its help ending with its default (``--help`` shows every default)."""
    kwargs = dict(arg.kwargs)
    default = kwargs.get("default")
    help_text = kwargs.get("help", "")
    if default is not None and kwargs.get("action") != "store_true" and "default" not in help_text:
        kwargs["help"] = f"{help_text} (default: {default})"
    return Arg(arg.flags, **kwargs)


def _guarded(command: AuthCommand, conn_type: str) -> Callable[[Namespace], None]:
    """Calls the command's implementation (imported on first use) through ``cli.options.run_guarded``."""

    def run(args: Namespace) -> None:
        from airflow_provider_social.cli.options import run_guarded

        run_guarded(command.func, command.name, args, conn_type=conn_type)

    run.__name__ = command.func.rpartition(".")[2]
    return run


def _auth_command(command: AuthCommand, conn_type: str) -> ActionCommand:
    return ActionCommand(
        name=command.name,
        help=command.help,
        func=_guarded(command, conn_type),
        args=tuple(_with_default(arg) for arg in (*command.arguments, *AUTH_COMMON_ARGS)),
    )


def _usage_command(command: UsageCommand) -> ActionCommand:
    def run(args: Namespace) -> None:
        from airflow_provider_social.cli.options import run_reported

        run_reported(command.func, f"airflow social usage {command.name}", args)

    run.__name__ = command.func.rpartition(".")[2]
    return ActionCommand(name=command.name, help=command.help, func=run,
                         args=tuple(_with_default(arg) for arg in command.arguments))


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
                    name="usage",
                    help="Show a connection's counted calls and estimated cost today and this month",
                    subcommands=tuple(_usage_command(service.usage) for service in all_services() if service.usage),
                ),
                GroupCommand(
                    name="auth",
                    help="Authorise a connection: run the service's OAuth flow and save the tokens",
                    subcommands=tuple(_auth_command(service.auth, service.connection.conn_type)
                                      for service in all_services() if service.auth),
                ),
            ),
        )
    ]
