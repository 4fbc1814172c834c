"""Asynchronous Disk operations (202 answers): their status and the wait for them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    input_error,
)
from airflow_provider_social.core.waiting import Poll, WaitRule, WaitTimeout, wait_for
from airflow_provider_social.hooks.yandex_disk.paths import _path_from_link
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE, OperationFailedError

if TYPE_CHECKING:
    import requests

    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient


@dataclass(eq=False)
class YandexDiskOperations:
    """Asynchronous operations: what a 202 answer hands back, and waiting for it.

    :param client: sends the declared calls.
    :param clock: seconds since the epoch (the hook's, injectable).
    :param sleep: the wait between status checks (the hook's, injectable so tests never sleep).
    """

    client: YandexDiskClient
    clock: Callable[[], float]
    sleep: Callable[[float], None]

    def finish(
        self,
        response: requests.Response,
        path: str | None,
        *,
        wait: bool,
        poll_interval: float,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """The result of a call that answers 201/204 (done) or 202 (an operation to wait for, or to hand over).

        :param response: the call's answer.
        :param path: the resource the call made or changed (None: read from a 201's link).
        :param wait: wait for a 202's operation (else hand its id over with ``status: "in-progress"``).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds.
        """
        if response.status_code == 201 and path is None:
            path = _path_from_link(response.json().get("href", ""))
        if response.status_code != 202:
            return {"path": path, "operation_id": None, "status": "success"}
        operation_id = _operation_id(response)
        if not wait:
            return {"path": path, "operation_id": operation_id, "status": "in-progress"}
        self.wait_for_operation(operation_id, poll_interval=poll_interval, timeout=timeout)
        return {"path": path, "operation_id": operation_id, "status": "success"}

    def get_operation_status(self, operation_id: str) -> str:
        """``"success"``, ``"failed"`` or ``"in-progress"`` (``GET /v1/disk/operations/{id}``).

        :param operation_id: the id, or the operation's href as the API returned it.
        """
        operation_id = operation_id.rstrip("/").rsplit("/", 1)[-1]
        if not operation_id:
            raise input_error("operation_id", "is empty", service=SERVICE)
        body = self.client.call("get operation status", path_params={"operation_id": operation_id},
                          params={"fields": "status"}).json()
        status = str(body.get("status"))
        return "failed" if status == "failure" else status  # older docs spelled it "failure"

    def wait_for_operation(
        self, operation_id: str, *, poll_interval: float = 1.0, timeout: float | None = None
    ) -> str:
        """Poll until the operation ends; return ``"success"`` or raise :class:`OperationFailedError`.

        Follows :func:`operation_rule` (the trigger's rule too), with the hook's ``sleep`` and ``clock``
        (injectable), so tests never wait on a real clock.

        :param operation_id: the id, or the operation's href as the API returned it.
        :param poll_interval: seconds between status checks.
        :param timeout: give up after this many seconds (None: wait as long as it takes).
        """
        try:
            status = wait_for(lambda: operation_poll(self.get_operation_status(operation_id)),
                              operation_rule(poll_interval, timeout), what=f"operation {operation_id}",
                              service=SERVICE, operation="wait for operation", sleep=self.sleep, clock=self.clock)
        except WaitTimeout:
            raise operation_timeout(operation_id, timeout) from None
        if status == "failed":
            raise operation_failed(operation_id)
        return str(status)


def _operation_id(response: requests.Response) -> str:
    href = response.json()["href"]
    return href.rstrip("/").rsplit("/", 1)[-1]


def operation_poll(status: str) -> Poll:
    """One status check of an operation as the shared wait reads it: done once ``success`` or ``failed``.

    :param status: what :meth:`YandexDiskOperations.get_operation_status` returned.
    """
    return Poll(done=status in ("success", "failed"), value=status, state=status)


def operation_rule(poll_interval: float, timeout: float | None) -> WaitRule:
    """How hooks and triggers wait for a Disk operation: Yandex advises no interval, so the caller's is used.

    :param poll_interval: seconds between status checks.
    :param timeout: the bound in seconds, or None.
    """
    return WaitRule(interval=poll_interval, timeout=timeout, honour_advice=False, minimum=min(0.1, poll_interval))


def operation_failed(operation_id: str) -> OperationFailedError:
    """The error for an operation Yandex reports ``failed`` (it gives no reason)."""
    return OperationFailedError(
        f"operation {operation_id} failed", service=SERVICE, operation="wait for operation",
        hint="Yandex gives no reason; check the source and target and try again",
    )


def operation_timeout(operation_id: str, timeout: float | None) -> OperationFailedError:
    """The error for an operation still running when the wait's bound is reached."""
    return OperationFailedError(
        f"operation {operation_id} still in progress after {timeout or 0:.0f} s", service=SERVICE,
        operation="wait for operation", api_code="timeout", hint="raise the timeout, or use a deferrable operator",
    )
