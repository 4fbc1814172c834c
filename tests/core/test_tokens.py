from __future__ import annotations

import itertools
import threading

import pytest

from airflow_provider_social.core.errors import AuthenticationError, ReauthorizationRequired
from airflow_provider_social.core.tokens import (
    FileTokenStore,
    InvalidGrantError,
    MemoryTokenStore,
    TokenManager,
    TokenSet,
)


class SingleUseAuthority:
    """A refresh endpoint with single-use rotating refresh tokens, like X and VK ID."""

    def __init__(self, clock, first_refresh="rt-0", lifetime=7200):
        self.clock = clock
        self.valid = {first_refresh}
        self.counter = itertools.count(1)
        self.lifetime = lifetime
        self.calls = 0
        self.lock = threading.Lock()

    def refresh(self, tokens: TokenSet) -> TokenSet:
        with self.lock:
            self.calls += 1
            if tokens.refresh_token not in self.valid:
                raise InvalidGrantError("Value passed for the token was invalid.", api_code="invalid_grant")
            self.valid.discard(tokens.refresh_token)
            n = next(self.counter)
            self.valid.add(f"rt-{n}")
        payload = {"access_token": f"at-{n}", "refresh_token": f"rt-{n}", "expires_in": self.lifetime}
        return TokenSet.from_token_response(payload, now=self.clock(), previous=tokens)


START = 1_800_000_000.0  # the fake clock's start; seeds expire two hours after it


def manager(store, authority, clock, sleep, seed=None, **kw):
    seed = seed or TokenSet(access_token="at-0", refresh_token="rt-0", expires_at=START + 7200)
    return TokenManager(
        key="x_default", seed=seed, store=store, refresher=authority.refresh, service="X",
        reauth_command="airflow social auth twitter --conn-id x_default", clock=clock, sleep=sleep, **kw,
    )


def test_fresh_token_is_used_without_refresh(fake_clock, fake_sleep):
    auth = SingleUseAuthority(fake_clock)
    m = manager(MemoryTokenStore(), auth, fake_clock, fake_sleep)
    assert m.access_token() == "at-0" and auth.calls == 0


def test_refresh_happens_before_expiry_and_is_persisted_first(fake_clock, fake_sleep):
    store = MemoryTokenStore()
    auth = SingleUseAuthority(fake_clock)
    saved_before_use = []
    original_save = store.save

    def save(key, tokens):
        saved_before_use.append(tokens.access_token)
        original_save(key, tokens)

    store.save = save
    m = manager(store, auth, fake_clock, fake_sleep)
    fake_clock.now += 7200 - 100  # inside the 300 s skew
    assert m.access_token() == "at-1"
    assert saved_before_use == ["at-1"]
    assert store.load("x_default").refresh_token == "rt-1"


def test_store_wins_over_connection_and_new_grant_in_connection_wins_over_store(fake_clock, fake_sleep):
    store = MemoryTokenStore()
    auth = SingleUseAuthority(fake_clock)
    m = manager(store, auth, fake_clock, fake_sleep)
    fake_clock.now += 7200
    m.access_token()  # rotated to rt-1, stored
    again = manager(store, auth, fake_clock, fake_sleep)  # a later task: the Connection still says rt-0
    assert again.access_token() == "at-1"
    # The user re-authorised: the Connection now carries a new grant; the stale store must not shadow it.
    auth.valid.add("rt-fresh")
    seed = TokenSet(access_token="at-fresh", refresh_token="rt-fresh", expires_at=fake_clock() + 7200)
    assert manager(store, auth, fake_clock, fake_sleep, seed=seed).access_token() == "at-fresh"


def test_concurrent_refreshers_in_one_process_lose_nothing(fake_clock, fake_sleep):
    store = MemoryTokenStore()
    auth = SingleUseAuthority(fake_clock)
    fake_clock.now += 8000  # everyone sees an expired token at once
    results, errors = [], []

    def work():
        try:
            results.append(manager(store, auth, fake_clock, fake_sleep).access_token())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert set(results) == {"at-1"} and auth.calls == 1
    assert store.load("x_default").refresh_token in auth.valid


def test_invalid_grant_adopts_token_rotated_by_another_host(fake_clock, fake_sleep):
    store = MemoryTokenStore()
    auth = SingleUseAuthority(fake_clock)
    fake_clock.now += 8000
    m = manager(store, auth, fake_clock, fake_sleep)
    m._tokens = m._latest()

    def other_host_rotates(tokens):  # another host refreshes first, outside our lock, and saves its result
        other = auth.refresh(tokens)
        store.save("x_default", other.__class__(**{**other.to_json(), "seed": m._seed.seed}))
        return auth.refresh(tokens)  # our own attempt with the now-spent token

    m.refresher = other_host_rotates
    assert m.access_token() == "at-1"


def test_revoked_refresh_token_names_the_reauthorise_command(fake_clock, fake_sleep):
    auth = SingleUseAuthority(fake_clock)
    auth.valid.clear()
    m = manager(MemoryTokenStore(), auth, fake_clock, fake_sleep, rotation_wait=1.0)
    fake_clock.now += 8000
    with pytest.raises(ReauthorizationRequired) as info:
        m.access_token()
    assert "airflow social auth twitter --conn-id x_default" in str(info.value)
    assert "rt-0" not in str(info.value)
    assert sum(fake_sleep.calls) <= 1.0 + 0.5  # bounded wait for another host's rotation


