"""Token lifecycle: ``TokenSet``, pluggable ``TokenStore`` backends and the refresh protocol.

The rules (see README "Token lifecycle"):

* The current token set is read from the store first and from the Connection second. A stored set remembers a
  fingerprint of the Connection refresh token it descends from, so re-authorising (which rewrites the Connection)
  supersedes whatever the store holds.
* Refresh happens *before* expiry (``skew`` seconds early), under a lock that serialises refreshes of one
  credential in this process and, through the store, across processes on the host.
* The new set is persisted *before* it is used: a rotated single-use refresh token that was received but not
  saved would be lost for good.
* On ``invalid_grant`` the store is re-read: another worker (possibly on another host, outside our lock) may have
  rotated the token. Only if nothing newer appears does the call fail, naming the command that re-authorises.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from airflow_provider_social.core.errors import AuthenticationError, ReauthorizationRequired
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.ratelimit import fingerprint

DEFAULT_REFRESH_SKEW = 300.0  # seconds before expiry at which we refresh
VARIABLE_PREFIX = "social_token_"  # "token" in the key makes Airflow mask the Variable's value


@dataclass(frozen=True)
class TokenSet:
    """An OAuth token set. ``expires_at`` is epoch seconds; ``extra`` holds service specifics (VK ID device_id)."""

    access_token: str | None
    refresh_token: str | None = None
    expires_at: float | None = None
    token_type: str = "bearer"
    scope: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    # Fingerprint of the Connection refresh token this set descends from (see module docstring).
    seed: str | None = None
    # Epoch seconds of the refresh (or grant) that produced this set; None for a set from the Connection.
    refreshed_at: float | None = None

    @classmethod
    def from_token_response(
        cls, payload: dict[str, Any], *, now: float, previous: TokenSet | None = None
    ) -> TokenSet:
        """Build a set from an OAuth token endpoint response, keeping what the response leaves out."""
        expires_in = payload.get("expires_in")
        extra = dict(previous.extra) if previous else {}
        for key in ("user_id", "device_id", "id_token", "state"):
            if payload.get(key) is not None:
                extra[key] = payload[key]
        return cls(
            access_token=payload["access_token"],
            # Some servers omit the refresh token when it did not rotate; keep the one we have.
            refresh_token=payload.get("refresh_token") or (previous.refresh_token if previous else None),
            expires_at=now + float(expires_in) if expires_in not in (None, "", 0, "0") else None,
            token_type=str(payload.get("token_type") or "bearer"),
            scope=payload.get("scope") or (previous.scope if previous else None),
            extra=extra,
            seed=previous.seed if previous else None,
        )

    def expires_within(self, seconds: float, now: float) -> bool:
        """True when there is no access token or it expires within ``seconds``."""
        if not self.access_token:
            return True
        return self.expires_at is not None and self.expires_at - now <= seconds

    def register_secrets(self) -> None:
        register_secret(self.access_token, "access_token")
        register_secret(self.refresh_token, "refresh_token")

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TokenSet:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})

    def __repr__(self) -> str:  # never print tokens, even in a debugger or a traceback's locals
        return f"TokenSet(expires_at={self.expires_at}, scope={self.scope!r}, seed={self.seed!r})"


class InvalidGrantError(AuthenticationError):
    """The token endpoint answered ``invalid_grant``: the refresh token is spent, expired or revoked."""


# --------------------------------------------------------------------------------------------------- stores


class TokenStore(ABC):
    """Where rotating token state lives between task runs."""

    @abstractmethod
    def load(self, key: str) -> TokenSet | None: ...

    @abstractmethod
    def save(self, key: str, tokens: TokenSet) -> None: ...

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Serialise refreshes of ``key`` beyond this process, where the backend can. Default: host-wide."""
        with host_lock(key):
            yield


