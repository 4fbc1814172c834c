"""What every ``airflow social auth <service>`` command shares: endpoint overrides for a connection that does not
exist yet (``--sandbox URL``, ``--oauth-base-url``, ``--api-base-url``) and one clear line on failure.

A failure prints ``airflow social auth <service>: <what happened>`` (with what to do, from the error's hint) on
stderr and exits 1; the traceback only with ``--verbose``. Ctrl-C exits 130 without one.
"""

from __future__ import annotations

import argparse
import sys
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
    try:
        func(args, overrides=Overrides(*endpoint_overrides(args, conn_type)))
    except SystemExit as exc:
        if exc.code in (None, 0) or not isinstance(exc.code, str):
            raise
        print(f"airflow social auth {command}: {exc.code}", file=sys.stderr)
        raise SystemExit(1) from None
    except KeyboardInterrupt:
        print(f"airflow social auth {command}: interrupted; nothing was saved", file=sys.stderr)
        raise SystemExit(130) from None
    except Exception as exc:
        if getattr(args, "verbose", False):
            raise
        print(f"airflow social auth {command}: {_one_line(exc)} (--verbose shows the traceback)", file=sys.stderr)
        raise SystemExit(1) from None
