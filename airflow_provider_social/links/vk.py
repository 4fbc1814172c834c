"""Extra link: the VK post a task created, ``https://vk.com/wall-<group>_<post>``."""

from __future__ import annotations

from airflow_provider_social.links.base import CreatedObjectLink

POST_URL_XCOM_KEY = "vk_post_url"


class VkPostLink(CreatedObjectLink):
    """"VK post" button on the task: the community post the task published."""

    name = "VK post"

    url_attribute = "post_url"
    url_xcom_key = POST_URL_XCOM_KEY
