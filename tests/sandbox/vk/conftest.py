"""Fixtures for the VK sandbox tests."""

from __future__ import annotations

import pytest
from vk_helpers import Vk


@pytest.fixture
def vk(sandbox) -> Vk:
    """Client with user 1's key and the community key; per-second limits off (the rate tests turn them on)."""
    control = sandbox.control
    control.vk_configure(rate_limits={"user": None, "community": None})
    user = control.vk_token("user", expires_in=0)  # an offline key, so tests can move the clock by hours
    return Vk(sandbox.base_url, control, user, control.vk_token("community"))
