"""The shape every extra link of this provider shares: a URL to what the task created."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey


class CreatedObjectLink(BaseOperatorLink):
    """A button to the object a task created: the URL the operator recorded on itself, else the one it pushed.

    Airflow 3 asks for the link when the task finishes (``operator`` is the task that just ran, carrying
    :attr:`url_attribute`) and keeps it in XCom for the UI; :attr:`url_xcom_key` is the fallback a task pushes.
    """

    url_attribute: ClassVar[str]
    url_xcom_key: ClassVar[str]

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        url = getattr(operator, self.url_attribute, None)
        if url:
            return str(url)
        pull = getattr(ti_key, "xcom_pull", None)  # the runtime task instance, when called at the task's end
        if pull is not None:
            try:
                return str(pull(task_ids=ti_key.task_id, key=self.url_xcom_key) or "")
            except Exception:
                return ""
        return ""
