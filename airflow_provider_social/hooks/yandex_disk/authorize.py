""""Authorize" on the plugin's credentials page for a ``yandex_disk`` connection: Yandex ID's device-code flow
(the page shows the code and polls); the tokens become the Connection's new fields exactly as
``airflow social auth yandex`` writes them. Named by ``connection.SERVICE.ui_flow``."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.setup.ui import DeviceFlowAdapter, NewCredentials, StoredConnection, required

if TYPE_CHECKING:
    from airflow_provider_social.core.errors import SocialApiError
    from airflow_provider_social.core.tokens import TokenSet


def device_hook(conn: StoredConnection) -> Any:
    """A hook holding only the app's client credentials, for the device flow.

    :param conn: the stored connection.
    """
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    return YandexDiskHook.for_authorization(
        conn_id=conn.conn_id,
        client_id=required(conn, "client_id", "ClientID from your app page at https://oauth.yandex.ru/"),
        client_secret=required(conn, "client_secret", "Client secret from your app page"),
        oauth_base_url=conn.setting("oauth_base_url"))


def new_fields(conn: StoredConnection, tokens: TokenSet) -> NewCredentials:
    """The Connection's new fields.

    :param conn: the stored connection.
    :param tokens: the tokens the device flow yielded.
    """
    return NewCredentials({**conn.extra, "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at},
                          password=tokens.access_token)


def poll_error(exc: SocialApiError) -> SocialApiError:
    """A failed poll as the user should read it (the CLI's wording).

    :param exc: the token endpoint's refusal.
    """
    from airflow_provider_social.hooks.yandex_disk.auth import _device_flow_error

    return _device_flow_error(exc)


UI_FLOW = DeviceFlowAdapter(device_hook, new_fields, poll_error)
