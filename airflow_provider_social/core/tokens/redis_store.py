"""``token_store: redis:<conn_id>``: token sets in Redis, refreshed under a lease with a fencing token.

Per credential three keys (one hash slot, so a Redis Cluster keeps them together): ``social_token:{key}`` (a hash:
the sealed set, its ``version`` and the ``fence`` of its writer), ``...:lease`` (the holder's fencing token, with a
time to live) and ``...:fence`` (the counter fencing tokens come from). A refresh takes the lease (a Lua script:
set only if absent, with a new fencing token), renews it from a watchdog thread while it runs, and writes with a
compare-and-set script that succeeds only while its fencing token still holds the lease and the version is the one
it read: a holder whose lease ran out (a pause longer than the lease) can no longer write over its successor's set.
A holder that dies stops renewing, and its lease expires after ``token_lease_seconds`` (default 30); the waiters
then read the stored set and adopt it if it is fresh.

The server is an Airflow Connection of type ``redis``: host, port, login (ACL user), password, extras ``db``,
``ssl``, ``ssl_cert_reqs``, ``ssl_ca_certs``, ``ssl_certfile``, ``ssl_keyfile``, ``ssl_check_hostname`` (the names
Airflow's Redis provider reads), plus ours: ``token_lease_seconds`` and ``token_lock_timeout``. redis-py
(``pip install airflow-provider-social[redis]``) is imported only when the store is used.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_social.core.tokens.model import TokenSet
from airflow_provider_social.core.tokens.shared import SharedServerStore
from airflow_provider_social.core.tokens.stores import Persist, StaleTokenWrite, TokenStoreError

DEFAULT_LEASE_SECONDS = 30.0
PREFIX = "social_token:"

ACQUIRE = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
local fence = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], fence, 'PX', ARGV[1])
return fence
"""
RENEW = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return 0
"""
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""
# KEYS: lease, data; ARGV: fence, expected version, sealed set. -1: the lease is not ours; -2: a newer version.
COMPARE_AND_SET = """
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
local version = tonumber(redis.call('HGET', KEYS[2], 'version') or '0')
if version ~= tonumber(ARGV[2]) then return -2 end
local last = tonumber(redis.call('HGET', KEYS[2], 'fence') or '0')
if last > tonumber(ARGV[1]) then return -1 end
redis.call('HSET', KEYS[2], 'set', ARGV[3], 'version', version + 1, 'fence', ARGV[1])
return version + 1
"""


@dataclass
class _Lease:
    fence: str
    version: int = 0
    lost: threading.Event = field(default_factory=threading.Event)
    done: threading.Event = field(default_factory=threading.Event)


class RedisTokenStore(SharedServerStore):
    """Token sets in Redis shared by every host (see the module docstring).

    :param conn_id: the Airflow Connection of the Redis server.
    :param connection: an Airflow Connection already loaded; None reads ``conn_id`` on first use.
    :param lease_seconds: the lease's time to live; None: the extra ``token_lease_seconds``, else 30.
    :param sleep: the wait between attempts to take a lease held by another worker (real time: that worker runs
        on the real clock).
    :param kwargs: see :class:`~airflow_provider_social.core.tokens.shared.SharedServerStore`.
    """

    scheme = "redis"

    def __init__(
        self,
        conn_id: str,
        *,
        connection: Any = None,
        lease_seconds: float | None = None,
        sleep: Callable[[float], None] = time.sleep,
        **kwargs: Any,
    ) -> None:
        super().__init__(conn_id, connection=connection, **kwargs)
        self._lease_seconds = lease_seconds
        self._sleep = sleep
        self._client: Any = None
        self._scripts: dict[str, Any] = {}
        self._leases: dict[str, _Lease] = {}

    @property
    def lease_seconds(self) -> float:
        if self._lease_seconds is None:
            self._lease_seconds = self.number_extra(
                "token_lease_seconds", DEFAULT_LEASE_SECONDS, minimum=1, maximum=3600
            )
        return self._lease_seconds

    def client_options(self) -> dict[str, Any]:
        """redis-py's options for the server the Connection names (host, port, ACL user, password, db, TLS)."""
        conn, extras = self.connection, self.extras
        ssl = str(extras.get("ssl", "")).lower() in ("1", "true", "yes")
        options: dict[str, Any] = {
            "host": conn.host or "localhost",
            "port": int(conn.port or 6379),
            "username": conn.login or None,
            "password": conn.password or None,
            "db": int(extras.get("db") or 0),
            "socket_timeout": 10,
            "socket_connect_timeout": 10,
            "socket_keepalive": True,
        }
        if ssl:
            options["ssl"] = True
            for name in ("ssl_cert_reqs", "ssl_ca_certs", "ssl_certfile", "ssl_keyfile", "ssl_check_hostname"):
                if extras.get(name) not in (None, ""):
                    options[name] = extras[name]
        return options

    @property
    def client(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis(**self.client_options())
            self._scripts = {
                name: self._client.register_script(source)
                for name, source in (
                    ("acquire", ACQUIRE), ("renew", RENEW), ("release", RELEASE), ("cas", COMPARE_AND_SET)
                )
            }
        return self._client

    def rate_backend(self) -> Any:
        """The rate limiter's slots and holds in this Redis, shared by every process on every host."""
        from airflow_provider_social.core.tokens.rates import RedisRateBackend

        return RedisRateBackend(self)

    def spend_documents(self) -> Any:
        """The spending ledger beside the rate limiter's state, shared by every process on every host."""
        from airflow_provider_social.core.tokens.spend import RedisDocuments

        return RedisDocuments(self)

    def _keys(self, key: str) -> tuple[str, str, str]:
        data = f"{PREFIX}{{{key}}}"
        return data, f"{data}:lease", f"{data}:fence"

    def _error(self, what: str, exc: BaseException) -> TokenStoreError:
        return TokenStoreError(
            f"Redis token store (connection {self.conn_id!r}): {what}: {type(exc).__name__}: {exc}",
            operation="token store",
        )

    # -- the protocol ---------------------------------------------------------------------------------------
    def describe(self, key: str) -> str:
        """The Redis key that holds the set of ``key``.

        :param key: the credential's key (the connection id).
        """
        return f"the Redis token store (connection {self.conn_id!r}, key {self._keys(key)[0]})"

    def load(self, key: str) -> TokenSet | None:
        """The stored set of ``key``; under :meth:`lock` its version is remembered for the conditional write.

        :param key: the credential's key.
        """
        import redis

        try:
            stored, version = self.client.hmget(self._keys(key)[0], ["set", "version"])
        except redis.RedisError as exc:
            raise self._error("cannot read", exc) from None
        lease = self._leases.get(key)
        if lease is not None:
            lease.version = int(version or 0)
        return self.sealer.unseal(stored)

    @contextlib.contextmanager
    def lock(self, key: str) -> Iterator[None]:
        """Take the lease of ``key`` (waiting up to the lock timeout) and renew it until the block ends.

        :param key: the credential's key.
        """
        import redis

        _, lease_key, fence_key = self._keys(key)
        ttl_ms = int(self.lease_seconds * 1000)
        deadline = time.monotonic() + self.lock_timeout
        pause = 0.01
        try:
            self.client  # noqa: B018 - connects and registers the scripts
            while True:
                fence = self._scripts["acquire"](keys=[lease_key, fence_key], args=[ttl_ms])
                if fence:
                    break
                if time.monotonic() >= deadline:
                    raise TokenStoreError(
                        f"Redis token store (connection {self.conn_id!r}): another worker has held the refresh of "
                        f"{key!r} for over {self.lock_timeout:g} s (token_lock_timeout); try again later",
                        operation="token store",
                    )
                self._sleep(pause * random.uniform(0.5, 1.0))
                pause = min(pause * 2, 0.2)
        except redis.RedisError as exc:
            raise self._error("cannot take the refresh lease", exc) from None
        lease = self._leases[key] = _Lease(str(int(fence)))
        watchdog = threading.Thread(target=self._renew, args=(lease, lease_key, ttl_ms), daemon=True)
        watchdog.start()
        try:
            yield
        finally:
            lease.done.set()
            self._leases.pop(key, None)
            with contextlib.suppress(Exception):
                self._scripts["release"](keys=[lease_key], args=[lease.fence])

    def _renew(self, lease: _Lease, lease_key: str, ttl_ms: int) -> None:
        """Extend the lease every third of its life while the refresh runs; a lost lease is noted for the write."""
        while not lease.done.wait(ttl_ms / 3000):
            try:
                if not self._scripts["renew"](keys=[lease_key], args=[lease.fence, ttl_ms]):
                    lease.lost.set()
                    return
            except Exception:  # noqa: S112 - the write finds out whether the lease still holds
                continue

    def prepare_save(self, key: str) -> Persist:
        """Under :meth:`lock`: the write is one compare-and-set script call (its SHA loaded by now).

        :param key: the credential's key.
        """
        lease = self._leases.get(key)
        if lease is None:
            return lambda tokens: self.save(key, tokens)
        data_key, lease_key, _ = self._keys(key)
        script, sealer = self._scripts["cas"], self.sealer

        def persist(tokens: TokenSet) -> None:
            self._write(key, lease, script, [lease_key, data_key], sealer.seal(tokens))

        return persist

    def _write(self, key: str, lease: _Lease, script: Any, keys: list[str], sealed: str) -> None:
        import redis

        try:
            result = int(script(keys=keys, args=[lease.fence, lease.version, sealed]))
        except redis.RedisError as exc:
            raise self._error("cannot save the new token set", exc) from None
        if result == -1:
            raise TokenStoreError(
                f"Redis token store (connection {self.conn_id!r}): the refresh lease of {key!r} ran out before the "
                f"new set was saved (token_lease_seconds {self.lease_seconds:g}); another worker took over",
                operation="token store",
            )
        if result == -2:
            raise StaleTokenWrite(
                f"Redis token store (connection {self.conn_id!r}): the set of {key!r} changed since it was read "
                f"(version {lease.version}); the newer set was kept",
                operation="token store",
            )
        lease.version = result

    def save(self, key: str, tokens: TokenSet) -> None:
        """Write the set of ``key`` under its lease (taken here when not already held).

        :param key: the credential's key.
        :param tokens: the set to store.
        """
        if key in self._leases:
            self.prepare_save(key)(tokens)
            return
        with self.lock(key):
            self.load(key)
            self.prepare_save(key)(tokens)
