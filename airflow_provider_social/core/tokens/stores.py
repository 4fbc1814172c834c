"""The ``TokenStore`` protocol and the single-host stores: process memory, JSON files, host-wide ``flock``."""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import tempfile
import threading
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import SocialApiError
from airflow_provider_social.core.tokens.model import TokenSet

if TYPE_CHECKING:
    from airflow_provider_social.core.ratelimit.shared import RateBackend
    from airflow_provider_social.core.spending import SpendDocuments

Persist = Callable[[TokenSet], None]


class TokenStoreError(SocialApiError):
    """The token store could not be read, locked or written (the message names the store and what to configure)."""


class StaleTokenWrite(TokenStoreError):
    """A conditional write found a newer set than the one the writer read: it was not overwritten."""


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

    def check_setting(self) -> None:
        """Check what the ``token_store`` setting names exists, without reading a token (before any API call).
        Raises a ValidationError naming ``token_store``. Default: nothing to check."""
        return None

    def describe(self, key: str) -> str:
        """Where the set of ``key`` lives, for error messages (never a secret).

        :param key: the credential's key (the connection id).
        """
        return f"the {type(self).__name__} entry {key!r}"

    def prepare_save(self, key: str) -> Persist:
        """Make sure a new set for ``key`` can be persisted, before a refresh spends the refresh token.

        Called under :meth:`lock`, before the token request is sent. Returns the function that persists the new
        set, with everything it needs (imports, connections, scripts) made ready, so that nothing but the write sits
        between receiving the token endpoint's answer and persisting it. Raises :class:`TokenStoreError` when this
        process cannot write the store: then no refresh happens and no token is lost.

        :param key: the credential's key (the connection id).
        """
        return lambda tokens: self.save(key, tokens)

    def rate_backend(self) -> RateBackend | None:
        """Where the rate limiter of the tokens kept here shares its state across processes, or None: each process
        limits its own sends (the default; the Variable and memory stores)."""
        return None

    def spend_documents(self) -> SpendDocuments:
        """Where the spending ledger of the connections whose tokens live here is kept (:mod:`core.spending`):
        beside the rate limiter's state where the store shares one; else this process's memory (the default)."""
        from airflow_provider_social.core.spending import process_documents

        return process_documents


class MemoryTokenStore(TokenStore):
    """A process-local store for tests and one-off scripts."""

    def __init__(self) -> None:
        self._data: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()
        self._spend: SpendDocuments | None = None

    def spend_documents(self) -> SpendDocuments:
        """A spending ledger of this store's own (so two memory stores, like two tests, share nothing)."""
        with self._lock:
            if self._spend is None:
                from airflow_provider_social.core.spending import MemoryDocuments

                self._spend = MemoryDocuments()
            return self._spend

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

    def describe(self, key: str) -> str:
        """The file that holds the set of ``key``.

        :param key: the credential's key (the connection id).
        """
        return f"the token file {self._path(key)}"

    def _path(self, key: str) -> Path:
        return self.directory / f"{_safe_key(key)}.json"

    def saved_at(self, key: str) -> float | None:
        """When the set of ``key`` was last written (epoch seconds), or None when there is none.

        :param key: the credential's key (the connection id).
        """
        try:
            return self._path(key).stat().st_mtime
        except FileNotFoundError:
            return None

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

    def rate_backend(self) -> RateBackend:
        """Slots and holds in small state files beside the token files (``.rates/``), shared by this host's
        processes under ``flock``."""
        from airflow_provider_social.core.tokens.rates import FileRateBackend

        return FileRateBackend(self.directory / ".rates")

    def spend_documents(self) -> SpendDocuments:
        """The spending ledger in small files beside the token files (``.spend/``), under ``flock``."""
        from airflow_provider_social.core.spending import FileDocuments

        return FileDocuments(self.directory / ".spend")


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


