"""The rate limiter's state where the token's state is: slots and holds shared through the token store, the
per-process fallback when the store's backend fails, and VK's error 29 held for every process.

Here in one process against the in-thread sandbox (its clock frozen; the limiter's pauses move it). Separate
processes sharing one token are in tests/stores/test_shared_rate_limit.py.
"""

from __future__ import annotations

import json
import logging
import socket

import pytest

from airflow_provider_social.core.errors import CallQuotaError
from airflow_provider_social.core.ratelimit import rate_limiters
from airflow_provider_social.core.ratelimit.shared import Ticket, backend_health
from airflow_provider_social.core.tokens import MemoryTokenStore
from airflow_provider_social.core.tokens.rates import FileRateBackend
from airflow_provider_social.hooks.vk import VkHook
from airflow_provider_social.hooks.vk.policy import quota_resets_at

GROUP_ID = 1000001
SPACING_20 = 1.05 / 20  # the community token's spacing: 20/s with the 5% margin


@pytest.fixture(autouse=True)
def _process_state_emptied():
    rate_limiters.clear()
    backend_health.clear()
    yield
    rate_limiters.clear()
    backend_health.clear()


@pytest.fixture
def vk_connection(sandbox, make_connection):
    """Declares the sandbox's VK connection with extra settings; returns a hook factory on the sandbox clock."""
    from airflow_provider_social.sandbox.connections import sandbox_connections

    conn = sandbox_connections(sandbox.base_url, sandbox.control)["vk_default"]

    def make(conn_id: str = "vk_shared", *, store=None, **extra):
        make_connection(conn_id, "vk", **{**conn["extra"], "max_retry_wait": 30, **extra})
        clock = sandbox.state.clock
        return lambda: VkHook(conn_id, token_store=store, clock=clock.now, sleep=clock.advance)

    return make


def test_file_backend_queues_the_slots_and_takes_none_while_held(tmp_path):
    backend = FileRateBackend(tmp_path / ".rates")
    waits = [backend.take("k", 30.0, "users.get", now=1000.0).wait for _ in range(3)]
    assert waits[0] == pytest.approx(0, abs=1)
    assert waits[1] == pytest.approx(30, abs=1) and waits[2] == pytest.approx(60, abs=1)
    backend.hold("k", "wall.get", until=2000.0)
    assert backend.take("k", 30.0, "wall.get", now=1999.0) == Ticket(held_until=2000.0)
    assert backend.take("k", 30.0, "users.get", now=1999.0).wait == pytest.approx(90, abs=1)  # no slot was taken
    assert backend.take("k", 30.0, "wall.get", now=2000.0).held_until is None  # the hold ended
    assert backend.take("other", 30.0, "users.get", now=1000.0) == Ticket()  # budgets are per key
    assert not any(path.name.startswith("vk1.") for path in (tmp_path / ".rates").iterdir())  # keys, not tokens


def test_error_29_holds_the_method_for_every_process_sharing_the_file_store(sandbox, vk_connection, tmp_path):
    sandbox.control.vk_configure(daily_caps={"wall.get": 1})
    hooks = vk_connection(token_store=f"file:{tmp_path}")
    first = hooks()
    assert first.call("wall.get", owner_id=-GROUP_ID)["count"] == 0
    with pytest.raises(CallQuotaError) as refused:
        first.call("wall.get", owner_id=-GROUP_ID)
    now = sandbox.state.clock.now()
    assert refused.value.api_code == 29 and refused.value.resets_at == quota_resets_at(now)
    assert "wall.get reached its daily quota" in str(refused.value) and "00:00 Moscow time" in str(refused.value)
    assert sandbox.control.vk_state()["quota_refusals"] == 1

    rate_limiters.clear()  # another process: it knows nothing of the refusal but what the store keeps
    second = hooks()
    with pytest.raises(CallQuotaError, match="not sent") as held:
        second.call("wall.get", owner_id=-GROUP_ID)
    assert held.value.resets_at == refused.value.resets_at
    assert sandbox.control.vk_state()["quota_refusals"] == 1  # VK was not asked again
    assert second.call("users.get", user_ids=[1])  # other methods go on

    sandbox.control.advance(refused.value.resets_at - now)  # the next Moscow day
    assert second.call("wall.get", owner_id=-GROUP_ID)["count"] == 0


