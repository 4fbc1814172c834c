"""Extra link: the public page of a file or folder published by :class:`YandexDiskPublishOperator`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey

PUBLIC_URL_XCOM_KEY = "public_url"


class YandexDiskPublicLink(BaseOperatorLink):
    """"Yandex Disk public link" button on the task: the ``public_url`` the task published.

    Airflow 3 asks for the link when the task finishes (``operator`` is the task that just ran) and keeps it in
    XCom under :attr:`xcom_key` for the UI. A public URL is not a secret: it is meant to be shared.
    """

    name = "Yandex Disk public link"

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        url = getattr(operator, "public_url", None)
        if url:
            return str(url)
        pull = getattr(ti_key, "xcom_pull", None)  # the runtime task instance, when called at the task's end
        if pull is not None:
            try:
                return str(pull(task_ids=ti_key.task_id, key=PUBLIC_URL_XCOM_KEY) or "")
            except Exception:
                return ""
        return ""
