"""Sensor: wait until a VK user is online (seed 003: ``users.get`` with ``fields=online,last_seen``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator

from airflow_provider_social.core.event_sensor import EventSensor
from airflow_provider_social.operators.vk import VkHookMixin

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger


class VkUserOnlineSensor(VkHookMixin, BaseSensorOperator):
    """Succeeds when ``user_id`` is online on VK. Reschedule mode by default: no worker slot is held between pokes.

    Pushes nothing; on success the log shows the user's last visit (``last_seen``).

    :param user_id: the user's id or screen name. Templated.
    :param vk_conn_id: the connection (any token kind; users.get accepts user and community tokens).
    :param mode: ``reschedule`` (default: no worker slot held between pokes) or ``poke``.
    """

    template_fields: Sequence[str] = ("user_id", "vk_conn_id")
    ui_color = "#4a76a8"

    def __init__(self, *, user_id: int | str, vk_conn_id: str = "vk_default", mode: str = "reschedule",
                 **kwargs: Any) -> None:
        super().__init__(mode=mode, **kwargs)
        self.user_id, self.vk_conn_id = user_id, vk_conn_id

    def poke(self, context: Context) -> bool:
        """Whether the user is online now (``users.get`` with ``fields=online,last_seen``).

        :param context: the task's Airflow context.
        """
        user = self.hook.messages.user_status(self.user_id)  # an empty or malformed id fails before the call
        online = bool(user.get("online"))
        self.log.info("VK user %s is %s (last seen %s)", self.user_id, "online" if online else "offline",
                      (user.get("last_seen") or {}).get("time", "hidden"))
        return online


class VkCommunityEventSensor(VkHookMixin, EventSensor):
    """Waits in the triggerer for the next VK community event of ``event_types`` that passes the filter; returns
    the event (``type``, ``event_id``, ``object``, ...) as its XCom value.

    Built on :class:`~airflow_provider_social.triggers.vk_events.VkCommunityEventTrigger` (Bots Long Poll): no
    worker slot is held. The task has its own cursor in the connection's token store, so each run takes the next
    event after the one the previous run took (none is skipped between runs; the first run waits from its start).

    :param event_types: VK event types (``message_new``, ``market_order_new``, ...).
    :param vk_conn_id: the connection (a community key with ``manage``, or an admin's user token). Templated.
    :param group_id: the community; default: the connection's.
    :param text_pattern: only events whose text matches this regular expression. Templated.
    :param peer_id: only messages of this conversation.
    :param post_id: only comments under this post.
    :param from_id: only events of this sender / commenter / buyer / member.
    :param wait: seconds the Long Poll server holds each check open (1-90).
    """

    template_fields: Sequence[str] = ("vk_conn_id", "text_pattern")
    ui_color = "#4a76a8"

    def __init__(self, *, event_types: list[str], vk_conn_id: str = "vk_default", group_id: int | str | None = None,
                 text_pattern: str | None = None, peer_id: int | None = None, post_id: int | None = None,
                 from_id: int | None = None, wait: int = 25, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        from airflow_provider_social.hooks.vk.events import check_event_types, check_wait

        self.event_types = check_event_types(event_types)
        self.vk_conn_id, self.group_id, self.text_pattern, self.peer_id = vk_conn_id, group_id, text_pattern, peer_id
        self.post_id, self.from_id = post_id, from_id
        self.wait = check_wait(wait)

    def event_trigger(self) -> VkCommunityEventTrigger:
        """The Long Poll trigger for this task (its own cursor: the consumer is the task)."""
        from airflow_provider_social.triggers.vk_events import VkCommunityEventTrigger

        return VkCommunityEventTrigger(
            event_types=self.event_types, vk_conn_id=self.checked_conn_id(), group_id=self.group_id,
            text_pattern=self.text_pattern, peer_id=self.peer_id, post_id=self.post_id, from_id=self.from_id,
            wait=self.wait, consumer=f"{self.dag_id}.{self.task_id}",
        )

    def describe(self, event: dict[str, Any]) -> str:
        """The event's type and id.

        :param event: the trigger's event.
        """
        return f"VK event {event.get('type')} ({event.get('event_id')})"
