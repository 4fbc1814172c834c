"""pytest fixtures for the sandbox (``-p airflow_provider_social.sandbox.pytest_plugin``).

Imports nothing heavy at module level: the server is only built when a test asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from .server import RunningSandbox


@pytest.fixture(scope="session")
def sandbox_server() -> Iterator[RunningSandbox]:
    """One sandbox for the whole session, on a free loopback port."""
    from .server import run_in_thread

    running = run_in_thread(host="127.0.0.1", port=0)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def sandbox(sandbox_server: RunningSandbox) -> RunningSandbox:
    """The session sandbox, reset, with its clock frozen at the current time (advance it to move time)."""
    sandbox_server.state.reset()
    sandbox_server.state.clock.freeze()
    return sandbox_server
