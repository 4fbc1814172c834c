"""How every Disk API call is sent.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.hooks.yandex_disk.auth import YandexDiskAuth

if TYPE_CHECKING:
    import requests



class YandexDiskCalls(YandexDiskAuth):
    """The one way a Disk API call is sent."""

    def _call(self, method: str, path: str, *, operation: str, **kwargs: Any) -> requests.Response:
        return self.transport.request(
            method, self.url("api_base_url", path), operation=operation, auth=self.auth, **kwargs
        )
