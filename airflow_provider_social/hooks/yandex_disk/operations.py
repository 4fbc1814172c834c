"""Asynchronous Disk operations (202 answers): their status and the wait for them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    input_error,
)
from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskCalls
from airflow_provider_social.hooks.yandex_disk.paths import _path_from_link
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE, OperationFailedError

if TYPE_CHECKING:
    import requests



class YandexDiskOperations(YandexDiskCalls):
    """Asynchronous operations: what a 202 answer hands back, and waiting for it."""

    # ---------------------------------------------------------------------------------------------- async operations
    def _operation_id(self, response: requests.Response) -> str:
        href = response.json()["href"]
        return href.rstrip("/").rsplit("/", 1)[-1]

    def _finish(
        self,
        response: requests.Response,
        path: str | None,
        *,
        wait: bool,
        poll_interval: float,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """The result of a call that answers 201/204 (done) or 202 (an operation to wait for, or to hand over)."""
        if response.status_code == 201 and path is None:
            path = _path_from_link(response.json().get("href", ""))
        if response.status_code != 202:
            return {"path": path, "operation_id": None, "status": "success"}
        operation_id = self._operation_id(response)
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
        body = self._call("GET", f"/v1/disk/operations/{operation_id}", operation="get operation status",
                          params={"fields": "status"}).json()
        status = str(body.get("status"))
        return "failed" if status == "failure" else status  # older docs spelled it "failure"

    def wait_for_operation(
        self, operation_id: str, *, poll_interval: float = 1.0, timeout: float | None = None
    ) -> str:
        """Poll until the operation ends; return ``"success"`` or raise :class:`OperationFailedError`.

        Uses the hook's ``sleep`` and ``clock`` (injectable), so tests never wait on a real clock.
        """
        deadline = None if timeout is None else self.clock() + timeout
        while True:
            status = self.get_operation_status(operation_id)
            if status == "success":
                return status
            if status == "failed":
                raise OperationFailedError(
                    f"operation {operation_id} failed", service=SERVICE, operation="wait for operation",
                    hint="Yandex gives no reason; check the source and target and try again",
                )
            if deadline is not None and self.clock() >= deadline:
                raise OperationFailedError(
                    f"operation {operation_id} still in progress after {timeout:.0f} s", service=SERVICE,
                    operation="wait for operation", api_code="timeout",
                    hint="raise the timeout, or use a deferrable operator",
                )
            self.sleep(poll_interval)
