"""The fast tier (`make test-fast`) and the `slow` marker: which tests leave it, and the check that keeps it fast.

A test is `slow` when it uses a fixture that starts a real server or builds Airflow's metadata database (the marker
is added at collection from :data:`SLOW_FIXTURES`, so a new test that uses one is marked without anyone
remembering), or when it is marked by hand because it starts processes (fresh interpreters that import Airflow
take seconds each on 2 cores).

The check is by what a test does, not by the clock, so it cannot flake: a test that is not marked `slow`,
`integration` or `browser` and starts a process (``subprocess``, ``os.fork``, ``os.posix_spawn``) fails, naming
the command and the marker to add. Python's audit hooks report those calls wherever they come from.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator

import pytest

# Fixture -> what it starts. A test that uses one (directly or through another fixture) is marked `slow`.
SLOW_FIXTURES = {
    "postgres_server": "starts a PostgreSQL server",
    "redis_server": "starts a Redis server",
    "moto_server": "starts an S3-compatible server (moto_server)",
    "migrated_airflow_db": "runs `airflow db migrate`",
}
# Markers whose tests may start processes.
PROCESS_MARKERS = ("slow", "integration", "browser")
_PROCESS_EVENTS = {"subprocess.Popen", "os.fork", "os.forkpty", "os.posix_spawn", "os.posix_spawnp"}


class ProcessInFastTest(RuntimeError):
    """A test of the fast tier started a process."""


class _Guard:
    test: str | None = None  # the fast test running now; None: anything may start processes
    started: list[str] = []


def _audit(event: str, args: tuple) -> None:
    test = _Guard.test
    if test is None or event not in _PROCESS_EVENTS:
        return
    command = args[1] if event == "subprocess.Popen" else args[:1]
    _Guard.started.append(f"{event} {command!r}")
    raise ProcessInFastTest(
        f"{test} starts a process ({event} {command!r}), which the fast tier does not: mark it "
        "@pytest.mark.slow (or use the in-thread sandbox instead of a process)"
    )


_installed = False


def install() -> None:
    """Add the audit hook once per interpreter (audit hooks cannot be removed; the hook is idle outside tests)."""
    global _installed
    if not _installed:
        # Imported before any test: croniter (Airflow's timetables import it) probes platform.architecture() at
        # import time, which runs `file -b <python>`; the first test to import it would otherwise be blamed.
        import croniter  # noqa: F401

        sys.addaudithook(_audit)
        _installed = True


def mark_slow_by_fixture(items: list[pytest.Item]) -> None:
    for item in items:
        used = sorted(SLOW_FIXTURES.keys() & set(getattr(item, "fixturenames", ())))
        if used and item.get_closest_marker("slow") is None:
            item.add_marker(pytest.mark.slow(reason="; ".join(f"{name} {SLOW_FIXTURES[name]}" for name in used)))


def may_start_processes(item: pytest.Item) -> bool:
    return any(item.get_closest_marker(name) is not None for name in PROCESS_MARKERS)


@contextlib.contextmanager
def fast_test(name: str) -> Iterator[list[str]]:
    """While inside, starting a process raises :class:`ProcessInFastTest`; yields the processes it refused (also
    those whose error some code caught and swallowed)."""
    saved = _Guard.test, _Guard.started
    _Guard.test, _Guard.started = name, []
    try:
        yield _Guard.started
    finally:
        _Guard.test, _Guard.started = saved
