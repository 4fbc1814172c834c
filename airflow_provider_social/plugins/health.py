"""The credentials health page's data: per social connection, what an on-call engineer needs first.

Read from the Connection, its token store (the Variable ``social_token_<conn_id>`` through the metadata database,
or the ``file:`` directory) and the plugin's record of the last "Check". Never a token: only whether one is there.
For services that bill per call (X), also what the connection spent today and this month and its daily budget: the
numbers of ``airflow social usage <service>``, read from the same ledger.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.declaration import CredentialSummary, ServiceDeclaration, user_token_credentials
from airflow_provider_social.core.setup.ui import StoredConnection

if TYPE_CHECKING:
    from airflow_provider_social.core.spending import SpendSummary


class CheckRecords:
    """The outcome of each connection's last "Check" (a JSON file beside the pending authorisations).

    :param directory: where ``checks.json`` lives.
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.path = Path(directory) / "checks.json"

    def all(self) -> dict[str, dict[str, Any]]:
        """Every record, by connection id."""
        try:
            data = json.loads(self.path.read_text())
        except (FileNotFoundError, ValueError):
            return {}
        return data if isinstance(data, dict) else {}

    def record(self, conn_id: str, *, ok: bool, message: str, at: float) -> None:
        """Keep one check's outcome; a success's message is the account it reached.

        :param conn_id: the connection checked.
        :param ok: whether ``test_connection()`` succeeded.
        :param message: its message (the account on success; never a secret).
        :param at: epoch seconds.
        """
        data = self.all()
        previous = data.get(conn_id, {})
        entry = {"ok": ok, "message": message, "at": at,
                 "account": message if ok else previous.get("account"),
                 "account_at": at if ok else previous.get("account_at")}
        data[conn_id] = entry
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(data, fh)
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise


@dataclass
class HealthRow:
    """One line of the health page (no secret in any field)."""

    conn_id: str
    service: str
    account: str
    token_kind: str
    expires_at: float | None
    refreshed: str
    store: str
    refresh_token_present: bool
    warnings: list[str] = field(default_factory=list)
    last_check: dict[str, Any] = field(default_factory=dict)
    #: Calls and estimated cost today and this month, for services that bill per call (None: not billed).
    spend: SpendSummary | None = None
    #: Why the spend could not be read (the ledger's store failed), shown instead.
    spend_error: str = ""


def credentials_of(conn: StoredConnection, service: ServiceDeclaration | None) -> CredentialSummary:
    """What the connection holds, as its service declares it (``SERVICE.credentials``).

    :param conn: the stored connection.
    :param service: its service's declaration (None: read it as an OAuth 2.0 user token).
    """
    return (service.credentials if service else user_token_credentials)(conn)


def _store_setting(conn: StoredConnection) -> str:
    return str(conn.setting("token_store") or "variable")


def read_store(conn: StoredConnection) -> tuple[str, Any, float | None]:
    """(the store's description, its entry for this connection or None, the entry's file time when it is a file).

    The store is the one the connection's hooks use (``token_store``: Variable, file, PostgreSQL or Redis).

    :param conn: the stored connection.
    """
    from airflow_provider_social.core.tokens import FileTokenStore
    from airflow_provider_social.core.tokens.selection import store_for_setting

    setting = _store_setting(conn)
    try:
        store = store_for_setting(setting)
    except Exception:
        return f"{setting} (not a token store)", None, None
    name = store.describe(conn.conn_id)
    with contextlib.suppress(Exception):
        entry = store.load(conn.conn_id)
        mtime = None
        if entry is not None and isinstance(store, FileTokenStore):
            mtime = store.saved_at(conn.conn_id)
        return name, entry, mtime
    return name, None, None


