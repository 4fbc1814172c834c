"""``token_store: postgres:<conn_id>``: token sets in a PostgreSQL table, refreshed under a row lock.

One row per credential: ``key`` (the connection id), ``token_set`` (sealed JSON), ``version`` (bumped by every write).
A refresh runs inside one transaction that holds the row's lock (``SELECT ... FOR UPDATE``): the waiting workers, on
any host, block on the row and then read the set the winner committed in that same transaction, so they adopt it
instead of refreshing again. The write is conditional on the version read under the lock, so a writer never
overwrites a newer set. A holder that dies releases the lock with its connection: PostgreSQL aborts the transaction
when the socket closes (a killed process), when TCP keepalives find the host gone, or after
``idle_in_transaction_session_timeout`` (a hung one).

The server is an Airflow Connection of type ``postgres``: host, port, login, password, schema (the database) and
libpq extras such as ``sslmode``; ``token_table`` (default ``airflow_social_tokens``) and ``token_lock_timeout``
(seconds a waiter gives a refresh in progress, default 120) are ours. psycopg 3 (``pip install
airflow-provider-social[postgres]``) is imported only when the store is used.
"""

from __future__ import annotations

import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.tokens.model import TokenSet
from airflow_provider_social.core.tokens.shared import SharedServerStore
from airflow_provider_social.core.tokens.stores import Persist, StaleTokenWrite, TokenStoreError

DEFAULT_TABLE = "airflow_social_tokens"
# A refresh holds the row for one token request (bounded by the hook's read timeout, 60 s by default); a session
# idle in its transaction for longer than this is a hung holder, and PostgreSQL ends it to free the row.
HOLD_TIMEOUT_MS = 300_000
# libpq parameters a Connection's extras may carry through to the connection.
LIBPQ_EXTRAS = (
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "connect_timeout", "application_name",
    "target_session_attrs", "options", "gssencmode", "sslcrl",
)
_TABLE_NAME = re.compile(r"^([a-z_][a-z0-9_]{0,62}\.)?[a-z_][a-z0-9_]{0,62}$")


@dataclass
class _Held:
    """The transaction of a refresh in progress: its connection and the version read under the row lock."""

    conn: Any
    version: int
    committed: bool = False


class ThreadConnections:
    """One autocommit connection per thread to a store's server, made again when it was closed or dropped: what the
    rate limiter's table and the spending ledger each keep beside the token table.

    :param params: psycopg's connection parameters (made when a connection is; the store's, adjusted by the user).
    :param setup: run on each new connection before it is handed out (creating the user's table).
    """

    def __init__(self, params: Callable[[], dict[str, Any]], setup: Callable[[Any], None] | None = None) -> None:
        self.params = params
        self.setup = setup
        self._local = threading.local()

    def get(self) -> Any:
        """This thread's connection."""
        conn = getattr(self._local, "conn", None)
        if conn is not None and not conn.closed:
            return conn
        import psycopg

        conn = psycopg.connect(**self.params(), autocommit=True)
        if self.setup is not None:
            self.setup(conn)
        self._local.conn = conn
        return conn

    def discard(self) -> None:
        """Close and forget this thread's connection (after an error: the next :meth:`get` connects anew)."""
        conn, self._local.conn = getattr(self._local, "conn", None), None
        if conn is not None:
            conn.close()


