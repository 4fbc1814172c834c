"""Event cursors in the token stores: their own key beside the connection's tokens, replaced atomically."""

from __future__ import annotations

from airflow_provider_social.core.tokens import FileTokenStore, MemoryTokenStore, TokenSet
from airflow_provider_social.core.tokens.cursors import CursorStore, cursor_key


def test_cursor_key_differs_by_what_is_watched_and_never_is_the_token_key():
    a = cursor_key("vk_default", "vk_longpoll", {"group_id": 1, "types": ["message_new"]})
    assert a == cursor_key("vk_default", "vk_longpoll", {"types": ["message_new"], "group_id": 1})
    assert a != cursor_key("vk_default", "vk_longpoll", {"group_id": 2, "types": ["message_new"]})
    assert a.startswith("vk_default_cursor_vk_longpoll_") and a != "vk_default"


def test_round_trip_next_to_the_tokens_in_a_file_store(tmp_path):
    store = FileTokenStore(tmp_path)
    store.save("vk_default", TokenSet(access_token="secret-at"))
    cursors = CursorStore(store, cursor_key("vk_default", "vk_longpoll", {"group_id": 1}))
    assert cursors.load() is None
    cursors.save({"ts": "7", "skip": 0})
    cursors.save({"ts": "9", "skip": 1})
    assert cursors.load() == {"ts": "9", "skip": 1}
    assert store.load("vk_default").access_token == "secret-at"  # the tokens are untouched
    saved = (tmp_path / f"{cursors.key}.json").read_text()
    assert "secret-at" not in saved and '"ts": "9"' in saved
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".tmp-")]  # written by rename
    assert str(tmp_path) in cursors.describe()


def test_a_fresh_store_object_reads_what_another_saved(tmp_path):
    key = cursor_key("c", "disk_folder", {"path": "disk:/Inbox"})
    CursorStore(FileTokenStore(tmp_path), key).save({"mark": "2026-01-01T00:00:00+00:00", "at_mark": []})
    assert CursorStore(FileTokenStore(tmp_path), key).load() == {"mark": "2026-01-01T00:00:00+00:00", "at_mark": []}
    memory = MemoryTokenStore()
    CursorStore(memory, key).save({"n": 1})
    assert CursorStore(memory, key).load() == {"n": 1}
