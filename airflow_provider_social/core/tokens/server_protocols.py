"""What the state kept beside the tokens (the rate limiter's slots in :mod:`.rates`, the spending ledger in
:mod:`.spend`) uses of the Redis or PostgreSQL token store that keeps it: the store builds its backends
(``rate_backend()``, ``spend_documents()``) and the backends see it only through these protocols, so neither
module imports the store modules above them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol


class RedisStoreServer(Protocol):
    """A ``redis:<conn_id>`` token store (:class:`~airflow_provider_social.core.tokens.redis_store.RedisTokenStore`)
    as its backends use it."""

    conn_id: str

    def client_options(self) -> dict[str, Any]:
        """redis-py's options for the server the Connection names."""
        ...


class ThreadConnectionPool(Protocol):
    """One connection per thread (:class:`~airflow_provider_social.core.tokens.postgres.ThreadConnections`)."""

    def get(self) -> Any:
        """This thread's connection, opened (and set up) on first use."""
        ...

    def discard(self) -> None:
        """Close this thread's connection after an error, so the next call opens a fresh one."""
        ...


class PostgresStoreServer(Protocol):
    """A ``postgres:<conn_id>`` token store (:class:`~airflow_provider_social.core.tokens.postgres.PostgresTokenStore`)
    as its backends use it."""

    conn_id: str

    @property
    def table(self) -> str:
        """The token table (its backends' tables are named after it)."""
        ...

    def thread_connections(self, application_name: str, *, options: str = "", connect_timeout: int | None = None,
                           setup: Callable[[Any], None] | None = None) -> ThreadConnectionPool:
        """Per-thread autocommit connections to the store's server."""
        ...


__all__ = ["PostgresStoreServer", "RedisStoreServer", "ThreadConnectionPool"]