def test_a_store_without_shared_state_cannot_tell_another_process(sandbox, vk_connection):
    """The control: with a per-process store the second 'process' calls VK again and is refused again."""
    sandbox.control.vk_configure(daily_caps={"wall.get": 1})
    hooks = vk_connection(store=MemoryTokenStore())
    hook = hooks()
    hook.call("wall.get", owner_id=-GROUP_ID)
    with pytest.raises(CallQuotaError):
        hook.call("wall.get", owner_id=-GROUP_ID)
    with pytest.raises(CallQuotaError, match="not sent"):  # the same process remembers it
        hook.call("wall.get", owner_id=-GROUP_ID)
    rate_limiters.clear()
    with pytest.raises(CallQuotaError):
        hooks().call("wall.get", owner_id=-GROUP_ID)
    assert sandbox.control.vk_state()["quota_refusals"] == 2


@pytest.fixture
def silent_server():
    """A port that accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(16)
        yield server.getsockname()[1]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.mark.parametrize("backend", ["refused", "silent"])
def test_an_unreachable_limiter_backend_degrades_to_the_process_limiter_with_one_warning(
    backend, request, sandbox, vk_connection, monkeypatch, caplog
):
    port = closed_port() if backend == "refused" else request.getfixturevalue("silent_server")
    monkeypatch.setenv("AIRFLOW_CONN_LIMITS_REDIS", json.dumps({"conn_type": "redis", "host": "127.0.0.1",
                                                                "port": port}))
    sandbox.control.vk_configure(rate_limits={"community": 20}, reset_violations=True)
    hooks = vk_connection(token_store="redis:limits_redis")
    started = sandbox.state.clock.now()
    caplog.set_level(logging.INFO, logger="airflow_provider_social.core.ratelimit.shared")
    for hook in (hooks(), hooks()):  # a second hook builds its own backend: still one warning
        for _ in range(15):
            assert hook.call("users.get", user_ids=[1])
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, [r.getMessage() for r in warnings]
    assert "Redis connection 'limits_redis'" in warnings[0].getMessage()
    assert "this process limits its own sends" in warnings[0].getMessage()
    # Never without a limit: the process's own bucket spaced the 30 sends, and VK saw no error 6.
    assert sandbox.state.clock.now() - started >= 29 * SPACING_20 - 1e-6
    assert sandbox.control.vk_state()["rate_limit_violations"] == 0


class _QueueBackend:
    """A backend that hands out consecutive slots, one ``spacing`` apart, and counts them."""

    description = "test backend"

    def __init__(self) -> None:
        self.taken = 0

    def take(self, key, spacing, operation, now):
        self.taken += 1
        return Ticket(wait=spacing)

    def hold(self, key, operation, until):
        raise AssertionError("no hold expected")


class _OversleepingClock:
    """A monotonic clock and a sleep that wakes ``lateness`` seconds after each asked wait (one value per sleep)."""

    def __init__(self, lateness: list[float]) -> None:
        self.now, self.lateness = 0.0, list(lateness)

    def sleep(self, seconds: float) -> None:
        self.now += seconds + self.lateness.pop(0)


def _gate(backend, clock):
    from airflow_provider_social.core.ratelimit import RateLimit
    from airflow_provider_social.core.ratelimit.shared import RateGate

    return RateGate("vk", "community", "c1", RateLimit(20), "users.get", backend=backend, sleep=clock.sleep,
                    monotonic=lambda: clock.now)


@pytest.mark.parametrize(("lateness", "slots"), [
    ([0.005], 1),  # within the tolerance (12.5 ms): sent on its slot
    ([0.03] * 4, 4),  # late but within the window's slack (50 ms): three new slots, then sent
    ([0.2] * 6 + [0.0], 7),  # later than the slack: new slots until one is kept
])
def test_a_sender_woken_late_takes_a_new_slot_as_the_lateness_requires(lateness, slots):
    backend, clock = _QueueBackend(), _OversleepingClock(lateness)
    _gate(backend, clock).acquire()
    assert backend.taken == slots and not clock.lateness


def test_a_sender_always_woken_too_late_sends_in_the_end_with_a_warning(caplog):
    from airflow_provider_social.core.ratelimit.shared import MAX_LATE_RETAKES

    backend, clock = _QueueBackend(), _OversleepingClock([0.2] * (MAX_LATE_RETAKES + 1))
    with caplog.at_level(logging.WARNING):
        _gate(backend, clock).acquire()
    assert backend.taken == MAX_LATE_RETAKES + 1
    assert "which may exceed the service's rate" in caplog.text
