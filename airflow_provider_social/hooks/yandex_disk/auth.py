"""Yandex ID for the Disk hook: token refresh, the device-code flow and the first authorisation."""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    AuthenticationError,
    SocialApiError,
    input_error,
)
from airflow_provider_social.core.oauth import AuthorizationPending, DeviceCode, OAuth2Client, TokenAuth
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE

if TYPE_CHECKING:
    from typing_extensions import Self


def _device_flow_error(exc: SocialApiError) -> SocialApiError:
    """A clear message for each way Yandex ID ends a device flow (its own codes and RFC 8628's alike)."""
    reasons = {
        "access_denied": ("access was denied on the confirmation page", "run the command again and press Allow"),
        "bad_verification_code": (
            "Yandex ID does not recognise the device code (bad_verification_code)",
            "run the command again to get a new code; do not edit the code it polls with",
        ),
        "invalid_grant": (
            f"the device code is expired or already used ({exc.api_message})",
            "run the command again to get a new code",
        ),
        "expired_token": (
            f"the device code expired ({exc.api_message})", "run the command again and approve the code sooner"
        ),
    }
    if exc.api_code not in reasons:
        return exc
    message, hint = reasons[str(exc.api_code)]
    return AuthenticationError(message, service=SERVICE, operation="device authorization", api_code=exc.api_code,
                               hint=hint)



class YandexDiskAuth(SocialHook):
    """Yandex ID tokens of a Disk connection (``Authorization: OAuth <token>``)."""

    # ---------------------------------------------------------------------------------------------- auth
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """Yandex ID: token, device-code and revoke endpoints, client credentials from the Connection."""
        oauth = self.endpoint("oauth_base_url")
        return OAuth2Client(
            self.transport,
            token_url=f"{oauth}/token",
            device_code_url=f"{oauth}/device/code",
            revoke_url=f"{oauth}/revoke_token",
            client_id=self.extra("client_id"),
            client_secret=self.secret_extra("client_secret"),
            client_auth="body",
        )

    @cached_property
    def token_manager(self) -> TokenManager:
        seed = TokenSet(
            access_token=self.connection.password or None,
            refresh_token=self.secret_extra("refresh_token"),
            expires_at=float(self.extra("expires_at")) if self.extra("expires_at") else None,
        )
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self._refresh if can_refresh else None)

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

    def authorize_device(
        self,
        on_code: Callable[[DeviceCode], None],
        *,
        device_id: str | None = None,
        device_name: str | None = None,
        timeout: float | None = None,
    ) -> TokenSet:
        """Run the Yandex ID device-code flow: request a code, let ``on_code`` show it, poll until approved.

        Polls at the server's ``interval``; the device code goes in the ``code`` form field (Yandex's spelling).
        A ``slow_down`` answer adds 5 s to the interval for the rest of the flow (RFC 8628 section 3.5; Yandex
        documents no slow_down but says it "may respond with an error" to faster polls, so both are handled).

        :param on_code: shows the user the verification URL and code.
        :param device_id: Yandex's optional device identifier (6-50 characters), to tie the token to a device.
        :param device_name: the device's name shown in the user's Yandex ID settings.
        :param timeout: seconds to wait for approval (at most the code's lifetime, which is the default).
        """
        if timeout is not None and not timeout > 0:
            raise input_error("timeout", f"expected a number of seconds above 0, got {timeout!r}", service=SERVICE,
                              operation="device authorization")
        device = self.oauth_client.start_device_flow(device_id=device_id, device_name=device_name)
        on_code(device)
        wait = device.expires_in if timeout is None else min(float(timeout), device.expires_in)
        deadline = self.clock() + wait
        interval = device.interval
        while True:
            self.sleep(interval)
            try:
                return self.oauth_client.poll_device_token(device, grant_type="device_code", code_param="code")
            except AuthorizationPending as pending:
                if pending.api_code == "slow_down":
                    interval += 5
                if self.clock() >= deadline:
                    raise AuthenticationError(
                        f"the code {device.user_code} was not approved within {int(wait)} s",
                        service=SERVICE, operation="device authorization", api_code="expired_token",
                        hint="run the command again and approve the code sooner",
                    ) from None
            except SocialApiError as exc:
                raise _device_flow_error(exc) from None

    def _refresh(self, tokens: TokenSet) -> TokenSet:
        return self.oauth_client.refresh(tokens)

    @cached_property
    def auth(self) -> TokenAuth:
        return TokenAuth(self.token_manager, scheme="OAuth")
