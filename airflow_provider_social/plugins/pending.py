"""Authorisations started from the UI and not yet answered: single-use, expiring, bound to one Airflow user.

The API server may run several worker processes, so a started authorisation is kept in a file (mode 0600, named
by a hash of its ``state``, never the state itself) that any worker can take; taking it renames it away first, so
only one request can ever use it. It holds the PKCE verifier (or Yandex's device code) until then, and nothing is
written to a log, a page or a URL.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

DEFAULT_LIFETIME = 600.0  # seconds a started authorisation waits for its answer


@dataclass
class PendingEntry:
    """One started authorisation.

    :param state: the random ``state`` sent to the service (or the device-flow ticket the page polls with).
    :param user: the id of the Airflow user who started it; only that user may finish it.
    :param conn_id: the connection being authorised.
    :param service: the service's name in ``services.SERVICES``.
    :param expires_at: epoch seconds after which it is refused.
    :param data: what finishing needs (redirect URI, scope, PKCE verifier, device code); never shown.
    """

    state: str = field(repr=False)
    user: str
    conn_id: str
    service: str
    expires_at: float
    data: dict[str, Any] = field(default_factory=dict, repr=False)


class PendingRefused(Exception):
    """The answer cannot be matched to a usable authorisation; ``reason``: unknown, expired, other_user."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def default_directory() -> Path:
    """``$SOCIAL_AUTH_STATE_DIR`` or ``$AIRFLOW_HOME/social_auth_pending``."""
    configured = os.environ.get("SOCIAL_AUTH_STATE_DIR")
    if configured:
        return Path(configured)
    from airflow.configuration import AIRFLOW_HOME

    return Path(AIRFLOW_HOME) / "social_auth_pending"


class PendingStore:
    """Started authorisations on disk, shared by the API server's workers on one host.

    :param directory: where entries live (created 0700).
    :param lifetime: seconds an entry stays usable.
    :param clock: epoch seconds (tests inject one).
    """

    def __init__(self, directory: str | os.PathLike[str], *, lifetime: float = DEFAULT_LIFETIME,
                 clock: Callable[[], float] = time.time) -> None:
        self.directory = Path(directory)
        self.lifetime = lifetime
        self.clock = clock

    def _path(self, state: str) -> Path:
        return self.directory / f"{hashlib.sha256(state.encode()).hexdigest()}.json"

    def add(self, *, user: str, conn_id: str, service: str, data: dict[str, Any], state: str | None = None
            ) -> PendingEntry:
        """Keep a new entry; returns it (with a fresh random ``state`` unless one is given).

        :param user: the Airflow user's id.
        :param conn_id: the connection being authorised.
        :param service: the service's name.
        :param data: what finishing needs.
        :param state: the flow's own state (the core flow makes one); default: a new random one.
        """
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._sweep()
        entry = PendingEntry(state=state or secrets.token_urlsafe(32), user=user, conn_id=conn_id,
                             service=service, expires_at=self.clock() + self.lifetime, data=dict(data))
        self._write(entry)
        return entry

    def update(self, entry: PendingEntry, *, data: dict[str, Any]) -> None:
        """Replace what an entry keeps (the device flow's next poll time), keeping its expiry.

        :param entry: the entry, as read by :meth:`peek`.
        :param data: its new data.
        """
        if self._path(entry.state).exists():
            self._write(PendingEntry(state=entry.state, user=entry.user, conn_id=entry.conn_id,
                                     service=entry.service, expires_at=entry.expires_at, data=dict(data)))

    def _write(self, entry: PendingEntry) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")  # created 0600
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(asdict(entry), fh)
            os.replace(tmp, self._path(entry.state))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    def peek(self, state: str, *, user: str) -> PendingEntry:
        """The entry for ``state`` without spending it (the device page's polls); refusals as in :meth:`take`.

        :param state: the state or ticket.
        :param user: the id of the Airflow user asking.
        """
        try:
            entry = PendingEntry(**json.loads(self._path(state).read_text()))
        except (FileNotFoundError, ValueError, TypeError):
            raise PendingRefused("this authorisation is unknown or was already used; start a new one",
                                 "unknown") from None
        return self._check(entry, state, user, path=self._path(state))

    def take(self, state: str, *, user: str) -> PendingEntry:
        """Spend the entry for ``state``: it can never be taken again, whatever the outcome.

        A request by another user does not spend it (a forged callback cannot cancel the real one).

        :param state: the state from the callback.
        :param user: the id of the Airflow user the callback came from.
        """
        entry = self.peek(state, user=user)
        claimed = self._path(state).with_suffix(f".taken-{secrets.token_hex(8)}")
        try:
            os.rename(self._path(state), claimed)  # atomic: of two concurrent callbacks one wins
        except FileNotFoundError:
            raise PendingRefused("this authorisation was already used; start a new one", "unknown") from None
        claimed.unlink(missing_ok=True)
        return entry

    def discard(self, state: str) -> None:
        """Forget an entry (a device flow that ended).

        :param state: the state or ticket.
        """
        self._path(state).unlink(missing_ok=True)

    def _check(self, entry: PendingEntry, state: str, user: str, *, path: Path) -> PendingEntry:
        if not secrets.compare_digest(entry.state, state):
            raise PendingRefused("this authorisation is unknown; start a new one", "unknown")
        if self.clock() >= entry.expires_at:
            path.unlink(missing_ok=True)
            raise PendingRefused(f"this authorisation expired (it waits {int(self.lifetime)} s); start a new one",
                                 "expired")
        if not secrets.compare_digest(entry.user, user):
            raise PendingRefused("this authorisation was started by another Airflow user; start your own",
                                 "other_user")
        return entry

    def _sweep(self) -> None:
        """Drop expired entries (best effort)."""
        now = self.clock()
        for path in self.directory.glob("*.json"):
            with contextlib.suppress(OSError, ValueError, TypeError, KeyError):
                if json.loads(path.read_text())["expires_at"] <= now:
                    path.unlink(missing_ok=True)
