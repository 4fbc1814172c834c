"""The shape every event sensor shares: defer at once to an event trigger, hand back the event it fires."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseSensorOperator

if TYPE_CHECKING:
    from airflow.sdk import Context
    from airflow.triggers.base import BaseTrigger


class EventSensor(BaseSensorOperator):
    """Waits in the triggerer (no worker slot held) for the next event of :meth:`event_trigger`; the event is the
    task's XCom value. A service's sensor says which trigger and how an event reads in the log."""

    def event_trigger(self) -> BaseTrigger:
        """The trigger to wait on, built from the rendered fields."""
        raise NotImplementedError

    def describe(self, event: dict[str, Any]) -> str:
        """One log line for the event that ended the wait.

        :param event: the trigger's event.
        """
        return f"event {event.get('event_id', '')}".strip()

    def execute(self, context: Context) -> Any:
        """Defer to the event trigger.

        :param context: the task's Airflow context.
        """
        self.defer(trigger=self.event_trigger(), method_name="execute_complete",
                   timeout=timedelta(seconds=float(self.timeout)))

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """The event the trigger fired (the task's XCom value).

        :param context: the task's Airflow context.
        :param event: the trigger's event.
        """
        self.log.info("%s", self.describe(event))
        return event


__all__ = ["EventSensor"]