def read_spend(conn: StoredConnection, service: ServiceDeclaration | None) -> tuple[SpendSummary | None, str]:
    """(the connection's spend, or None when its service does not bill per call; why it could not be read).

    :param conn: the stored connection.
    :param service: its service's declaration; services with an ``airflow social usage`` command bill per call.
    """
    if service is None or service.usage is None:
        return None, ""
    from airflow_provider_social.core.declaration import load
    from airflow_provider_social.core.spending import SpendSummary

    try:
        hook = load(service.connection.hook_class_name)(conn.conn_id, connection=conn.sdk_connection())
        return SpendSummary.of(hook), ""
    except Exception as exc:  # a health page shows every row; the reason stands in this one's spend column
        from airflow_provider_social.core.masking import redact

        return None, redact(str(exc))[:300]


def health_row(conn: StoredConnection, service: ServiceDeclaration | None, last_check: dict[str, Any] | None, *,
               now: float | None = None) -> HealthRow:
    """The health of one connection.

    :param conn: the stored connection.
    :param service: its service's declaration (None for a type that is not ours: shown by its type).
    :param last_check: the connection's last check record, if any.
    :param now: epoch seconds (default: now).
    """
    from airflow_provider_social.core.ratelimit import fingerprint

    now = time.time() if now is None else now
    last_check = last_check or {}
    credentials = credentials_of(conn, service)
    store_name, entry, mtime = read_store(conn)
    conn_refresh = conn.setting("refresh_token")
    expires_at = float(conn.setting("expires_at")) if conn.setting("expires_at") else None
    refresh_present = bool(conn_refresh)
    has_access = credentials.access_token
    refreshed = "never: the tokens as written to the connection"
    warnings: list[str] = []
    descends = entry is not None and (entry.seed is None or not conn_refresh or entry.seed == fingerprint(conn_refresh))
    if entry is not None and not descends:
        refreshed = "never since this authorisation (the store's tokens are of an earlier one, ignored)"
    elif entry is not None:
        expires_at = entry.expires_at
        refresh_present = bool(entry.refresh_token)
        has_access = bool(entry.access_token)
        when = entry.refreshed_at or mtime
        refreshed = _when(when) if when else "time not recorded"
    if not has_access and not refresh_present and not credentials.standing:
        warnings.append("No token: authorise this connection.")
    if expires_at is not None and expires_at <= now and not refresh_present:
        warnings.append("The access token has expired and there is no refresh token: re-authorise.")
    if last_check and not last_check.get("ok"):
        message = str(last_check.get("message", ""))
        if "re-authoris" in message or "invalid_grant" in message or "refused" in message:
            warnings.append("The last check says re-authorisation is needed.")
    spend, spend_error = read_spend(conn, service)
    return HealthRow(conn_id=conn.conn_id, service=service.connection.hook_name if service else conn.conn_type,
                     account=str(last_check.get("account") or "unknown"), token_kind=credentials.kind,
                     expires_at=expires_at, refreshed=refreshed, store=store_name,
                     refresh_token_present=refresh_present, warnings=warnings, last_check=last_check,
                     spend=spend, spend_error=spend_error)


def _when(epoch: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(epoch))


def describe_expiry(expires_at: float | None, now: float) -> str:
    """The access token's expiry in words.

    :param expires_at: epoch seconds or None (does not expire, or unknown).
    :param now: epoch seconds.
    """
    if expires_at is None:
        return "no expiry recorded"
    left = expires_at - now
    if left <= 0:
        return f"{_when(expires_at)} (expired)"
    minutes = int(left // 60)
    if minutes >= 2 * 24 * 60:
        state = f"in {minutes // (24 * 60)} days"
    elif minutes >= 60:
        state = f"in {minutes // 60} h {minutes % 60} min"
    else:
        state = f"in {minutes} min"
    return f"{_when(expires_at)} ({state})"


def run_check(conn: StoredConnection, hook_class_name: str) -> tuple[bool, str]:
    """``test_connection()`` of the service's hook on the stored connection, server-side.

    Works on Airflow 3.3.2, whose UI "Test" sends ``port: 0`` and is refused (apache/airflow PR 73298): the stored
    connection is tested as it is, nothing is sent from the browser.

    :param conn: the stored connection.
    :param hook_class_name: the dotted path of the service's hook.
    """
    from airflow_provider_social.core.declaration import load

    hook_class = load(hook_class_name)
    return hook_class(conn.conn_id, connection=conn.sdk_connection()).test_connection()
