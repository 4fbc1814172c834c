"""Yandex ID for the Disk hook: the device-code flow of the first authorisation and how its ends read.

The hook (:mod:`.hook`) owns the connection's tokens (the OAuth client, the token manager, refresh); this module
runs the flow that obtains them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from airflow_provider_social.core.errors import (
    AuthenticationError,
    SocialApiError,
    input_error,
)
from airflow_provider_social.core.oauth import AuthorizationPending
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.oauth import DeviceCode, OAuth2Client
    from airflow_provider_social.core.tokens import TokenSet


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


@dataclass(eq=False)
class YandexIdDeviceFlow:
    """Yandex ID's device-code flow (``airflow social auth yandex``).

    :param oauth_client: Yandex ID's endpoints and the app's client credentials.
    :param clock: seconds since the epoch (the hook's, injectable).
    :param sleep: the wait between polls (the hook's, injectable so tests never sleep).
    """

    oauth_client: OAuth2Client
    clock: Callable[[], float]
    sleep: Callable[[float], None]

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
