"""Event cursors (VK Long Poll ``ts``, a Disk listing mark) kept in the connection's token store.

An event trigger is rebuilt from its original arguments when a triggerer restarts, so its progress must live
outside it. It lives where the connection's rotating tokens live (the ``token_store`` extra: an Airflow Variable,
a file, PostgreSQL or Redis), written the same atomic way, under a key of its own next to the connection's
(``<conn id>_cursor_<source>_<digest of what is watched>``), so every store works unchanged: the cursor travels as
the ``extra`` of a :class:`~.model.TokenSet` with no token in it.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.tokens.model import TokenSet

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.stores import TokenStore

CURSOR_FIELD = "cursor"


def cursor_key(conn_id: str, source: str, watched: Any) -> str:
    """The store key of one watcher's cursor.

    :param conn_id: the connection the events are read with.
    :param source: what kind of events (``vk_longpoll``, ``disk_folder``).
    :param watched: what is watched (JSON-serialisable: the community, the folder, the filters that change which
        events count); a different value is a different cursor.
    """
    digest = hashlib.sha256(json.dumps(watched, sort_keys=True, default=str).encode()).hexdigest()[:16]
    return f"{conn_id}_cursor_{source}_{digest}"


class CursorStore:
    """Load and save one watcher's cursor (a JSON mapping) in a token store.

    :param store: the connection's token store.
    :param key: the cursor's key (:func:`cursor_key`).
    """

    def __init__(self, store: TokenStore, key: str) -> None:
        self.store = store
        self.key = key

    def load(self) -> dict[str, Any] | None:
        """The saved cursor, or None before the first save."""
        saved = self.store.load(self.key)
        if saved is None:
            return None
        cursor = saved.extra.get(CURSOR_FIELD)
        return dict(cursor) if isinstance(cursor, dict) else None

    def save(self, cursor: dict[str, Any]) -> None:
        """Replace the saved cursor (atomically, as the store writes token sets).

        :param cursor: the new cursor (JSON-serialisable).
        """
        self.store.save(self.key, TokenSet(access_token=None, extra={CURSOR_FIELD: dict(cursor)}))

    def describe(self) -> str:
        """Where the cursor lives (never a secret), for logs and errors."""
        return self.store.describe(self.key)


__all__ = ["CURSOR_FIELD", "CursorStore", "cursor_key"]
