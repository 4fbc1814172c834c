"""YandexDiskHook: the layers of this package on the shared SocialHook."""

from __future__ import annotations

from typing import Any, ClassVar

from airflow_provider_social.hooks.yandex_disk.policy import POLICY, SERVICE
from airflow_provider_social.hooks.yandex_disk.transfers import YandexDiskTransfers


class YandexDiskHook(YandexDiskTransfers):
    """Yandex Disk through the REST API v1, with Yandex ID token refresh.

    Connection ``yandex_disk``: ``password`` holds the OAuth access token; extras ``refresh_token``,
    ``client_id``, ``client_secret`` (needed to refresh), ``api_base_url``, ``oauth_base_url``, ``timeout``.

    :param yandex_disk_conn_id: the Connection ID, default ``yandex_disk_default``.
    """

    conn_name_attr = "yandex_disk_conn_id"

    default_conn_name = "yandex_disk_default"

    conn_type = "yandex_disk"

    hook_name = "Yandex Disk"

    service_name = SERVICE

    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": "https://cloud-api.yandex.net",
        "oauth_base_url": "https://oauth.yandex.ru",
    }

    #: One policy reads every Disk and Yandex ID answer (links declare theirs in the call table).
    response_policy = POLICY

    reauth_command = "airflow social auth yandex --conn-id {conn_id}"

    def __init__(self, yandex_disk_conn_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(conn_id=yandex_disk_conn_id, **kwargs)
        self.yandex_disk_conn_id = self.conn_id
