"""The rate limiter's shared state, kept by the token store that keeps the tokens (see
:mod:`airflow_provider_social.core.ratelimit.shared`).

* file store: one small JSON file per credential under ``<directory>/.rates/``, read and rewritten under ``flock``
  (every process of one host; the host's wall clock times the slots);
* Redis: one key per credential holding its next send time, advanced by one Lua script that reads Redis's own
  clock (``TIME``), so hosts with skewed clocks still space their sends; a hold is a key with a time to live;
* PostgreSQL: one row per credential (``<token_table>_rates``), advanced by one ``INSERT ... ON CONFLICT DO UPDATE``
  under the row's lock with the server's ``clock_timestamp()`` read after the lock is taken; holds in a jsonb column.

Keys are fingerprints (:func:`~airflow_provider_social.core.ratelimit.shared.limiter_key`), never tokens. Each call
is bounded by :data:`~airflow_provider_social.core.ratelimit.shared.BACKEND_TIMEOUT`; a failure raises
:class:`~airflow_provider_social.core.ratelimit.shared.RateBackendUnavailable` and the caller falls back to its own
per-process bucket.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.core.ratelimit.shared import BACKEND_TIMEOUT, RateBackendUnavailable, Ticket

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.server_protocols import PostgresStoreServer, RedisStoreServer

T = TypeVar("T")
#: A next-send time further ahead than this is not a queue but a clock that jumped back: it is reset.
MAX_AHEAD = 3600.0
#: How long a slot key outlives its last slot (Redis), so idle credentials leave nothing behind.
IDLE_TTL_MS = 60_000


class FileRateBackend:
    """Slots and holds in ``<directory>/<key>.json``, shared by the processes of one host.

    :param directory: where the state files live (the file store's ``.rates`` directory).
    """

    def __init__(self, directory: str | os.PathLike[str]) -> None:
        self.directory = Path(directory)
        self.description = f"state files in {self.directory}"

    def _update(self, key: str, change: Callable[[dict[str, Any]], T]) -> T:
        """Run ``change`` on the key's state under an exclusive ``flock`` and write the result back."""
        from airflow_provider_social.core.spending import update_json_file

        try:
            self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
            return update_json_file(self.directory / f"{key}.json", change)
        except OSError as exc:
            raise RateBackendUnavailable(str(exc)) from None

    def take(self, key: str, spacing: float, operation: str, now: float) -> Ticket:
        """See :meth:`RateBackend.take <airflow_provider_social.core.ratelimit.shared.RateBackend.take>`."""

        def change(state: dict[str, Any]) -> Ticket:
            holds = {op: until for op, until in dict(state.get("holds") or {}).items() if until > now}
            state["holds"] = holds
            if operation in holds:
                return Ticket(held_until=float(holds[operation]))
            clock = time.time()
            upcoming = float(state.get("next") or 0.0)
            if upcoming - clock > MAX_AHEAD:
                upcoming = clock
            slot = max(clock, upcoming)
            state["next"] = slot + spacing
            return Ticket(wait=slot - clock)

        return self._update(key, change)

    def hold(self, key: str, operation: str, until: float) -> None:
        """See :meth:`RateBackend.hold <airflow_provider_social.core.ratelimit.shared.RateBackend.hold>`."""

        def change(state: dict[str, Any]) -> None:
            holds = dict(state.get("holds") or {})
            holds[operation] = max(until, float(holds.get(operation) or 0.0))
            state["holds"] = holds

        self._update(key, change)


# KEYS: slot, hold. ARGV: spacing (microseconds), the caller's now (epoch seconds, for the hold).
# Returns {0, held_until} when held (no slot taken), else {1, wait in microseconds}.
REDIS_TAKE = """
local held = redis.call('GET', KEYS[2])
if held and tonumber(held) > tonumber(ARGV[2]) then return {0, held} end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local upcoming = tonumber(redis.call('GET', KEYS[1]) or '0')
local slot = math.max(now, upcoming)
local spacing = tonumber(ARGV[1])
local ttl = math.floor((slot + spacing - now) / 1000) + tonumber(ARGV[3])
redis.call('SET', KEYS[1], string.format('%d', slot + spacing), 'PX', ttl)
return {1, string.format('%d', slot - now)}
"""


class RedisRateBackend:
    """Slots and holds in the Redis of a ``redis:<conn_id>`` token store, on a client of their own whose every
    call is bounded by the backend timeout (the token store's client waits longer, as a refresh may).

    :param store: the token store (its Connection names the server).
    """

    def __init__(self, store: RedisStoreServer) -> None:
        self.store = store
        self.description = f"Redis connection {store.conn_id!r}"
        self._client: Any = None
        self._take: Any = None
        self._lock = threading.Lock()

    def _script(self) -> Any:
        with self._lock:
            if self._take is None:
                import redis

                options = self.store.client_options()
                options.update(socket_timeout=BACKEND_TIMEOUT, socket_connect_timeout=BACKEND_TIMEOUT)
                self._client = redis.Redis(**options)
                self._take = self._client.register_script(REDIS_TAKE)
            return self._take

    @staticmethod
    def _keys(key: str, operation: str) -> list[str]:
        slot = f"social_rate:{{{key}}}"  # one hash slot per credential (Redis Cluster)
        return [slot, f"{slot}:hold:{operation}"]

    def take(self, key: str, spacing: float, operation: str, now: float) -> Ticket:
        """See :meth:`RateBackend.take <airflow_provider_social.core.ratelimit.shared.RateBackend.take>`."""
        import redis

        try:
            taken, value = self._script()(
                keys=self._keys(key, operation), args=[int(spacing * 1_000_000), repr(now), IDLE_TTL_MS]
            )
        except (redis.RedisError, OSError) as exc:
            raise RateBackendUnavailable(f"{type(exc).__name__}: {exc}") from None
        if int(taken) == 0:
            return Ticket(held_until=float(value))
        return Ticket(wait=max(0.0, int(value) / 1_000_000))

    def hold(self, key: str, operation: str, until: float) -> None:
        """See :meth:`RateBackend.hold <airflow_provider_social.core.ratelimit.shared.RateBackend.hold>`."""
        import redis

        self._script()
        ttl_ms = max(1, math.ceil((until - time.time()) * 1000)) + IDLE_TTL_MS
        try:
            self._client.set(self._keys(key, operation)[1], repr(until), px=ttl_ms)
        except (redis.RedisError, OSError) as exc:
            raise RateBackendUnavailable(f"{type(exc).__name__}: {exc}") from None


# clock_timestamp() in SET and RETURNING is read after the row's lock is taken (now() would be the statement's
# start, before a wait for the lock, and would hand out a slot already in the past).
POSTGRES_TAKE = """
INSERT INTO {table} AS r (key, next_at) VALUES (%(key)s, extract(epoch FROM clock_timestamp()) + %(spacing)s::float8)
ON CONFLICT (key) DO UPDATE SET
  next_at = CASE WHEN coalesce((r.holds ->> %(operation)s::text)::float8, 0) > %(now)s::float8 THEN r.next_at
                 ELSE greatest(r.next_at, extract(epoch FROM clock_timestamp())) + %(spacing)s::float8 END,
  holds = CASE WHEN coalesce((r.holds ->> %(operation)s::text)::float8, 0) > %(now)s::float8 THEN r.holds
               ELSE r.holds - %(operation)s::text END
RETURNING next_at - %(spacing)s::float8 - extract(epoch FROM clock_timestamp()), (holds ->> %(operation)s::text)::float8
"""
POSTGRES_HOLD = """
INSERT INTO {table} AS r (key, holds) VALUES (%(key)s, jsonb_build_object(%(operation)s::text, %(until)s::float8))
ON CONFLICT (key) DO UPDATE SET holds = r.holds || jsonb_build_object(
  %(operation)s::text, greatest(%(until)s::float8, coalesce((r.holds ->> %(operation)s::text)::float8, 0)))
"""


class PostgresRateBackend:
    """Slots and holds in a table beside the token table of a ``postgres:<conn_id>`` store (``<token_table>_rates``,
    created on first use), one autocommit connection per thread with a one-second statement timeout.

    :param store: the token store (its Connection names the server, its table names ours).
    """

    def __init__(self, store: PostgresStoreServer) -> None:
        self.store = store
        self.description = f"PostgreSQL connection {store.conn_id!r}"
        ms = int(BACKEND_TIMEOUT * 1000)
        self._connections = store.thread_connections(
            "airflow-provider-social rate limiter", options=f"-c statement_timeout={ms} -c lock_timeout={ms}",
            connect_timeout=max(2, math.ceil(BACKEND_TIMEOUT)),  # libpq's least
            setup=self._create_table,
        )
        self._ready = False

    @property
    def table(self) -> str:
        return f"{self.store.table}_rates"

    def _create_table(self, conn: Any) -> None:
        if self._ready:
            return
        from psycopg import sql

        ddl = sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} (key text PRIMARY KEY, next_at double precision NOT NULL DEFAULT 0, "
            "holds jsonb NOT NULL DEFAULT '{{}}')"
        ).format(sql.Identifier(*self.table.split(".")))
        with conn.transaction():
            conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (f"airflow_social_rates ddl {self.table}",))
            conn.execute(ddl)
        self._ready = True

    def _run(self, template: str, params: dict[str, Any]) -> Any:
        import psycopg
        from psycopg import sql

        statement = sql.SQL(template).format(table=sql.Identifier(*self.table.split(".")))
        try:
            cursor = self._connections.get().execute(statement, params)
            return cursor.fetchone() if cursor.description else None
        except psycopg.Error as exc:
            self._connections.discard()
            detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise RateBackendUnavailable(detail) from None

    def take(self, key: str, spacing: float, operation: str, now: float) -> Ticket:
        """See :meth:`RateBackend.take <airflow_provider_social.core.ratelimit.shared.RateBackend.take>`."""
        wait, held = self._run(POSTGRES_TAKE, {"key": key, "spacing": spacing, "operation": operation, "now": now})
        if held is not None and held > now:
            return Ticket(held_until=float(held))
        return Ticket(wait=max(0.0, float(wait)))

    def hold(self, key: str, operation: str, until: float) -> None:
        """See :meth:`RateBackend.hold <airflow_provider_social.core.ratelimit.shared.RateBackend.hold>`."""
        self._run(POSTGRES_HOLD, {"key": key, "operation": operation, "until": until})
