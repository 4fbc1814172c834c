"""What every ``airflow social auth <service>`` command shares: endpoint overrides for a connection that does not
exist yet (``--sandbox URL``, ``--oauth-base-url``, ``--api-base-url``) and one clear line on failure.

Before any flow starts, :func:`check_before_flow` makes sure the result can be saved (the metadata database has
its tables) and says when ``--conn-id`` names no existing connection (with the close names); ``--sandbox URL`` must
answer the sandbox's health endpoint. A failure prints ``airflow social auth <service>: <what happened>`` (with
what to do, from the error's hint) on stderr and exits 1; the traceback only with ``--verbose``. Ctrl-C exits 130
without one.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from airflow_provider_social.core.declaration import load
from airflow_provider_social.services import service_for


def endpoint_overrides(args: argparse.Namespace, conn_type: str) -> tuple[dict[str, Any], str | None]:
    """The extras (and password) the command line sets before the stored connection's: ``--sandbox URL`` fills
    the endpoints, redirect URI and the sandbox's app credentials; ``--oauth-base-url`` / ``--api-base-url``
    override one endpoint each (where ``--oauth-base-url`` goes is the auth command's declared ``oauth_override``).
    Returns ``(extras, password)``; both empty when no option is given.

    :param args: the parsed command line.
    :param conn_type: the connection type the command authorises.
    """
    extra: dict[str, Any] = {}
    password = None
    sandbox = getattr(args, "sandbox", None)
    if sandbox:
        from airflow_provider_social.sandbox.connections import sandbox_settings

        check_sandbox(str(sandbox))
        settings = sandbox_settings(str(sandbox))[conn_type]
        extra.update(settings["extra"])
        password = settings.get("password")
    oauth = getattr(args, "oauth_base_url", None)
    if oauth:
        service = service_for(conn_type)
        if service is None or service.auth is None:
            raise SystemExit(f"--oauth-base-url: connection type {conn_type!r} has no auth command")
        field, path = service.auth.oauth_override.target(args)
        extra[field] = str(oauth).rstrip("/") + path
    api = getattr(args, "api_base_url", None)
    if api:
        extra["api_base_url"] = str(api).rstrip("/")
    return extra, password


def check_sandbox(url: str) -> None:
    """Refuse ``--sandbox URL`` in one line unless a sandbox answers its health endpoint there: a wrong URL would
    otherwise print a consent link nobody can open and wait for the whole ``--timeout``.

    :param url: the ``--sandbox`` value.
    """
    import requests

    from airflow_provider_social.sandbox.control import SandboxControl, SandboxControlError

    if not url.startswith(("http://", "https://")):
        raise SystemExit(f"--sandbox {url}: give the sandbox's URL with its scheme, e.g. http://{url}")
    try:
        healthy = SandboxControl(url, timeout=5.0).health()
    except (requests.RequestException, SandboxControlError, ValueError, AttributeError) as exc:
        raise SystemExit(f"--sandbox {url}: no sandbox answers there ({type(exc).__name__}); start one with "
                         "`airflow social sandbox` and pass the SANDBOX_URL it prints") from None
    if not healthy:
        raise SystemExit(f"--sandbox {url}: the sandbox there reports it is not healthy")


def check_before_flow(args: argparse.Namespace, command: str) -> None:
    """What can be known before a browser is opened: the database can store the result (unless ``--print-only``),
    and whether ``--conn-id`` names an existing connection (if not, a note, with close names when there are).

    :param args: the parsed command line.
    :param command: the command's name, for the note.
    """
    from airflow_provider_social.core.setup.connections import (
        close_connection_ids,
        database_problem,
        existing_connection,
    )

    print_only = getattr(args, "print_only", False)
    if not print_only:
        problem = database_problem()
        if problem:
            raise SystemExit(problem)
    conn_id = getattr(args, "conn_id", None)
    if not conn_id or existing_connection(conn_id) is not None:
        return
    close = close_connection_ids(conn_id)
    note = (f"connection {conn_id!r} does not exist; "
            + ("the printed connection uses only the values given" if print_only
               else "it will be created with the values given"))
    if close:
        note += f" (did you mean {', '.join(repr(name) for name in close)}?)"
    print(f"airflow social auth {command}: {note}", file=sys.stderr)


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    from airflow_provider_social.core.errors import SocialApiError

    if not isinstance(exc, SocialApiError):
        text = f"{type(exc).__name__}: {text}"
    from airflow_provider_social.core.masking import redact

    return redact(text)


def run_guarded(dotted: str, command: str, args: argparse.Namespace, *, conn_type: str) -> None:
    """Run the implementation ``dotted`` (``module.function``) of ``airflow social auth <command>`` with the
    command line's endpoint overrides (:class:`~airflow_provider_social.core.setup.Overrides`, computed here so
    that a service's set-up code needs nothing of ``cli/``); a failure is one line on stderr and exit status 1
    (130 after Ctrl-C), the traceback only with ``--verbose``.

    :param dotted: the implementation's dotted path.
    :param command: the command's name, for the message.
    :param args: the parsed command line.
    :param conn_type: the connection type the command authorises.
    """
    from airflow_provider_social.core.setup import Overrides

    func = load(dotted)

    def authorise() -> None:
        check_before_flow(args, command)
        func(args, overrides=Overrides(*endpoint_overrides(args, conn_type)))

    reported(f"airflow social auth {command}", authorise, args, interrupted="interrupted; nothing was saved")


def run_reported(dotted: str, label: str, args: argparse.Namespace) -> None:
    """Run the implementation ``dotted`` of a command that takes only its parsed command line (``airflow social
    usage <service>``), reporting a failure as :func:`run_guarded` does.

    :param dotted: the implementation's dotted path.
    :param label: the command as typed, for the message.
    :param args: the parsed command line.
    """
    func = load(dotted)
    reported(label, lambda: func(args), args)


def reported(label: str, call: Callable[[], None], args: argparse.Namespace, *,
             interrupted: str = "interrupted") -> None:
    """Run ``call``: a failure is one line on stderr naming ``label`` and exit status 1 (130 after Ctrl-C), the
    traceback only with ``--verbose``.

    :param label: the command as typed.
    :param call: what the command does.
    :param args: the parsed command line (``--verbose``).
    :param interrupted: what to say after Ctrl-C.
    """
    try:
        call()
    except SystemExit as exc:
        if exc.code in (None, 0) or not isinstance(exc.code, str):
            raise
        print(f"{label}: {exc.code}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print(f"{label}: {interrupted}", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"{label}: {_one_line(exc)} (--verbose shows the traceback)", file=sys.stderr)
        raise SystemExit(1) from None
