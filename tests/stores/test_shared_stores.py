"""The PostgreSQL and Redis token stores against real servers: locking across hosts, dead holders, fenced and
versioned writes, sealing, and refusing before a refresh when the store cannot be reached."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time

import pytest
from cryptography.fernet import Fernet

from airflow_provider_social.core.tokens import TokenSet
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.core.tokens.redis_store import RedisTokenStore
from airflow_provider_social.core.tokens.sealing import Sealer
from airflow_provider_social.core.tokens.stores import StaleTokenWrite, TokenStoreError
from tests.core.test_tokens import START, SingleUseAuthority, manager
from tests.stores.conftest import postgres_conn_uri, redis_conn_uri

# Real PostgreSQL and Redis servers (some taken with getfixturevalue, which fixture marking cannot see) and holder
# processes.
pytestmark = pytest.mark.slow

KEY = "x_default"


def tokens(n: int) -> TokenSet:
    return TokenSet(access_token=f"at-{n}", refresh_token=f"rt-{n}", expires_at=START + 7200 * (n + 1))


@pytest.fixture(params=["postgres", "redis"])
def kind(request):
    return request.param


@pytest.fixture
def make_store(kind, request):
    """Build stores of the parametrised kind; each one is a separate 'host' (its own connections and lock)."""
    conn_id = request.getfixturevalue("tokens_pg" if kind == "postgres" else "tokens_redis")

    def make(**kwargs):
        cls = PostgresTokenStore if kind == "postgres" else RedisTokenStore
        if kind == "redis":
            kwargs.setdefault("lease_seconds", 5)
        return cls(conn_id, sealer=kwargs.pop("sealer", Sealer("")), **kwargs)

    return make


def test_round_trip_and_sealing(make_store, kind, postgres_server, redis_server):
    key = Fernet.generate_key().decode()
    store = make_store(sealer=Sealer(key))
    assert store.load(KEY) is None
    store.save(KEY, tokens(1))
    assert store.load(KEY).access_token == "at-1"
    store.save(KEY, tokens(2))
    assert store.load(KEY).refresh_token == "rt-2"
    # At rest the set is Fernet-encrypted with Airflow's key: no token in the clear on the shared server.
    if kind == "postgres":
        import psycopg

        with psycopg.connect(host=postgres_server.host, port=postgres_server.port, user="postgres",
                             dbname="postgres") as conn:
            raw, version = conn.execute("SELECT token_set, version FROM airflow_social_tokens").fetchone()
    else:
        import redis

        raw, version = redis.Redis(port=redis_server.port).hmget(f"social_token:{{{KEY}}}", ["set", "version"])
        raw = raw.decode()
    assert raw.startswith("fernet:") and "rt-2" not in raw and int(version) == 2
    with pytest.raises(ValueError, match="fernet_key is not set"):
        make_store().load(KEY)


def test_a_second_host_waits_for_the_holder_then_reads_its_set(make_store):
    holder, waiter = make_store(), make_store(lock_timeout=1)
    with holder.lock(KEY):
        # The other host cannot get in while the refresh runs (its wait bounded by token_lock_timeout).
        with pytest.raises(TokenStoreError, match="held the refresh of 'x_default' for over 1 s"):
            with waiter.lock(KEY):
                pass
        holder.load(KEY)
        holder.prepare_save(KEY)(tokens(1))
    with waiter.lock(KEY):
        assert waiter.load(KEY).refresh_token == "rt-1"


def test_waiters_on_other_hosts_adopt_the_winners_set(make_store, fake_clock, fake_sleep):
    """Four 'hosts' (own store, own manager) whose process lock is not shared: only the store serialises them."""
    authority = SingleUseAuthority(fake_clock)
    fake_clock.now += 7200  # the seed has expired for everyone
    results, errors = [], []
    barrier = threading.Barrier(4)

    def host():
        m = manager(make_store(), authority, fake_clock, fake_sleep)
        barrier.wait()
        try:
            with m.store.lock(KEY):  # the same steps as TokenManager.refresh, minus the process-wide lock
                latest = m._latest()
                if latest.expires_within(m.skew, fake_clock()):
                    persist = m.store.prepare_save(KEY)
                    latest = m._refresh_from(latest)
                    persist(latest)
            results.append(latest.access_token)
        except Exception as exc:  # pragma: no cover - reported by the assertion
            errors.append(exc)

    threads = [threading.Thread(target=host) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == [] and results == ["at-1"] * 4 and authority.calls == 1


HOLDER = """
import os, sys, time
sys.path.insert(0, os.getcwd())
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.core.tokens.redis_store import RedisTokenStore
from airflow_provider_social.core.tokens.sealing import Sealer
cls = PostgresTokenStore if sys.argv[1] == "postgres" else RedisTokenStore
store = cls(sys.argv[2], sealer=Sealer(""), **({"lease_seconds": 1} if sys.argv[1] == "redis" else {}))
with store.lock("x_default"):
    print("locked", flush=True)
    time.sleep(600)
