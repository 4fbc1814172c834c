"""Sensor: wait in the triggerer for the next X mention of the connection's account, or post matching a search."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.event_sensor import EventSensor
from airflow_provider_social.operators.twitter import TwitterHookMixin

if TYPE_CHECKING:
    from airflow_provider_social.triggers.twitter_events import TwitterMentionEventTrigger


class TwitterMentionEventSensor(TwitterHookMixin, EventSensor):
    """Waits for the next post mentioning the connection's account (or, with ``query``, matching that recent-search
    query); returns the post (``id``, ``text``, ``author_id``, ``created_at``, ...) as its XCom value.

    Built on :class:`~airflow_provider_social.triggers.twitter_events.TwitterMentionEventTrigger`: no worker slot
    is held, polls keep to X's rate window. The task has its own cursor in the connection's token store, so each
    run takes the next post after the one the previous run took (the first run waits for posts after it starts).

    :param query: X's recent-search query; None (default): mentions of the connection's account. Templated.
    :param twitter_conn_id: the connection. Templated.
    :param max_reads_per_poll: the most posts one poll reads.
    """

    template_fields: Sequence[str] = ("query", "twitter_conn_id")
    ui_color = "#1da1f2"

    def __init__(self, *, query: str | None = None, twitter_conn_id: str = "twitter_default",
                 max_reads_per_poll: int = 800, **kwargs: Any) -> None:
        kwargs.setdefault("poke_interval", 60.0)
        super().__init__(**kwargs)
        from airflow_provider_social.triggers.twitter_events import TwitterMentionEventTrigger

        TwitterMentionEventTrigger(query=query, twitter_conn_id=twitter_conn_id,  # bad input fails at parse time
                                   poll_interval=float(self.poke_interval), max_reads_per_poll=max_reads_per_poll)
        self.query, self.twitter_conn_id, self.max_reads_per_poll = query, twitter_conn_id, max_reads_per_poll

    def event_trigger(self) -> TwitterMentionEventTrigger:
        """The X trigger for this task (polling every ``poke_interval`` seconds at least; its own cursor)."""
        from airflow_provider_social.triggers.twitter_events import TwitterMentionEventTrigger

        return TwitterMentionEventTrigger(
            query=self.query, twitter_conn_id=self.checked_conn_id(),
            poll_interval=float(self.poke_interval), max_reads_per_poll=self.max_reads_per_poll,
            consumer=f"{self.dag_id}.{self.task_id}",
        )

    def describe(self, event: dict[str, Any]) -> str:
        """The post's id and author.

        :param event: the trigger's event.
        """
        return f"X post {event.get('id')} by user {event.get('author_id')} ({event.get('source')})"


__all__ = ["TwitterMentionEventSensor"]
