"""Extra link: the post created by a Twitter/X operator (the first post of a thread)."""

from __future__ import annotations

from airflow_provider_social.links.base import CreatedObjectLink

TWEET_URL_XCOM_KEY = "tweet_url"


class TwitterTweetLink(CreatedObjectLink):
    """"X post" button on the task: ``https://x.com/i/web/status/<id>`` of what the task posted.

    Airflow 3 asks for the link when the task finishes (``operator`` is the task that just ran, carrying
    ``tweet_url``) and keeps it in XCom under :attr:`xcom_key` for the UI.
    """

    name = "X post"

    url_attribute = "tweet_url"
    url_xcom_key = TWEET_URL_XCOM_KEY
