"""Extra link: the post created by a Twitter/X operator (the first post of a thread)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperatorLink

if TYPE_CHECKING:
    from airflow.sdk.types import TaskInstanceKey

TWEET_URL_XCOM_KEY = "tweet_url"


class TwitterTweetLink(BaseOperatorLink):
    """"X post" button on the task: ``https://x.com/i/web/status/<id>`` of what the task posted.

    Airflow 3 asks for the link when the task finishes (``operator`` is the task that just ran, carrying
    ``tweet_url``) and keeps it in XCom under :attr:`xcom_key` for the UI.
    """

    name = "X post"

    def get_link(self, operator: Any, *, ti_key: TaskInstanceKey) -> str:
        url = getattr(operator, "tweet_url", None)
        if url:
            return str(url)
        pull = getattr(ti_key, "xcom_pull", None)  # the runtime task instance, when called at the task's end
        if pull is not None:
            try:
                return str(pull(task_ids=ti_key.task_id, key=TWEET_URL_XCOM_KEY) or "")
            except Exception:
                return ""
        return ""
