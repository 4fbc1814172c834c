"""Reading and writing Connections from the CLI (which, unlike tasks, has metadata-database access): what every
``airflow social auth <service>`` command shares."""

from __future__ import annotations

import argparse
import json
import logging
import shlex
from typing import Any

log = logging.getLogger(__name__)


def upsert_connection(
    conn_id: str, conn_type: str, *, password: str | None = None, extra: dict[str, Any] | None = None
) -> bool:
    """Create the connection or update its password and merge ``extra`` into it. Returns True if created."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        conn = session.scalar(select(Connection).where(Connection.conn_id == conn_id))
        created = conn is None
        if conn is None:
            conn = Connection(conn_id=conn_id, conn_type=conn_type)
            session.add(conn)
        merged = dict(conn.extra_dejson) if not created else {}
        merged.update({k: v for k, v in (extra or {}).items() if v is not None})
        conn.extra = json.dumps(merged)
        if password is not None:
            conn.password = password
    return created


def env_line(conn_id: str, conn: dict[str, Any]) -> str:
    """``AIRFLOW_CONN_<ID>='<json>'`` for users of environment variables or a secrets backend."""
    return f"AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(conn, separators=(',', ':')))}"


def existing_connection(conn_id: str) -> Any | None:
    """The connection as stored, from the secrets backends *and the metadata database*; None when there is none.

    Outside a task the Task SDK's ``BaseHook.get_connection`` does not read the database, so a connection created
    in the UI would look missing (its client credentials and base URLs silently ignored). The CLI has database
    access: the configured backends are asked in Airflow's order (env vars, secrets backend, metastore), as
    ``Connection.get_connection_from_secrets`` does, but without its cache, which renders the connection as a URI
    and so warns "Connection schemes ... shall not contain '_'" for every type with one (``yandex_disk``).

    :param conn_id: the connection id.
    """
    try:
        from airflow.configuration import ensure_secrets_loaded

        backends = list(ensure_secrets_loaded())
    except Exception:
        backends = []
    for backend in backends:
        try:
            conn = backend.get_connection(conn_id=conn_id)
        except Exception as exc:  # as Airflow does: an unreachable backend is skipped, the next one asked
            log.debug("secrets backend %s: %s", type(backend).__name__, type(exc).__name__)
            continue
        if conn is not None:
            return conn
    try:
        from airflow.sdk import BaseHook

        return BaseHook.get_connection(conn_id)
    except Exception:
        return None


def existing_extra(conn_id: str) -> tuple[str | None, dict[str, Any]]:
    """The connection's type and extras (see :func:`existing_connection`)."""
    conn = existing_connection(conn_id)
    if conn is None:
        return None, {}
    return conn.conn_type, dict(conn.extra_dejson or {})


def database_problem() -> str | None:
    """Why the metadata database cannot hold connections (None when it can): a fresh ``AIRFLOW_HOME`` has no
    tables until ``airflow db migrate``, and a flow would otherwise fail only after the user's consent."""
    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import func, select

    try:
        with create_session() as session:
            session.scalar(select(func.count()).select_from(Connection))
    except Exception as exc:
        from airflow.configuration import AIRFLOW_HOME

        return (f"the metadata database of AIRFLOW_HOME={AIRFLOW_HOME} cannot store connections "
                f"({type(exc).__name__}); run `airflow db migrate` first, or pass --print-only to print the "
                "connection instead of saving it")
    return None


def close_connection_ids(conn_id: str) -> list[str]:
    """Stored connection ids (metadata database and ``AIRFLOW_CONN_*`` variables) close to ``conn_id``, for a
    probable misspelling.

    :param conn_id: the connection id that was not found.
    """
    import difflib
    import os

    from airflow.models.connection import Connection
    from airflow.utils.session import create_session
    from sqlalchemy import select

    known = {name[len("AIRFLOW_CONN_"):].lower() for name in os.environ if name.startswith("AIRFLOW_CONN_")}
    try:
        with create_session() as session:
            known.update(session.scalars(select(Connection.conn_id)))
    except Exception as exc:  # no database: the environment's names are all there is
        log.debug("no connection ids from the metadata database: %s", type(exc).__name__)
    return difflib.get_close_matches(conn_id, sorted(known), n=3, cutoff=0.75)


def connected_account(conn_id: str, conn_type: str, password: str | None, extra: dict[str, Any]) -> str:
    """What the new tokens reach, in the words of the hook's ``test_connection()`` (as the UI's "Authorized" line
    says it): ``connected account: ...`` or ``but the check failed: ...``. The hook class comes from Airflow's
    provider registry (the connection type's ``hook-class-name``).

    :param conn_id: the connection id.
    :param conn_type: its type.
    :param password: its password as stored (or None).
    :param extra: its extras as stored.
    """
    from airflow.sdk import Connection
    from airflow.sdk.providers_manager_runtime import ProvidersManagerTaskRuntime

    from airflow_provider_social.core.declaration import load
    from airflow_provider_social.core.masking import redact

    info = ProvidersManagerTaskRuntime().hooks.get(conn_type)
    if info is None:
        return "connected account: not checked (no hook for this connection type)"
    conn = Connection(conn_id=conn_id, conn_type=conn_type, password=password, extra=json.dumps(extra))
    try:
        ok, message = load(info.hook_class_name)(conn_id, connection=conn).test_connection()
    except Exception as exc:  # the tokens are saved either way; the check only reports
        ok, message = False, f"{type(exc).__name__}: {exc}"
    message = redact(" ".join(str(message).split())).rstrip(".")
    return f"connected account: {message}" if ok else f"but the check failed: {message}"


def save_authorised(
    args: argparse.Namespace, conn_type: str, extra: dict[str, Any], *, password: str | None = None, announce=print
) -> None:
    """Write the new tokens into the connection, or with ``--print-only`` print its AIRFLOW_CONN_* line (last, for
    scripts); either way say which account the tokens reach."""
    extra = {k: v for k, v in extra.items() if v is not None}
    if args.print_only:
        conn: dict[str, Any] = {"conn_type": conn_type, "extra": extra}
        if password is not None:
            conn["password"] = password
        announce(f"Authorised; {connected_account(args.conn_id, conn_type, password, extra)}.")
        announce(env_line(args.conn_id, conn))
        return
    created = upsert_connection(args.conn_id, conn_type, password=password, extra=extra)
    stored = existing_connection(args.conn_id)
    account = connected_account(args.conn_id, conn_type, stored.password if stored else password,
                                dict(stored.extra_dejson or {}) if stored else extra)
    announce(f"Authorised. {'Created' if created else 'Updated'} connection {args.conn_id!r} with new tokens; "
             f"{account}.")