class MemoryTokenStore(TokenStore):
    """A process-local store for tests and one-off scripts."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def load(self, key: str) -> TokenSet | None:
        with self._lock:
            data = self._data.get(key)
        return TokenSet.from_json(data) if data else None

    def save(self, key: str, tokens: TokenSet) -> None:
        with self._lock:
            self._data[key] = tokens.to_json()

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        yield  # the process lock in TokenManager is enough for a process-local store


class FileTokenStore(TokenStore):
    """JSON files (mode 0600) in a directory: for local development and single-host deployments."""

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)

    def _path(self, key: str) -> Path:
        return self.directory / f"{_safe_key(key)}.json"

    def load(self, key: str) -> TokenSet | None:
        try:
            return TokenSet.from_json(json.loads(self._path(key).read_text()))
        except FileNotFoundError:
            return None

    def save(self, key: str, tokens: TokenSet) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        # Write a sibling temp file and rename: readers never see a half-written set.
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-")
        try:
            with os.fdopen(fd, "w") as fh:
                json.dump(tokens.to_json(), fh)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, self._path(key))
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp)
            raise

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        with host_lock(key, directory=self.directory / ".locks"):
            yield


class VariableTokenStore(TokenStore):
    """The default store: one Airflow Variable per connection, JSON, Fernet-encrypted by Airflow.

    Tasks may write Variables in Airflow 3 (they may not write Connections). Variables have no compare-and-swap,
    so refreshes are serialised per host by a file lock and across hosts by the re-read on ``invalid_grant``.
    """

    def __init__(self, prefix: str = VARIABLE_PREFIX) -> None:
        self.prefix = prefix

    def variable_key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def load(self, key: str) -> TokenSet | None:
        from airflow.sdk import Variable

        data = Variable.get(self.variable_key(key), default=None, deserialize_json=True)
        return TokenSet.from_json(data) if data else None

    def save(self, key: str, tokens: TokenSet) -> None:
        from airflow.sdk import Variable

        Variable.set(
            self.variable_key(key),
            tokens.to_json(),
            description="Rotating OAuth tokens kept by airflow-provider-social. Do not edit by hand.",
            serialize_json=True,
        )


def _safe_key(key: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", key)


@contextlib.contextmanager
def host_lock(key: str, directory: str | os.PathLike[str] | None = None) -> Iterator[None]:
    """An exclusive lock shared by every process on this host (``flock`` on a per-key file)."""
    default_dir = Path(tempfile.gettempdir()) / "airflow-social-locks"
    lock_dir = Path(directory or os.environ.get("SOCIAL_TOKEN_LOCK_DIR") or default_dir)
    lock_dir.mkdir(parents=True, exist_ok=True)
    with open(lock_dir / f"{_safe_key(key)}.lock", "a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# --------------------------------------------------------------------------------------------------- manager

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(key: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(key, threading.Lock())


Refresher = Callable[[TokenSet], TokenSet]


class TokenManager:
    """Hands out a valid access token for one credential, refreshing and persisting as the rules above say."""

    def __init__(
        self,
        *,
        key: str,
        seed: TokenSet,
        store: TokenStore,
        refresher: Refresher | None,
        service: str,
        reauth_command: str,
        skew: float = DEFAULT_REFRESH_SKEW,
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        rotation_wait: float = 3.0,
        read_only: bool = False,
        grant: Callable[[], TokenSet] | None = None,
        lineage: str | None = None,
    ) -> None:
        self.key = key
        self.store = store
        self.refresher = refresher
        self.service = service
        self.reauth_command = reauth_command
        self.skew = skew
        self.clock = clock
        self.sleep = sleep
        # How long to wait, after invalid_grant, for a worker on another host to persist the token it rotated.
        self.rotation_wait = rotation_wait
        # Read-only managers (the UI's connection test, outside any task) never refresh: a refresh rotates a
        # single-use refresh token, and there the new one could not be persisted.
        self.read_only = read_only
        # A grant that needs no refresh token (OAuth client credentials): used when there is none, or when the
        # refresh token was refused and no other worker rotated it. ``lineage`` (e.g. the client id) then plays
        # the Connection refresh token's part in telling whether a stored set belongs to this Connection.
        self.grant = grant
        origin = seed.refresh_token or lineage
        self._seed = replace(seed, seed=fingerprint(origin) if origin else None)
        self._seed.register_secrets()
        self._tokens: TokenSet | None = None

    # -- reading ----------------------------------------------------------------------------------------------
    def _latest(self) -> TokenSet:
        """The store's set if it descends from the Connection's current grant, else the Connection's own."""
        try:
            stored = self.store.load(self.key)
        except Exception:
            if not self.read_only:
                raise
            stored = None  # e.g. Variables are unreachable from the API server; the Connection is enough to test
        if stored is not None and (self._seed.seed is None or stored.seed == self._seed.seed):
            stored.register_secrets()
            return stored
        return self._seed

    def current(self) -> TokenSet:
        """A token set whose access token is valid for at least ``skew`` more seconds."""
        tokens = self._tokens or self._latest()
        if tokens.expires_within(self.skew, self.clock()):
            tokens = self.refresh(stale=tokens)
        self._tokens = tokens
        return tokens

    def access_token(self) -> str:
        token = self.current().access_token
        assert token is not None  # current() refreshes or raises when there is none
        return token

    # -- refreshing -------------------------------------------------------------------------------------------
    def refresh(self, *, stale: TokenSet | None = None, force: bool = False) -> TokenSet:
        """Refresh once for everyone: whoever waited on the lock adopts the set the winner persisted.

        ``stale`` is the set the caller found unusable (expired, or refused with 401); a newer set in the store
        is adopted instead of refreshing again. ``force`` refreshes even if the stored set looks fresh.
        """
        if self.read_only and self.grant is not None:
            # Nothing single-use is rotated by a fresh grant: a connection test may use one (it is not saved).
            tokens = self.grant()
            tokens.register_secrets()
            self._tokens = tokens
            return tokens
        if self.read_only:
            raise AuthenticationError(
                "the access token has expired or was refused; a connection test does not refresh it (that would "
                "rotate the refresh token where it cannot be saved). The next task run refreshes it",
                service=self.service,
                operation="refresh token",
            )
        with _process_lock(self.key), self.store.lock(self.key):
            latest = self._latest()
            someone_else_refreshed = stale is not None and latest.access_token != stale.access_token
            if not latest.expires_within(self.skew, self.clock()) and (someone_else_refreshed or not force):
                self._tokens = latest
                return latest
            new = self._refresh_from(latest)
            self.store.save(self.key, new)  # persist before anyone uses it
            self._tokens = new
            return new

    def _refresh_from(self, latest: TokenSet) -> TokenSet:
        if self.refresher is None or not latest.refresh_token:
            if self.grant is not None:
                return self._granted(latest)
            raise self._reauthorize("the access token expired and there is no refresh token to renew it")
        try:
            new = self.refresher(latest)
        except InvalidGrantError as exc:
            rotated = self._wait_for_rotation(latest)
            if rotated is None:
                if self.grant is not None:
                    return self._granted(latest)
                raise self._reauthorize(f"the refresh token was refused ({exc.api_message})") from None
            if not rotated.expires_within(self.skew, self.clock()):
                return rotated
            try:
                new = self.refresher(rotated)
            except InvalidGrantError as again:
                raise self._reauthorize(f"the refresh token was refused ({again.api_message})") from None
        new = replace(new, seed=latest.seed, refreshed_at=self.clock())
        new.register_secrets()
        return new

    def _granted(self, latest: TokenSet) -> TokenSet:
        assert self.grant is not None
        new = replace(self.grant(), seed=latest.seed, refreshed_at=self.clock())
        new.register_secrets()
        return new

    def _wait_for_rotation(self, refused: TokenSet) -> TokenSet | None:
        """Re-read the store: a worker elsewhere may have rotated the token moments before we tried."""
        deadline = self.clock() + self.rotation_wait
        while True:
            reread = self._latest()
            if reread.refresh_token and reread.refresh_token != refused.refresh_token:
                return reread
            if self.clock() >= deadline:
                return None
            self.sleep(min(0.5, self.rotation_wait))

    def _reauthorize(self, why: str) -> ReauthorizationRequired:
        return ReauthorizationRequired(
            f"Cannot renew the credentials of connection '{self.key}': {why}",
            service=self.service,
            operation="refresh token",
            api_code="invalid_grant",
            hint=f"re-authorise with `{self.reauth_command}`",
        )