def test_read_only_manager_never_refreshes(fake_clock, fake_sleep):
    auth = SingleUseAuthority(fake_clock)
    m = manager(MemoryTokenStore(), auth, fake_clock, fake_sleep, read_only=True)
    fake_clock.now += 8000
    with pytest.raises(AuthenticationError, match="does not refresh"):
        m.access_token()
    assert auth.calls == 0


def test_file_store_round_trip_is_atomic_and_private(tmp_path):
    store = FileTokenStore(tmp_path)
    tokens = TokenSet(access_token="a" * 10, refresh_token="r" * 10, expires_at=1.0, extra={"device_id": "d"})
    store.save("conn/with:odd chars", tokens)
    assert store.load("conn/with:odd chars") == tokens
    (path,) = [p for p in tmp_path.iterdir() if p.suffix == ".json"]
    assert path.stat().st_mode & 0o077 == 0
    assert store.load("missing") is None


def test_token_set_repr_hides_tokens():
    tokens = TokenSet(access_token="secret-access", refresh_token="secret-refresh")
    assert "secret" not in repr(tokens)


# ---- grants that need no refresh token (OAuth client credentials, VK Cloud)


class ClientCredentials:
    def __init__(self, clock):
        self.clock = clock
        self.grants = 0

    def grant(self) -> TokenSet:
        self.grants += 1
        payload = {"access_token": f"cc-{self.grants}", "refresh_token": f"ccr-{self.grants}", "expires_in": 3600}
        return TokenSet.from_token_response(payload, now=self.clock())


def cc_manager(store, authority, grantor, clock, sleep, **kw):
    return TokenManager(key="vision", seed=TokenSet(access_token=None), store=store, refresher=authority.refresh,
                        service="VK Cloud Vision", reauth_command="", clock=clock, sleep=sleep,
                        grant=grantor.grant, lineage="client-a", **kw)


def test_grant_when_there_is_no_refresh_token_then_refresh_is_used(fake_clock, fake_sleep):
    store, grantor = MemoryTokenStore(), ClientCredentials(fake_clock)
    authority = SingleUseAuthority(fake_clock, first_refresh="ccr-1", lifetime=3600)
    first = cc_manager(store, authority, grantor, fake_clock, fake_sleep)
    assert first.access_token() == "cc-1" and store.load("vision").access_token == "cc-1"
    fake_clock.now += 3600
    second = cc_manager(store, authority, grantor, fake_clock, fake_sleep)  # the next task
    assert second.access_token() == "at-1" and grantor.grants == 1 and authority.calls == 1


def test_refused_refresh_token_falls_back_to_a_new_grant(fake_clock, fake_sleep):
    store, grantor = MemoryTokenStore(), ClientCredentials(fake_clock)
    authority = SingleUseAuthority(fake_clock, first_refresh="unknown")  # refuses ccr-1
    m = cc_manager(store, authority, grantor, fake_clock, fake_sleep, rotation_wait=1.0)
    m.access_token()
    fake_clock.now += 3600
    assert m.access_token() == "cc-2" and grantor.grants == 2 and store.load("vision").access_token == "cc-2"


def test_stored_tokens_of_another_client_are_not_used(fake_clock, fake_sleep):
    store, grantor = MemoryTokenStore(), ClientCredentials(fake_clock)
    authority = SingleUseAuthority(fake_clock)
    cc_manager(store, authority, grantor, fake_clock, fake_sleep).access_token()
    other = TokenManager(key="vision", seed=TokenSet(access_token=None), store=store, refresher=authority.refresh,
                         service="V", reauth_command="", clock=fake_clock, sleep=fake_sleep, grant=grantor.grant,
                         lineage="client-b")
    assert other.access_token() == "cc-2"


def test_read_only_manager_may_grant_but_saves_nothing(fake_clock, fake_sleep):
    store, grantor = MemoryTokenStore(), ClientCredentials(fake_clock)
    m = cc_manager(store, SingleUseAuthority(fake_clock), grantor, fake_clock, fake_sleep, read_only=True)
    assert m.access_token() == "cc-1" and store.load("vision") is None


def test_the_wait_for_another_hosts_rotation_ends_when_the_clock_does_not_move(fake_clock):
    """A clock that sleeping does not advance (a frozen test clock, the sandbox's, a suspended VM) must not turn
    the bounded re-read after invalid_grant into an endless loop."""
    auth = SingleUseAuthority(fake_clock)
    auth.valid.clear()
    sleeps: list[float] = []
    m = manager(MemoryTokenStore(), auth, fake_clock, sleeps.append, rotation_wait=1.0)
    fake_clock.now += 8000
    with pytest.raises(ReauthorizationRequired):
        m.access_token()
    assert sum(sleeps) <= 1.0 + 0.5


def test_file_store_says_when_a_set_was_saved(tmp_path):
    """The health page's "last refresh" for file stores without a recorded refresh time."""
    import os

    store = FileTokenStore(tmp_path)
    assert store.saved_at("conn") is None
    store.save("conn", TokenSet(access_token="at", refresh_token="rt"))
    os.utime(tmp_path / "conn.json", (1_700_000_000, 1_700_000_000))
    assert store.saved_at("conn") == 1_700_000_000
