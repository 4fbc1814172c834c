"""VkNotifier: a message from the community to an admin when a task or a DAG run fails (or succeeds).

Uses ``messages.send`` with the community token and a ``random_id`` derived from the task instance (or the DAG
run), so a callback that runs twice sends one message. The admin must have written to the community (or allowed
its messages) once: VK refuses messages to users who have not (error 901).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from airflow.sdk import BaseNotifier

from airflow_provider_social.hooks.vk.keys import message_random_id
from airflow_provider_social.operators.vk import VkHookMixin

DEFAULT_MESSAGE = (
    "Airflow: {{ ti.dag_id if ti else dag.dag_id }}"
    "{% if ti %}.{{ ti.task_id }}{% endif %} {{ (ti.state if ti else dag_run.state) or 'failed' }} "
    "(run {{ run_id }})"
)


class VkNotifier(VkHookMixin, BaseNotifier):
    """Send a VK message on a callback::

        DAG(..., on_failure_callback=VkNotifier(peer_id=12345))
        BashOperator(..., on_failure_callback=VkNotifier(peer_id=12345, message="{{ ti.task_id }} failed"))

    :param peer_id: the admin's user id (or a chat's peer id). Templated.
    :param message: the text, templated with the callback's context.
    :param keyboard: an optional bot keyboard: a :class:`~airflow_provider_social.hooks.vk.keyboard.Keyboard` or
        its dict, checked against VK's limits before sending.
    :param vk_conn_id: the connection holding the community token.
    """

    template_fields: Sequence[str] = ("peer_id", "message", "vk_conn_id")

    def __init__(self, *, peer_id: int | str, message: str = DEFAULT_MESSAGE, keyboard: dict[str, Any] | Any = None,
                 vk_conn_id: str = "vk_default") -> None:
        super().__init__()
        self.peer_id, self.message, self.keyboard, self.vk_conn_id = peer_id, message, keyboard, vk_conn_id

    def notify(self, context: Any) -> None:
        hook = self.get_hook()  # the rendered vk_conn_id is checked first
        random_id = message_random_id(context, "notify")
        if random_id is None and context.get("dag_run") is not None:
            run = context["dag_run"]
            import hashlib

            key = f"{getattr(run, 'dag_id', '')}|{getattr(run, 'run_id', '')}|notify"
            random_id = int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF
        hook.send_message(self.peer_id, self.message, keyboard=self.keyboard, random_id=random_id)


send_vk_notification = VkNotifier