class PostgresTokenStore(SharedServerStore):
    """Token sets in a PostgreSQL table shared by every host (see the module docstring).

    :param conn_id: the Airflow Connection of the PostgreSQL server.
    :param connection: an Airflow Connection already loaded; None reads ``conn_id`` on first use.
    :param table: the table (optionally ``schema.table``); None: the extra ``token_table``, else
        ``airflow_social_tokens``. Created on first use when missing.
    :param kwargs: see :class:`~airflow_provider_social.core.tokens.shared.SharedServerStore`.
    """

    scheme = "postgres"

    def __init__(self, conn_id: str, *, connection: Any = None, table: str | None = None, **kwargs: Any) -> None:
        super().__init__(conn_id, connection=connection, **kwargs)
        self._table = table
        self._held: dict[str, _Held] = {}
        self._local = threading.local()
        self._ready = False

    # -- connections ----------------------------------------------------------------------------------------
    @property
    def table(self) -> str:
        if self._table is None:
            self._table = str(self.extras.get("token_table") or DEFAULT_TABLE)
        if not _TABLE_NAME.match(self._table):
            raise input_error(
                f"connection {self.conn_id!r}, field token_table",
                f"expected a lower-case SQL name (optionally schema.table, each at most 63 characters), "
                f"got {self._table!r}",
                operation="token store",
            )
        return self._table

    def connection_params(self) -> dict[str, Any]:
        """psycopg's connection parameters for the server the Connection names (with its libpq extras)."""
        conn = self.connection
        params: dict[str, Any] = {
            "host": conn.host or "localhost",
            "port": int(conn.port or 5432),
            "user": conn.login or None,
            "password": conn.password or None,
            "dbname": conn.schema or "postgres",
            "application_name": "airflow-provider-social token store",
            "connect_timeout": 10,
            # A host that vanishes (not just a process) is found by keepalives, and its lock released.
            "keepalives": 1,
            "keepalives_idle": 30,
            "keepalives_interval": 10,
            "keepalives_count": 3,
        }
        extras = self.extras
        params.update({name: extras[name] for name in LIBPQ_EXTRAS if extras.get(name) not in (None, "")})
        return {k: v for k, v in params.items() if v is not None}

    def thread_connections(self, application_name: str, *, options: str = "",
                           connect_timeout: int | None = None,
                           setup: Callable[[Any], None] | None = None) -> ThreadConnections:
        """Per-thread autocommit connections to this store's server for state kept beside the tokens.

        :param application_name: how the connections show in ``pg_stat_activity``.
        :param options: server settings added to the Connection's own (``-c statement_timeout=1000``).
        :param connect_timeout: seconds to connect (default: the store's).
        :param setup: run on each new connection (creating the user's table).
        """

        def params() -> dict[str, Any]:
            made = self.connection_params()
            made["application_name"] = application_name
            if options:
                made["options"] = f"{made.get('options', '')} {options}".strip()
            if connect_timeout is not None:
                made["connect_timeout"] = connect_timeout
            return made

        return ThreadConnections(params, setup)

    def _conninfo(self) -> dict[str, Any]:
        params = self.connection_params()
        wait_ms = int(self.lock_timeout * 1000)
        settings = f"-c lock_timeout={wait_ms} -c idle_in_transaction_session_timeout={HOLD_TIMEOUT_MS}"
        params["options"] = f"{params.get('options', '')} {settings}".strip()
        return {k: v for k, v in params.items() if v is not None}

    def _connect(self, *, autocommit: bool) -> Any:
        import psycopg

        try:
            conn = psycopg.connect(**self._conninfo(), autocommit=autocommit)
        except psycopg.Error as exc:
            raise self._error("cannot connect", exc) from None
        if not self._ready:
            self._create_table(conn)
        return conn

    def _reader(self) -> Any:
        """This thread's autocommit connection for reads outside a refresh."""
        conn = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = self._connect(autocommit=True)
        return conn

    def _create_table(self, conn: Any) -> None:
        from psycopg import sql

        ident = sql.Identifier(*self.table.split("."))
        ddl = sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, token_set text, version bigint NOT NULL DEFAULT 0, "
            "updated_at timestamptz NOT NULL DEFAULT now())"
        ).format(ident)
        try:
            with conn.transaction():
                # Two first workers creating the table at once would collide on the catalog: serialise them.
                conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"airflow_social_tokens ddl {self.table}",))
                conn.execute(ddl)
        except Exception as exc:
            raise self._error(f"cannot create the table {self.table} (create it, or grant CREATE)", exc) from None
        self._ready = True

    def _sql(self, template: str) -> Any:
        from psycopg import sql

        return sql.SQL(template).format(table=sql.Identifier(*self.table.split(".")))

    def _error(self, what: str, exc: BaseException) -> TokenStoreError:
        detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return TokenStoreError(
            f"PostgreSQL token store (connection {self.conn_id!r}): {what}: {detail}", operation="token store"
        )

    def rate_backend(self) -> Any:
        """The rate limiter's slots and holds in a table beside the token table, shared by every host."""
        from airflow_provider_social.core.tokens.rates import PostgresRateBackend

        return PostgresRateBackend(self)

    def spend_documents(self) -> Any:
        """The spending ledger beside the rate limiter's state, shared by every process on every host."""
        from airflow_provider_social.core.tokens.spend import PostgresDocuments

        return PostgresDocuments(self)

    # -- the protocol ---------------------------------------------------------------------------------------
    def describe(self, key: str) -> str:
        """The row that holds the set of ``key``.

        :param key: the credential's key (the connection id).
        """
        return f"the PostgreSQL token store (connection {self.conn_id!r}, table {self.table}, key {key!r})"

    def load(self, key: str) -> TokenSet | None:
        """The stored set of ``key``; under :meth:`lock`, read in the lock's transaction.

        :param key: the credential's key.
        """
        import psycopg

        held = self._held.get(key)
        try:
            if held is not None:
                row = held.conn.execute(self._sql("SELECT token_set, version FROM {table} WHERE key = %s"), (key,))
                found = row.fetchone()
                held.version = int(found[1]) if found else 0
            else:
                found = self._reader().execute(
                    self._sql("SELECT token_set, version FROM {table} WHERE key = %s"), (key,)
                ).fetchone()
        except psycopg.Error as exc:
            self._local.conn = None
            raise self._error("cannot read", exc) from None
        return self.sealer.unseal(found[0]) if found else None

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Hold the row of ``key`` (``SELECT ... FOR UPDATE``) in a transaction of a connection of its own.

        :param key: the credential's key.
        """
        import psycopg

        conn = self._connect(autocommit=False)
        try:
            conn.execute(self._sql("INSERT INTO {table} (key) VALUES (%s) ON CONFLICT (key) DO NOTHING"), (key,))
            found = conn.execute(
                self._sql("SELECT version FROM {table} WHERE key = %s FOR UPDATE"), (key,)
            ).fetchone()
        except psycopg.errors.LockNotAvailable:
            conn.close()
            raise TokenStoreError(
                f"PostgreSQL token store (connection {self.conn_id!r}): another worker has held the refresh of "
                f"{key!r} for over {self.lock_timeout:g} s (token_lock_timeout); try again later",
                operation="token store",
            ) from None
        except psycopg.Error as exc:
            conn.close()
            raise self._error("cannot lock", exc) from None
        held = self._held[key] = _Held(conn, int(found[0]))
        try:
            yield
        finally:
            self._held.pop(key, None)
            with contextlib.suppress(Exception):
                if not held.committed:
                    conn.rollback()
            with contextlib.suppress(Exception):
                conn.close()

    def prepare_save(self, key: str) -> Persist:
        """Under :meth:`lock`: the write is one ``UPDATE`` and the ``COMMIT`` on the connection holding the row.

        :param key: the credential's key.
        """
        held = self._held.get(key)
        if held is None:
            return lambda tokens: self.save(key, tokens)
        statement = self._sql(
            "UPDATE {table} SET token_set = %s, version = version + 1, updated_at = now() "
            "WHERE key = %s AND version = %s"
        )
        sealer = self.sealer
        conn = held.conn

        def persist(tokens: TokenSet) -> None:
            self._write(held, conn, statement, sealer.seal(tokens), key)

        return persist

    def _write(self, held: _Held, conn: Any, statement: Any, sealed: str, key: str) -> None:
        import psycopg

        try:
            updated = conn.execute(statement, (sealed, key, held.version)).rowcount
            if updated != 1:
                conn.rollback()
                raise StaleTokenWrite(
                    f"PostgreSQL token store (connection {self.conn_id!r}): the set of {key!r} changed since it "
                    f"was read (version {held.version}); the newer set was kept",
                    operation="token store",
                )
            conn.commit()
        except psycopg.Error as exc:
            raise self._error("cannot save the new token set", exc) from None
        held.committed = True
        held.version += 1

    def save(self, key: str, tokens: TokenSet) -> None:
        """Write the set of ``key``: under :meth:`lock` conditionally on the version read there; otherwise in a
        transaction of its own that takes the lock first (the CLI storing a fresh grant).

        :param key: the credential's key.
        :param tokens: the set to store.
        """
        if key in self._held:
            self.prepare_save(key)(tokens)
            return
        with self.lock(key):
            self.prepare_save(key)(tokens)