"""


def test_a_killed_holder_releases_the_lock(make_store, kind):
    conn_id = make_store().conn_id
    child = subprocess.Popen([sys.executable, "-c", HOLDER, kind, conn_id], stdout=subprocess.PIPE, text=True,
                             env=dict(os.environ))
    try:
        assert child.stdout.readline().strip() == "locked"
        os.kill(child.pid, signal.SIGKILL)
        child.wait(10)
        started = time.monotonic()
        with make_store(lock_timeout=30).lock(KEY):
            waited = time.monotonic() - started
    finally:
        if child.poll() is None:
            child.kill()
    # PostgreSQL frees the row when the socket closes; Redis when the 1 s lease runs out.
    assert waited < (5 if kind == "postgres" else 6)


def test_a_holder_that_lost_its_lock_cannot_overwrite_the_successor(make_store, kind, postgres_server, redis_server):
    stale, successor = make_store(), make_store()
    with stale.lock(KEY):
        stale.load(KEY)
        persist = stale.prepare_save(KEY)
        # The holder stalls and loses its lock: its session ended (PostgreSQL) / its lease ran out (Redis).
        if kind == "postgres":
            import psycopg

            with psycopg.connect(host=postgres_server.host, port=postgres_server.port, user="postgres",
                                 dbname="postgres", autocommit=True) as admin:
                admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid <> pg_backend_pid() "
                              "AND application_name = 'airflow-provider-social token store' AND state LIKE 'idle in%'")
        else:
            import redis

            redis.Redis(port=redis_server.port).delete(f"social_token:{{{KEY}}}:lease")
        successor.save(KEY, tokens(2))
        with pytest.raises(TokenStoreError):
            persist(tokens(1))
    assert make_store().load(KEY).refresh_token == "rt-2"


def test_redis_write_is_refused_when_the_version_moved(tokens_redis, redis_server):
    import redis

    store = RedisTokenStore(tokens_redis, sealer=Sealer(""))
    store.save(KEY, tokens(1))
    with store.lock(KEY):
        store.load(KEY)
        persist = store.prepare_save(KEY)
        redis.Redis(port=redis_server.port).hincrby(f"social_token:{{{KEY}}}", "version", 1)  # a foreign write
        with pytest.raises(StaleTokenWrite, match="the newer set was kept"):
            persist(tokens(2))
    assert store.load(KEY).refresh_token == "rt-1"


@pytest.mark.parametrize("kind_", ["postgres", "redis"])
def test_unreachable_store_refuses_before_the_refresh(kind_, monkeypatch, fake_clock, fake_sleep):
    from tests.stores.servers import free_port

    class Closed:
        host, port = "127.0.0.1", free_port()  # nothing listens there

    uri = postgres_conn_uri(Closed) if kind_ == "postgres" else redis_conn_uri(Closed)
    monkeypatch.setenv("AIRFLOW_CONN_TOKENS_DOWN", uri)
    store = (PostgresTokenStore if kind_ == "postgres" else RedisTokenStore)("tokens_down", sealer=Sealer(""))
    authority = SingleUseAuthority(fake_clock)
    m = manager(store, authority, fake_clock, fake_sleep)
    fake_clock.now += 7200
    with pytest.raises(TokenStoreError, match="tokens_down"):
        m.access_token()
    assert authority.calls == 0 and authority.valid == {"rt-0"}  # the refresh token was not spent


def test_bad_store_settings_are_named(monkeypatch, postgres_server):
    body = json.loads(postgres_conn_uri(postgres_server))
    body["extra"] = {"token_table": "Bad Name;", "token_lock_timeout": "soon"}
    monkeypatch.setenv("AIRFLOW_CONN_TOKENS_BAD", json.dumps(body))
    store = PostgresTokenStore("tokens_bad")
    with pytest.raises(ValueError, match="field token_lock_timeout: expected a number from 1 to 3600, got 'soon'"):
        store.lock_timeout  # noqa: B018
    with pytest.raises(ValueError, match="field token_table: expected a lower-case SQL name"):
        store.table  # noqa: B018
