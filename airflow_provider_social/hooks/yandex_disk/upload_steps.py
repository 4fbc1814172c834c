"""The steps every Yandex Disk upload shares: the upload link, the checks before (a taken name) and after (the size
stored), the wait for an upload answered 202, the throttle workaround's rename into place and its clean-up, the
refusals of the upload host as clear errors, and hook lineage.

Sized uploads (:mod:`.transfers`) and uploads streamed while they are written (:mod:`.transfers_stream`) both take
these steps, so both import this module and neither imports the other's user.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ConflictError,
    PayloadTooLargeError,
    QuotaExceededError,
    ServerError,
    SocialApiError,
)
from airflow_provider_social.core.waiting import Poll, WaitTimeout, wait_for
from airflow_provider_social.hooks.yandex_disk.limits import uploader_error
from airflow_provider_social.hooks.yandex_disk.operations import operation_rule
from airflow_provider_social.hooks.yandex_disk.paths import _flag, _human
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE, OperationFailedError
from airflow_provider_social.hooks.yandex_disk.resources import refine_conflict

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.calls import YandexDiskClient
    from airflow_provider_social.hooks.yandex_disk.limits import AccountLimits
    from airflow_provider_social.hooks.yandex_disk.operations import YandexDiskOperations
    from airflow_provider_social.hooks.yandex_disk.resources import YandexDiskResources


@dataclass(eq=False)
class UploadSteps:
    """The steps every upload takes, whether its size is known (:class:`.YandexDiskTransfers`) or not
    (:class:`.StreamingUpload`): the link, the checks before and after, the wait for a 202, the throttle
    workaround's rename, lineage.

    :param client: sends the declared calls and the link calls.
    :param resources: folders for ``parents=True`` and the metadata read after an upload.
    :param operations: the wait for an upload or a fetch answered 202.
    :param account_limits: the account's ``max_file_size`` and free space, checked before every upload.
    :param clock: seconds since the epoch (the hook's, injectable).
    :param sleep: the wait between checks (the hook's, injectable so tests never sleep).
    :param conn_id: the connection, the user part of the ``yadisk://`` URIs reported to hook lineage.
    :param lineage_context: the hook, as Airflow's hook lineage collector wants it (None: no lineage reported).
    """

    client: YandexDiskClient
    resources: YandexDiskResources
    operations: YandexDiskOperations
    account_limits: AccountLimits
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    conn_id: str = ""
    lineage_context: Any = None

    def report_lineage(self, *, inputs: list[str | None], outputs: list[str | None]) -> None:
        """Tell Airflow's hook lineage what a transfer read and wrote (nothing without a ``lineage_context``).

        :param inputs: the URIs read (None: not expressible as an asset URI).
        :param outputs: the URIs written.
        """
        if self.lineage_context is not None:
            from airflow_provider_social.core.lineage import report_transfer

            report_transfer(self.lineage_context, inputs=inputs, outputs=outputs)

    def upload_link(self, path: str, overwrite: bool) -> tuple[str, str | None]:
        """(href, operation_id): the upload operation tracks an upload the upload host answers 202.

        :param path: where the file will go (a Disk path).
        :param overwrite: replace an existing file.
        """
        response = self.client.call("get upload link", params={"path": path, "overwrite": _flag(overwrite)},
        )
        body = response.json()
        operation_id = body.get("operation_id")
        return str(body["href"]), str(operation_id) if operation_id else None

    def refuse_taken_name(self, path: str, *, overwrite: bool) -> None:
        """Before an upload under a temporary name: raise when ``path`` is a folder, or a file without ``overwrite``
        (the upload host would have refused the final name itself).

        :param path: the final Disk path.
        :param overwrite: whether an existing file may be replaced.
        """
        existing = self.resources.get_type(path)
        if existing == "dir":
            raise ConflictError(f"remote_path: {path!r} is an existing folder", service=SERVICE,
                                operation="upload file", status_code=409,
                                api_code="DiskPathPointsToExistentDirectoryError", hint="choose a file path inside it")
        if existing is not None and not overwrite:
            raise ConflictError(f"remote_path: {path!r} already exists", service=SERVICE, operation="upload file",
                                status_code=409, api_code="DiskResourceAlreadyExistsError",
                                hint="pass overwrite=True to replace it")

    def move_into_place(self, temporary: str, path: str, *, overwrite: bool, md5: str | None,
                        poll_interval: float, timeout: float) -> None:
        """The throttle workaround's second step: move the upload from its temporary name to ``path``; a move whose
        answer was lost is recognised by its effect (the temporary name gone, ``path`` holding ``md5``).

        :param temporary: the temporary name the file was uploaded under.
        :param path: the final Disk path.
        :param overwrite: whether an existing file may be replaced.
        :param md5: the uploaded file's md5 (None: a lost answer cannot be recognised).
        :param poll_interval: seconds between checks while an asynchronous move runs.
        :param timeout: give up waiting for the move after this many seconds.
        """
        try:
            self.resources.move(temporary, path, overwrite=overwrite, poll_interval=poll_interval, timeout=timeout)
        except SocialApiError as failed:
            # A move without overwrite is not re-sent blindly; if its answer was lost it may have happened.
            if not self._moved(temporary, path, md5):
                raise refine_conflict(failed, "remote_path", path) from None

    def _moved(self, temporary: str, path: str, md5: str | None) -> bool:
        try:
            if self.resources.get_type(temporary) is not None:
                return False
            return md5 is not None and self.resources.get_metadata(path, fields="md5").get("md5") == md5
        except SocialApiError:
            return False

    def discard_temporary(self, temporary: str) -> None:
        """Best effort (the original error is what the caller needs): delete the temporary upload for good.

        :param temporary: the temporary name the file was uploaded under.
        """
        try:
            self.resources.delete(temporary, permanently=True)
        except Exception:  # noqa: BLE001 - nothing there, or Disk unreachable: the next run overwrites the name
            return

    def wait_for_upload(self, operation_id: str | None, path: str, *, poll_interval: float, timeout: float) -> None:
        """Until the upload answered 202 is in Disk: its operation, or (no operation id) the file appearing.

        :param operation_id: the upload's operation, from :meth:`upload_link` (None: watch for the file).
        :param path: the uploaded file.
        :param poll_interval: seconds between checks.
        :param timeout: give up after this many seconds (:class:`OperationFailedError`).
        """
        try:
            if operation_id:
                self.operations.wait_for_operation(operation_id, poll_interval=poll_interval, timeout=timeout)
                return
            try:
                wait_for(lambda: Poll(done=self.resources.get_type(path) == "file"),
                         operation_rule(poll_interval, timeout), what=path, service=SERVICE,
                         operation="wait for upload", sleep=self.sleep, clock=self.clock)
            except WaitTimeout:
                raise OperationFailedError(
                    f"still not in Disk after {timeout:.0f} s", service=SERVICE, operation="wait for upload",
                    api_code="timeout", hint="raise the timeout, or use a deferrable operator",
                ) from None
        except OperationFailedError as exc:
            raise OperationFailedError(
                f"remote_path: Yandex accepted the upload of {path!r} (HTTP 202) but did not put it into Disk: "
                f"{exc.api_message}", service=SERVICE, operation="upload file", status_code=202,
                api_code=exc.api_code, hint=exc.hint or "upload again",
            ) from None

    def upload_refusal(self, refused: SocialApiError, path: str, shown_name: str, size: int,
                       field: str) -> SocialApiError:
        """The error to raise for the upload host's refusal of a PUT: what was too large or did not fit, or what
        happened to the link or the folder (:func:`.limits.uploader_error`).

        :param refused: the mapped answer of the upload host.
        :param path: where the upload went.
        :param shown_name: the source's name in errors.
        :param size: the bytes sent (or being sent).
        :param field: the argument named in errors.
        """
        if isinstance(refused, PayloadTooLargeError):
            return self._too_large(shown_name, size, field)
        if isinstance(refused, QuotaExceededError):
            return QuotaExceededError(
                f"{field}: no room on Yandex Disk for {_human(size)}", service=SERVICE,
                operation="upload file", status_code=507, api_code=refused.api_code,
                hint="free space (empty the trash) or buy more",
            )
        return uploader_error(refused, field="remote_path", path=path)

    def check_uploaded(self, path: str, size: int) -> dict[str, Any]:
        """``{"path", "size", "md5", "sha256"}`` of an uploaded file, checked against the size sent.

        :param path: the uploaded file.
        :param size: the bytes sent.
        """
        meta = self.resources.get_metadata(path, fields="path,size,md5,sha256")
        if meta.get("size") != size:
            raise ServerError(
                f"remote_path: Yandex Disk holds {meta.get('size')} bytes, the local data has {size}",
                service=SERVICE, operation="upload file", hint="upload again with overwrite=True",
            )
        return {"path": meta.get("path", path), "size": size, "md5": meta.get("md5"), "sha256": meta.get("sha256")}

    def _too_large(self, name: str, size: int, field: str = "local_path") -> PayloadTooLargeError:
        try:
            limit = f"the account's limit is {_human(int(self.account_limits.info(refresh=True)['max_file_size']))}"
        except (SocialApiError, KeyError, ValueError):
            limit = "over the account's limit"
        return PayloadTooLargeError(
            f"{field}: {name} is {_human(size)}; {limit}", service=SERVICE, operation="upload file",
            status_code=413, hint="split the file or use an account with a higher limit (Yandex 360: 50 GB)",
        )
