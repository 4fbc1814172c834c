"""Extra link: the group topic an OK operator posted (``https://ok.ru/group/<gid>/topic/<id>``)."""

from __future__ import annotations

from airflow_provider_social.links.base import CreatedObjectLink

TOPIC_URL_XCOM_KEY = "ok_topic_url"


class OkTopicLink(CreatedObjectLink):
    """"OK topic" button on the task: the topic it posted (or found posted by an earlier try)."""

    name = "OK topic"

    url_attribute = "topic_url"
    url_xcom_key = TOPIC_URL_XCOM_KEY
