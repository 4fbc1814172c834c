"""YandexDiskHook: the connection, its transport and Yandex ID tokens, over the package's concern objects.

The hook is thin: it owns the Connection, the transport and the token manager, builds the call client and one
object per concern (each given exactly what it needs), and keeps the public methods as delegates to them.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.hooks.base import SocialHook, delegate
from airflow_provider_social.hooks.yandex_disk.auth import YandexIdDeviceFlow
from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient
from airflow_provider_social.hooks.yandex_disk.connection import CONNECTION_FORM
from airflow_provider_social.hooks.yandex_disk.limits import AccountLimits
from airflow_provider_social.hooks.yandex_disk.operations import YandexDiskOperations
from airflow_provider_social.hooks.yandex_disk.policy import POLICY, SERVICE
from airflow_provider_social.hooks.yandex_disk.public import YandexDiskPublic
from airflow_provider_social.hooks.yandex_disk.reads import YandexDiskReads
from airflow_provider_social.hooks.yandex_disk.resources import YandexDiskResources
from airflow_provider_social.hooks.yandex_disk.transfers import YandexDiskTransfers
from airflow_provider_social.hooks.yandex_disk.trash import YandexDiskTrash

if TYPE_CHECKING:
    from typing_extensions import Self

    from airflow_provider_social.core.oauth import OAuth2Client, TokenAuth
    from airflow_provider_social.core.tokens import TokenManager, TokenSet


class YandexDiskHook(SocialHook, form=CONNECTION_FORM):
    """Yandex Disk through the REST API v1, with Yandex ID token refresh.

    Connection ``yandex_disk``: ``password`` holds the OAuth access token; extras ``refresh_token``,
    ``client_id``, ``client_secret`` (needed to refresh), ``api_base_url``, ``oauth_base_url``, ``timeout``.

    :param yandex_disk_conn_id: the Connection ID, default ``yandex_disk_default``.
    """

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

    # ---------------------------------------------------------------------------------------------- Yandex ID tokens
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """Yandex ID: token, device-code and revoke endpoints, client credentials from the Connection."""
        oauth = self.endpoint("oauth_base_url")
        return self.connection_oauth_client(token_url=f"{oauth}/token", device_code_url=f"{oauth}/device/code",
                                            revoke_url=f"{oauth}/revoke_token", client_auth="body")

    @cached_property
    def token_manager(self) -> TokenManager:
        seed = self.connection_token_set(self.connection.password)
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self._refresh if can_refresh else None)

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        return self.oauth_client.refresh(tokens)

    @cached_property
    def auth(self) -> TokenAuth:
        from airflow_provider_social.core.oauth import TokenAuth

        return TokenAuth(self.token_manager, scheme="OAuth")

    @classmethod
    def for_authorization(
        cls,
        *,
        conn_id: str,
        client_id: str,
        client_secret: str,
        oauth_base_url: str | None = None,
        **kwargs: Any,
    ) -> Self:
        """A hook for the first authorisation, before the Connection holds any token (used by the CLI).

        :param conn_id: the connection being authorised.
        :param client_id: the Yandex ID app's client id.
        :param client_secret: its secret.
        :param oauth_base_url: Yandex ID's base URL (the sandbox's in tests).
        """
        from airflow.sdk import Connection

        extra = {"client_id": client_id, "client_secret": client_secret}
        if oauth_base_url:
            extra["oauth_base_url"] = oauth_base_url
        connection = Connection(conn_id=conn_id, conn_type=cls.conn_type, extra=json.dumps(extra))
        return cls(conn_id, connection=connection, **kwargs)

    @cached_property
    def device_flow(self) -> YandexIdDeviceFlow:
        """The device-code flow of the first authorisation."""
        return YandexIdDeviceFlow(self.oauth_client, clock=self.clock, sleep=self.sleep)

    authorize_device = delegate("device_flow", YandexIdDeviceFlow.authorize_device)

    # ---------------------------------------------------------------------------------------------- concerns
    @cached_property
    def client(self) -> YandexDiskClient:
        """The declared calls, sent through this connection's transport with its token."""
        transport: Callable[[], Any] = self.get_conn
        return YandexDiskClient(self.call_api, transport)

    @cached_property
    def operations(self) -> YandexDiskOperations:
        """Asynchronous operations (202 answers) and the wait for them."""
        return YandexDiskOperations(self.client, clock=self.clock, sleep=self.sleep)

    @cached_property
    def resources(self) -> YandexDiskResources:
        """Folders, metadata, listings, delete, copy and move."""
        return YandexDiskResources(self.client, self.operations)

    @cached_property
    def public(self) -> YandexDiskPublic:
        """Publishing and public resources."""
        return YandexDiskPublic(self.client, self.resources, self.operations)

    @cached_property
    def reads(self) -> YandexDiskReads:
        """Flat reads of the whole disk: every file, the files changed in a window, the last uploaded."""
        return YandexDiskReads(self.client)

    @cached_property
    def trash(self) -> YandexDiskTrash:
        """The trash."""
        return YandexDiskTrash(self.client, self.operations)

    @cached_property
    def account_limits(self) -> AccountLimits:
        """``max_file_size`` and free space, read once per hook, checked before every upload."""
        return AccountLimits(self.resources.get_disk_info)

    @cached_property
    def transfers(self) -> YandexDiskTransfers:
        """Uploads and downloads."""
        return YandexDiskTransfers(self.client, resources=self.resources, operations=self.operations,
                                   account_limits=self.account_limits, clock=self.clock, sleep=self.sleep,
                                   conn_id=self.yandex_disk_conn_id, lineage_context=self)

    # ---------------------------------------------------------------------------------------------- the public surface
    get_operation_status = delegate("operations", YandexDiskOperations.get_operation_status)
    wait_for_operation = delegate("operations", YandexDiskOperations.wait_for_operation)

    get_disk_info = delegate("resources", YandexDiskResources.get_disk_info)
    check_connection = delegate("resources", YandexDiskResources.check_connection)
    create_folder = delegate("resources", YandexDiskResources.create_folder)
    get_metadata = delegate("resources", YandexDiskResources.get_metadata)
    iter_folder = delegate("resources", YandexDiskResources.iter_folder)
    get_type = delegate("resources", YandexDiskResources.get_type)
    exists = delegate("resources", YandexDiskResources.exists)
    delete = delegate("resources", YandexDiskResources.delete)
    copy = delegate("resources", YandexDiskResources.copy)
    move = delegate("resources", YandexDiskResources.move)
    list_files = delegate("resources", YandexDiskResources.list_files)
    list_last_uploaded = delegate("resources", YandexDiskResources.list_last_uploaded)
    list_public = delegate("resources", YandexDiskResources.list_public)

    read_files = delegate("reads", YandexDiskReads.read_files)
    read_changed_files = delegate("reads", YandexDiskReads.read_changed_files)
    read_last_uploaded = delegate("reads", YandexDiskReads.read_last_uploaded)

    publish = delegate("public", YandexDiskPublic.publish)
    unpublish = delegate("public", YandexDiskPublic.unpublish)
    get_public_metadata = delegate("public", YandexDiskPublic.get_public_metadata)
    get_public_download_link = delegate("public", YandexDiskPublic.get_public_download_link)
    save_public_to_disk = delegate("public", YandexDiskPublic.save_public_to_disk)

    list_trash = delegate("trash", YandexDiskTrash.list_trash)
    restore_from_trash = delegate("trash", YandexDiskTrash.restore_from_trash)
    delete_from_trash = delegate("trash", YandexDiskTrash.delete_from_trash)
    empty_trash = delegate("trash", YandexDiskTrash.empty_trash)

    get_upload_link = delegate("transfers", YandexDiskTransfers.get_upload_link)
    upload_file = delegate("transfers", YandexDiskTransfers.upload_file)
    upload_bytes = delegate("transfers", YandexDiskTransfers.upload_bytes)
    check_uploaded = delegate("transfers", YandexDiskTransfers.check_uploaded)
    upload_from_url = delegate("transfers", YandexDiskTransfers.upload_from_url)
    get_download_link = delegate("transfers", YandexDiskTransfers.get_download_link)
    download_file = delegate("transfers", YandexDiskTransfers.download_file)
    read_bytes = delegate("transfers", YandexDiskTransfers.read_bytes)
