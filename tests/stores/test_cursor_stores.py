"""Event cursors in the PostgreSQL and Redis token stores (real servers)."""

from __future__ import annotations

import pytest

from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key
from airflow_provider_social.core.tokens.postgres import PostgresTokenStore
from airflow_provider_social.core.tokens.redis_store import RedisTokenStore

pytestmark = pytest.mark.slow


@pytest.mark.parametrize("kind", ["postgres", "redis"])
def test_cursor_round_trip(kind, request):
    if kind == "postgres":
        store = PostgresTokenStore(request.getfixturevalue("tokens_pg"))
    else:
        store = RedisTokenStore(request.getfixturevalue("tokens_redis"))
    key = cursor_key("vk_default", "vk_longpoll", {"group_id": 1})
    cursors = CursorStore(store, key)
    assert cursors.load() is None
    cursors.save({"ts": "5", "skip": 0})
    cursors.save({"ts": "8", "skip": 2})
    assert CursorStore(type(store)(store.conn_id), key).load() == {"ts": "8", "skip": 2}
