"""Token lifecycle: ``TokenSet``, pluggable ``TokenStore`` backends and the refresh protocol.

The rules (see docs/tokens.md):

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

import math
import threading
import time
from collections.abc import Callable
from dataclasses import replace

from airflow_provider_social.core.errors import AuthenticationError, ReauthorizationRequired
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens.model import DEFAULT_REFRESH_SKEW, InvalidGrantError, TokenSet
from airflow_provider_social.core.tokens.stores import TokenStore

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
            # Ready the write before the request: a store this process cannot write refuses here, with the
            # refresh token unspent; and nothing but the write sits between the token endpoint's answer and saving.
            persist = self.store.prepare_save(self.key)
            new = self._refresh_from(latest)
            persist(new)  # persist before anyone uses it
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
                raise self._reauthorize(self._refused(exc)) from None
            if not rotated.expires_within(self.skew, self.clock()):
                return rotated
            try:
                new = self.refresher(rotated)
            except InvalidGrantError as again:
                raise self._reauthorize(self._refused(again)) from None
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
        step = min(0.5, self.rotation_wait)
        deadline = self.clock() + self.rotation_wait
        # Bounded by the clock and by the count of re-reads: a clock that sleeping does not advance (a frozen test
        # clock, a suspended VM) must not make this wait endless.
        for attempt in range(math.ceil(self.rotation_wait / step) + 1 if step > 0 else 1):
            if attempt:
                self.sleep(step)
            reread = self._latest()
            if reread.refresh_token and reread.refresh_token != refused.refresh_token:
                return reread
            if self.clock() >= deadline:
                break
        return None

    def _refused(self, exc: InvalidGrantError) -> str:
        return (
            f"the refresh token held in {self.store.describe(self.key)} was refused ({exc.api_message}) and no "
            f"newer one appeared there: it was spent or revoked (a worker that received its successor and died "
            f"before saving it, a copy of this credential used elsewhere, or a revoked grant)"
        )

    def _reauthorize(self, why: str) -> ReauthorizationRequired:
        return ReauthorizationRequired(
            f"Cannot renew the credentials of connection '{self.key}': {why}",
            service=self.service,
            operation="refresh token",
            api_code="invalid_grant",
            hint=f"re-authorise with `{self.reauth_command}`",
        )
