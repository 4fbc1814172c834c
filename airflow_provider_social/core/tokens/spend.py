"""The spending ledger's documents (:mod:`airflow_provider_social.core.spending`) in the Redis and PostgreSQL token
stores, beside the rate limiter's state, so every process on every host counts into one ledger.

* Redis: one key per document, ``social_spend:{<name>}``, read and rewritten in a ``WATCH``/``MULTI`` transaction
  (repeated when another process wrote in between), kept 40 days;
* PostgreSQL: one row per document in ``<token_table>_spend`` (created on first use), read ``FOR UPDATE`` and
  rewritten in one transaction.

A backend that fails raises :class:`~airflow_provider_social.core.tokens.stores.TokenStoreError` naming it: the call
is not sent, as a budget that cannot be read cannot be kept.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.core.tokens.stores import TokenStoreError

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.server_protocols import PostgresStoreServer, RedisStoreServer

T = TypeVar("T")
#: How long a day's or a month's document outlives its last write (Redis).
KEEP_SECONDS = 40 * 86_400


class RedisDocuments:
    """Ledger documents in the Redis of a ``redis:<conn_id>`` token store."""

    def __init__(self, store: RedisStoreServer) -> None:
        self.store = store
        self.description = f"Redis connection {store.conn_id!r}"
        self._client: Any = None
        self._lock = threading.Lock()

    def _redis(self) -> Any:
        with self._lock:
            if self._client is None:
                import redis

                self._client = redis.Redis(**self.store.client_options())
            return self._client

    def update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        import redis

        key = f"social_spend:{{{name}}}"
        results: list[T] = []

        def transaction(pipe: Any) -> None:
            raw = pipe.get(key)
            doc = json.loads(raw) if raw else {}
            result = change(doc)
            pipe.multi()
            pipe.set(key, json.dumps(doc), ex=KEEP_SECONDS)
            results.append(result)

        try:
            self._redis().transaction(transaction, key)
        except (redis.RedisError, OSError) as exc:
            raise TokenStoreError(f"the spending ledger in {self.description} failed: {type(exc).__name__}: {exc}",
                                  hint="the call was not sent: a budget that cannot be read cannot be kept") from None
        return results[-1]


class PostgresDocuments:
    """Ledger documents in a table beside the token table of a ``postgres:<conn_id>`` store."""

    def __init__(self, store: PostgresStoreServer) -> None:
        self.store = store
        self.description = f"PostgreSQL connection {store.conn_id!r}"
        self._connections = store.thread_connections("airflow-provider-social spending ledger",
                                                     setup=self._create_table)

    @property
    def table(self) -> str:
        return f"{self.store.table}_spend"

    def _create_table(self, conn: Any) -> None:
        from psycopg import sql

        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"airflow_social_spend ddl {self.table}",))
            conn.execute(sql.SQL("CREATE TABLE IF NOT EXISTS {} (name text PRIMARY KEY, doc jsonb NOT NULL "
                                 "DEFAULT '{{}}')").format(sql.Identifier(*self.table.split("."))))

    def update(self, name: str, change: Callable[[dict[str, Any]], T]) -> T:
        import psycopg
        from psycopg import sql

        table = sql.Identifier(*self.table.split("."))
        try:
            conn = self._connections.get()
            with conn.transaction():
                conn.execute(sql.SQL("INSERT INTO {} (name) VALUES (%s) ON CONFLICT (name) DO NOTHING").format(table),
                             (name,))
                row = conn.execute(sql.SQL("SELECT doc FROM {} WHERE name = %s FOR UPDATE").format(table),
                                   (name,)).fetchone()
                doc = dict(row[0] or {})
                result = change(doc)
                conn.execute(sql.SQL("UPDATE {} SET doc = %s::jsonb WHERE name = %s").format(table),
                             (json.dumps(doc), name))
            return result
        except psycopg.Error as exc:
            self._connections.discard()
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise TokenStoreError(f"the spending ledger in {self.description} failed: {detail}",
                                  hint="the call was not sent: a budget that cannot be read cannot be kept") from None
