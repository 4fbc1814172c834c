"""Sensor: wait until a VK user is online (seed 003: ``users.get`` with ``fields=online,last_seen``)."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk import VkHook


class VkUserOnlineSensor(BaseSensorOperator):
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
        self.user_id = user_id
        self.vk_conn_id = vk_conn_id

    @cached_property
    def hook(self) -> VkHook:
        from airflow_provider_social.hooks.vk import VkHook
        from airflow_provider_social.hooks.vk.checks import check_conn_id

        return VkHook(check_conn_id(self.vk_conn_id))

    def poke(self, context: Context) -> bool:
        """Whether the user is online now (``users.get`` with ``fields=online,last_seen``).

        :param context: the task's Airflow context.
        """
        user = self.hook.messages.user_status(self.user_id)  # an empty or malformed id fails before the call
        online = bool(user.get("online"))
        self.log.info("VK user %s is %s (last seen %s)", self.user_id, "online" if online else "offline",
                      (user.get("last_seen") or {}).get("time", "hidden"))
        return online
