"""Fixtures for the sandbox tests (the ``sandbox`` fixture itself comes from the project's pytest plugin)."""

from __future__ import annotations

import pytest
from sandbox_helpers import Yandex


@pytest.fixture
def yandex(sandbox) -> Yandex:
    return Yandex(sandbox.base_url)
