"""Reuse the operator tests' sandbox connection and context fixtures, and the plugin tests' metadata database; the
VK Long Poll connection of the event tests."""

import pytest

from airflow_provider_social.sandbox.vk import GROUP_ID
from tests.operators.conftest import context, disk_conn  # noqa: F401
from tests.plugins.conftest import airflow_db  # noqa: F401

TYPES = ["message_new", "wall_reply_new", "wall_post_new", "market_order_new", "group_join"]


@pytest.fixture
def vk_events_conn(sandbox, make_connection, tmp_path):
    """A vk connection to the sandbox with a community key and a file token store; Long Poll on for TYPES."""
    sandbox.control.vk_configure(rate_limits={"user": None, "community": None},
                                 longpoll_settings={"enabled": True, "api_version": "5.199", "events": TYPES})
    return make_connection("vk_events", "vk", community_token=sandbox.control.vk_token("community"),
                           access_token=sandbox.control.vk_token("user", expires_in=0), group_id=str(GROUP_ID),
                           api_base_url=f"{sandbox.base_url}/vk-api", token_store=f"file:{tmp_path / 'store'}",
                           max_retry_wait=5)
