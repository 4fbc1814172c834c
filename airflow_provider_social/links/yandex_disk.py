"""Extra link: the public page of a file or folder published by :class:`YandexDiskPublishOperator`."""

from __future__ import annotations

from airflow_provider_social.links.base import CreatedObjectLink

PUBLIC_URL_XCOM_KEY = "public_url"


class YandexDiskPublicLink(CreatedObjectLink):
    """"Yandex Disk public link" button on the task: the ``public_url`` the task published.

    Airflow 3 asks for the link when the task finishes (``operator`` is the task that just ran) and keeps it in
    XCom under :attr:`xcom_key` for the UI. A public URL is not a secret: it is meant to be shared.
    """

    name = "Yandex Disk public link"

    url_attribute = "public_url"
    url_xcom_key = PUBLIC_URL_XCOM_KEY
