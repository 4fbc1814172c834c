"""Event cursors (VK Long Poll ``ts``, a Disk listing mark) kept in the connection's token store.

An event trigger is rebuilt from its original arguments when a triggerer restarts, so its progress must live
outside it. It lives where the connection's rotating tokens live (the ``token_store`` extra: an Airflow Variable,
a file, PostgreSQL or Redis), written the same atomic way, under a key of its own next to the connection's
(``<conn id>_cursor_<source>_<digest of what is watched>``), so every store works unchanged: the cursor travels as
the ``extra`` of a :class:`~.model.TokenSet` with no token in it.

A stream's cursor moves only once Airflow confirmed storing the events before it, and that confirmation can be lost
with a killed triggerer; so each watcher also has a *delivered position*: the position of the last event Airflow
stored for it, written by the provider's listener (:mod:`airflow_provider_social.plugins.event_delivery`) in the
very database transaction that stores the asset event, as an Airflow Variable (``social_event_delivered_<watcher>``).
A restarted watcher reads it and skips what the older cursor reads again.
"""

from __future__ import annotations

import hashlib
import json
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.tokens.model import TokenSet

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens.stores import TokenStore

CURSOR_FIELD = "cursor"
#: The Variable name prefix of the watchers' delivered positions.
DELIVERED_PREFIX = "social_event_delivered_"
#: The payload key of a watcher's event that names the watcher and the event's position (read by the listener).
DELIVERY_FIELD = "delivery"


def cursor_key(conn_id: str, source: str, watched: Any) -> str:
    """The store key of one watcher's cursor.

    :param conn_id: the connection the events are read with.
    :param source: what kind of events (``vk_longpoll``, ``disk_folder``).
    :param watched: what is watched (JSON-serialisable: the community, the folder, the filters that change which
        events count); a different value is a different cursor.
    """
    return f"{conn_id}_cursor_{source}_{digest(watched)}"


def digest(value: Any) -> str:
    """A short stable digest of a JSON-serialisable value (a key part that is never a secret).

    :param value: what to digest.
    """
    return hashlib.sha256(json.dumps(value, sort_keys=True, default=str).encode()).hexdigest()[:16]


def delivered_variable(watcher: str) -> str:
    """The Airflow Variable that holds the delivered position of ``watcher``.

    :param watcher: the watcher's id (:func:`digest` of its trigger's class path and arguments).
    """
    return f"{DELIVERED_PREFIX}{watcher}"


def load_delivered(watcher: str) -> Any:
    """The position of the last event Airflow stored for ``watcher``, or None (none stored, or no listener).

    Read through the Task SDK in the triggerer (its runner has no database), through the ORM elsewhere.

    :param watcher: the watcher's id.
    """
    from airflow_provider_social.core.tokens.variable import in_task_runner

    name = delivered_variable(watcher)
    if in_task_runner():
        from airflow.sdk import Variable

        return Variable.get(name, default=None, deserialize_json=True)
    from airflow.models.variable import Variable as OrmVariable
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:  # the table itself: the listener writes there, whatever the secrets backends
        row = session.scalar(select(OrmVariable).where(OrmVariable.key == name))
        return json.loads(row.get_val()) if row is not None else None


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


__all__ = ["CURSOR_FIELD", "DELIVERED_PREFIX", "DELIVERY_FIELD", "CursorStore", "cursor_key", "delivered_variable",
           "digest", "load_delivered"]
