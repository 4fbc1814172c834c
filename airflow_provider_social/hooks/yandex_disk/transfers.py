"""Uploads and downloads: links that are credentials, fresh for every attempt; bodies streamed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_social.core.errors import (
    ConflictError,
    PayloadTooLargeError,
    ServerError,
    SocialApiError,
    input_error,
)
from airflow_provider_social.core.masking import redact_url
from airflow_provider_social.hooks.yandex_disk.limits import uploader_error
from airflow_provider_social.hooks.yandex_disk.paths import (
    _human,
    parent_path,
    register_secret_url,
    resource_path,
    safe_local_target,
    web_url,
)
from airflow_provider_social.hooks.yandex_disk.policy import SERVICE, UPLOAD_WAIT_TIMEOUT
from airflow_provider_social.hooks.yandex_disk.resources import refine_conflict
from airflow_provider_social.hooks.yandex_disk.throttle import temporary_upload_path, throttled_media_type
from airflow_provider_social.hooks.yandex_disk.transfers_stream import StreamingUpload
from airflow_provider_social.hooks.yandex_disk.upload_steps import UploadSteps

if TYPE_CHECKING:
    from airflow_provider_social.core.sources import MediaSource

T = TypeVar("T")

CHUNK_SIZE = 1024 * 1024


class YandexDiskTransfers(UploadSteps):
    """Uploads (local files, bytes, from a URL) and downloads, over the shared steps of :class:`.UploadSteps`
    (whose fields it takes: ``client``, ``resources``, ``operations``, ``account_limits``, ``clock``, ``sleep``,
    ``conn_id``, ``lineage_context``)."""

    # ---------------------------------------------------------------------------------------------- links
    def _with_fresh_link(self, name: str, link: Callable[[], str], use: Callable[[str], T]) -> T:
        """Run ``use(href)`` with a fresh link in every attempt, within the connection's retry budget.

        An upload or download href serves one request and lapses, so a retry (429, 5xx, a lapsed link answered
        404/410, a broken connection) starts from a new one rather than repeating the old one.
        """

        def attempt() -> T:
            href = link()
            register_secret_url(href)
            return use(href)

        return self.client.with_retries(name, attempt)

    def _send_to_link(self, name: str, href: str, **options: Any) -> Any:
        """One attempt of the declared link call ``name`` (no token: the href is the credential) to ``href``."""
        return self.client.send_to_link(name, href, **options)

    # ---------------------------------------------------------------------------------------------- upload
    def get_upload_link(self, remote_path: str, *, overwrite: bool = False) -> str:
        """A one-use upload href (valid 30 minutes). It is a credential: never log or return it to XCom.

        :param remote_path: where the file will go.
        :param overwrite: replace an existing file.
        """
        path = resource_path(remote_path, "remote_path")
        try:
            href, _operation_id = self.upload_link(path, overwrite)
        except ConflictError as exc:
            raise refine_conflict(exc, "remote_path", path) from None
        register_secret_url(href)
        return href

    def upload_file(
        self,
        local_path: Any,
        remote_path: str,
        *,
        overwrite: bool = False,
        parents: bool = False,
        wait: bool = True,
        poll_interval: float = 1.0,
        timeout: float = UPLOAD_WAIT_TIMEOUT,
        avoid_throttle: bool = True,
    ) -> dict[str, Any]:
        """Upload a file from any source: get an upload href, then stream the raw bytes in one ``PUT`` with
        Content-Length.

        Memory stays flat whatever the size. A file over the account's ``max_file_size`` or free space is refused
        before any upload (:class:`PayloadTooLargeError` / :class:`QuotaExceededError`, from the disk info read
        once per hook). On a 5xx, a lapsed link or a dropped connection the whole attempt is repeated with a
        *fresh* link (a href takes one PUT). When the upload host answers 202 (received, not yet moved into Disk)
        the upload's operation is waited for before the file's metadata is read.

        :param local_path: the file to send: a local path, an ``ObjectStoragePath`` or storage URL
            (``s3://conn@bucket/key``), an http(s) URL, bytes or a binary file object (a missing file, a directory
            or an unreadable URL fails before any call to Yandex).
        :param remote_path: where it goes, e.g. ``disk:/Backups/report.csv``.
        :param overwrite: replace an existing file (else :class:`ConflictError` naming ``remote_path``).
        :param parents: create missing parent folders.
        :param wait: wait for a 202 upload to land; with False the result has ``status: "in-progress"`` and the
            ``operation_id`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between operation status checks while waiting.
        :param timeout: give up waiting for a 202 upload after this many seconds (:class:`OperationFailedError`).
        :param avoid_throttle: for a name Yandex throttles to 128 KiB/s (``.zip``, ``.gz``, ``.db``, ``.mp4``, ...:
            :mod:`.throttle`), upload under a temporary name without an extension in the same folder and then
            rename it (the known workaround). The upload is then always waited for (the rename needs the file),
            and Disk needs room for the new file beside the one it replaces. False: upload under the final name.
        :return: ``{"path", "size", "md5", "sha256", "operation_id", "status"}`` as Yandex computed them
            (``md5``/``sha256`` are None while ``status`` is ``"in-progress"``).
        """
        from airflow_provider_social.core.lineage import disk_uri, source_uri
        from airflow_provider_social.core.sources import media_source

        source = media_source(local_path, field="local_path", service=SERVICE, allow_empty=True)
        path = resource_path(remote_path, "remote_path")
        uploaded = self._upload(lambda: _SourceStream(source), source.size, path, source.name, "local_path",
                                overwrite=overwrite, parents=parents, wait=wait, poll_interval=poll_interval,
                                timeout=timeout, avoid_throttle=avoid_throttle)
        self.report_lineage(inputs=[source_uri(source)], outputs=[disk_uri(self.conn_id, uploaded["path"])])
        return uploaded

    def open_upload(
        self, remote_path: str, *, overwrite: bool = False, parents: bool = False, avoid_throttle: bool = True,
        poll_interval: float = 1.0, timeout: float = UPLOAD_WAIT_TIMEOUT,
    ) -> StreamingUpload:
        """Start an upload of bytes yet to be written, streamed as they come (size unknown; used by ``yadisk://``
        files opened ``wb``): ``write()`` them, then ``close()`` for the result, or ``abort()`` to store nothing.

        The upload link is taken now (for a throttled type, the temporary name's: :mod:`.throttle`), and the ``PUT``
        starts with a chunked body fed from a fixed set of reused buffers (:mod:`.transfers_stream`). The account's
        limits are checked as the bytes come. A broken ``PUT`` is not repeated (the bytes are gone): its error is
        raised from ``write()`` or ``close()``, and no file is left under ``remote_path``.

        :param remote_path: where the file goes.
        :param overwrite: replace an existing file (else :class:`ConflictError`).
        :param parents: create missing parent folders first.
        :param avoid_throttle: upload a throttled type under a temporary name, then rename it (see
            :meth:`upload_file`).
        :param poll_interval: seconds between checks while an upload answered 202 lands.
        :param timeout: give up waiting for a 202 upload after this many seconds.
        :return: the open upload.
        """
        path = resource_path(remote_path, "remote_path")
        upload = StreamingUpload(self, path, overwrite=overwrite, avoid_throttle=avoid_throttle,
                                 poll_interval=poll_interval, timeout=timeout)
        return upload.start(parents=parents)

    def upload_bytes(
        self, data: bytes, remote_path: str, *, overwrite: bool = False, parents: bool = False, wait: bool = True,
        poll_interval: float = 1.0, timeout: float = UPLOAD_WAIT_TIMEOUT, avoid_throttle: bool = True,
    ) -> dict[str, Any]:
        """Upload in-memory bytes (small generated content: reports, markers); same contract as :meth:`upload_file`.

        :param data: the file content.
        :param remote_path: where it goes.
        :param overwrite: replace an existing file.
        :param parents: create missing parent folders.
        :param wait: wait for a 202 upload to land (see :meth:`upload_file`).
        :param poll_interval: seconds between operation status checks while waiting.
        :param timeout: give up waiting for a 202 upload after this many seconds.
        :param avoid_throttle: upload a throttled type under a temporary name, then rename it (see
            :meth:`upload_file`).
        :return: ``{"path", "size", "md5", "sha256", "operation_id", "status"}``.
        """
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise input_error("data", f"bytes expected, got {type(data).__name__}", service=SERVICE)
        path = resource_path(remote_path, "remote_path")
        payload = bytes(data)
        return self._upload(lambda: _BytesBody(payload), len(payload), path, "data", "data", overwrite=overwrite,
                            parents=parents, wait=wait, poll_interval=poll_interval, timeout=timeout,
                            avoid_throttle=avoid_throttle)

    def _upload(
        self, body_factory: Callable[[], Any], size: int, path: str, shown_name: str, field: str, *,
        overwrite: bool, parents: bool, wait: bool, poll_interval: float, timeout: float, avoid_throttle: bool,
    ) -> dict[str, Any]:
        """Check the limits and the folder, then upload under the final name, or (a throttled type) under a
        temporary one that is renamed."""
        self.account_limits.check(size, field=field, name=shown_name, overwrite=overwrite)
        if parents:
            parent = parent_path(path)
            if parent not in ("disk:/", "app:/"):
                self.resources.create_folder(parent, parents=True)
        if avoid_throttle and throttled_media_type(path):
            return self._upload_renamed(body_factory, size, path, shown_name, field, overwrite=overwrite,
                                        poll_interval=poll_interval, timeout=timeout)
        return self._upload_to(body_factory, size, path, shown_name, field, overwrite=overwrite, wait=wait,
                               poll_interval=poll_interval, timeout=timeout)

    def _upload_renamed(
        self, body_factory: Callable[[], Any], size: int, path: str, shown_name: str, field: str, *,
        overwrite: bool, poll_interval: float, timeout: float,
    ) -> dict[str, Any]:
        """The throttle workaround: upload to :func:`.throttle.temporary_upload_path`, then move it to ``path``.

        Both steps are safe to repeat: the upload overwrites the temporary name (a retry or a re-run reuses it), and
        a move whose answer was lost is recognised by its effect (the temporary name gone, ``path`` holding the
        uploaded md5). On any failure the temporary file is deleted.
        """
        self.refuse_taken_name(path, overwrite=overwrite)
        temporary = temporary_upload_path(path)
        try:
            uploaded = self._upload_to(body_factory, size, temporary, shown_name, field, overwrite=True, wait=True,
                                       poll_interval=poll_interval, timeout=timeout)
            self.move_into_place(temporary, path, overwrite=overwrite, md5=uploaded["md5"],
                                  poll_interval=poll_interval, timeout=timeout)
        except BaseException:
            self.discard_temporary(temporary)
            raise
        return {**uploaded, "path": path}

    def _upload_to(
        self, body_factory: Callable[[], Any], size: int, path: str, shown_name: str, field: str, *,
        overwrite: bool, wait: bool, poll_interval: float, timeout: float,
    ) -> dict[str, Any]:
        """Get a fresh upload link and PUT a fresh body in every attempt; then check what Yandex stored."""
        from airflow_provider_social.core.http import RetryableError

        operation_ids: list[str | None] = []

        def link() -> str:
            try:
                href, operation_id = self.upload_link(path, overwrite)
            except ConflictError as exc:
                raise refine_conflict(exc, "remote_path", path) from None
            operation_ids.append(operation_id)  # the operation tracking this link's upload
            return href

        def put(href: str) -> tuple[int, str | None]:
            try:
                response = self._send_to_link(
                    # An empty file is sent as b"": requests would otherwise chunk a zero-length stream.
                    "upload file", href, body=body_factory if size else None, data=b"",
                    headers={"Content-Type": "application/octet-stream", "Content-Length": str(size)},
                )
            except RetryableError as retry:  # 404/410 (a lapsed link), 429, 5xx: a fresh link next time
                retry.error = uploader_error(retry.error, field="remote_path", path=path)
                raise
            except SocialApiError as refused:
                raise self.upload_refusal(refused, path, shown_name, size, field) from None
            response.close()
            return response.status_code, operation_ids[-1]

        status, operation_id = self._with_fresh_link("upload file", link, put)
        if status == 202:  # received, not yet moved into Disk: its metadata would be 404 until the operation ends
            if not wait and operation_id:
                return {"path": path, "size": size, "md5": None, "sha256": None, "operation_id": operation_id,
                        "status": "in-progress"}
            self.wait_for_upload(operation_id, path, poll_interval=poll_interval, timeout=timeout)
        return {**self.check_uploaded(path, size), "operation_id": operation_id if status == 202 else None,
                "status": "success"}

    def upload_from_url(
        self, url: str, remote_path: str, *, parents: bool = False, wait: bool = True, poll_interval: float = 1.0,
        timeout: float | None = None,
    ) -> dict[str, Any]:
        """Let Yandex fetch ``url`` into ``remote_path`` (asynchronous, ``POST /v1/disk/resources/upload``).

        :param url: an ``http://`` or ``https://`` URL Yandex can reach.
        :param remote_path: where the file goes; must not exist yet.
        :param parents: create missing parent folders first.
        :param wait: wait for an asynchronous (202) operation; with False the result carries ``operation_id``
            and ``status: "in-progress"`` (for :class:`YandexDiskOperationTrigger` or :meth:`wait_for_operation`).
        :param poll_interval: seconds between status checks while waiting.
        :param timeout: give up waiting after this many seconds (:class:`OperationFailedError`).
        :return: ``{"path", "operation_id", "status"}``.
        """
        web_url(url, "url")
        path = resource_path(remote_path, "remote_path")
        if parents:
            self.resources.create_folder(parent_path(path), parents=True)
        try:
            response = self.client.call("upload from URL", params={"url": url, "path": path})
        except ConflictError as exc:
            raise refine_conflict(exc, "remote_path", path) from None
        return self.operations.finish(response, path, wait=wait, poll_interval=poll_interval, timeout=timeout)

    # ---------------------------------------------------------------------------------------------- download
    def get_download_link(self, path: str) -> str:
        """A download href for a file. It is a credential: never log or return it to XCom.

        :param path: the file.
        """
        response = self.client.call("get download link", params={"path": resource_path(path, "path")})
        href = str(response.json()["href"])
        register_secret_url(href)
        return href

    def download_file(self, remote_path: str, local_path: Any, *, overwrite: bool = True) -> dict[str, Any]:
        """Stream a file to ``local_path`` (a file path, or an existing directory to keep the remote name), or to
        an object in a store (an ``ObjectStoragePath`` or a storage URL such as ``s3://conn@bucket/key``; one
        ending with ``/`` keeps the remote name).

        Written under a temporary name beside the target and moved into place, so a broken download never leaves
        a partial file or object; redirects are followed; a break is retried with a fresh link. A local target
        never lands outside the directory it names.

        :param remote_path: the file on Disk.
        :param local_path: a file path, or an existing directory (the remote name is kept); or an object in a
            store.
        :param overwrite: replace an existing file (else :class:`ConflictError` before any download).
        :return: ``{"path", "local_path", "size"}``.
        """
        from airflow_provider_social.core.targets import is_storage_target, storage_target

        path = resource_path(remote_path, "remote_path")
        target = (storage_target(local_path, field="local_path", service=SERVICE,
                                 name=path.rstrip("/").rsplit("/", 1)[-1])
                  if is_storage_target(local_path) else safe_local_target(local_path, path))
        if target.exists() and not overwrite:
            raise ConflictError(f"local_path: {str(target)!r} exists", service=SERVICE, operation="download file",
                                hint="pass overwrite=True")
        downloaded = self._download(lambda: self.get_download_link(path), target, path)
        from airflow_provider_social.core.lineage import disk_uri, target_uri

        self.report_lineage(inputs=[disk_uri(self.conn_id, path)], outputs=[target_uri(target)])
        return downloaded

    def open_download(self, remote_path: str, *, start: int = 0) -> tuple[Any, int]:
        """A streamed answer of the download host for a file, from byte ``start`` on, and where its body begins.

        ``start`` is asked for with ``Range: bytes=<start>-``. Whether Yandex's download host honours it is
        UNCONFIRMED, so the second value says what came: ``start`` for a ``206``, ``0`` for a ``200`` with the whole
        file (the caller skips to ``start``). The caller closes the response. Used by ``yadisk://`` reads.

        :param remote_path: the file.
        :param start: the first byte wanted.
        """
        path = resource_path(remote_path, "remote_path")
        if not isinstance(start, int) or isinstance(start, bool) or start < 0:
            raise input_error("start", f"must be a byte offset (an integer >= 0), got {start!r}", service=SERVICE)
        headers = {"Range": f"bytes={start}-"} if start else {}

        def use(href: str) -> tuple[Any, int]:
            response = self._send_to_link("download file", href, headers=headers)
            return response, start if response.status_code == 206 else 0

        return self._with_fresh_link("download file", lambda: self.get_download_link(path), use)

    def read_bytes(self, remote_path: str, *, max_size: int = 64 * 1024 * 1024) -> bytes:
        """A small file's content in memory (use :meth:`download_file` for anything big).

        :param remote_path: the file.
        :param max_size: refuse (before downloading) files larger than this many bytes.
        """
        path = resource_path(remote_path, "remote_path")
        meta = self.resources.get_metadata(path, fields="type,size")
        if meta.get("type") != "file":
            raise input_error("remote_path", f"{path!r} is a folder, not a file", service=SERVICE)
        check = int(meta.get("size") or 0)
        if check > max_size:
            raise PayloadTooLargeError(
                f"remote_path: {path!r} is {_human(check)}, over max_size {_human(max_size)}", service=SERVICE,
                operation="read bytes", hint="use download_file() to stream it to disk",
            )

        return self._with_fresh_link("read bytes", lambda: self.get_download_link(path),
                                     lambda href: self._send_to_link("read bytes", href).content)

    def _download(self, link: Callable[[], str], target: Any, path: str) -> dict[str, Any]:
        from airflow_provider_social.core.targets import write_atomically
        from airflow_provider_social.core.uploads import DOWNLOAD_BLOCK, response_blocks

        def fetch(href: str) -> int:
            import requests as _requests
            from urllib3.exceptions import HTTPError

            from airflow_provider_social.core.http import RetryableError

            shown = redact_url(href, signed=True)
            response = self._send_to_link("download file", href)
            try:
                return write_atomically(response_blocks(response, DOWNLOAD_BLOCK), target)
            except (_requests.RequestException, HTTPError) as exc:
                raise RetryableError(ServerError(f"download from {shown} broke off: {type(exc).__name__}",
                                                 service=SERVICE, operation="download file")) from None
            finally:
                response.close()

        size = self._with_fresh_link("download file", link, fetch)
        return {"path": path, "local_path": str(target), "size": size}


class _BytesBody:
    """In-memory bytes as an upload body with the same interface as :class:`_SourceStream`."""

    def __init__(self, data: bytes) -> None:
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    def __iter__(self) -> Iterator[bytes]:
        view = memoryview(self._data)
        for start in range(0, len(view), CHUNK_SIZE):
            yield bytes(view[start: start + CHUNK_SIZE])

    def close(self) -> None:
        pass


class _SourceStream:
    """A source's body for one upload attempt: Content-Length known, read in 1 MiB chunks (fewer syscalls than the
    16 KiB requests would use for a file object), never held in memory."""

    def __init__(self, source: MediaSource) -> None:
        self._fh = source.open()
        self._size = source.size

    def __len__(self) -> int:
        return self._size

    def __iter__(self) -> Iterator[bytes]:
        while chunk := self._fh.read(CHUNK_SIZE):
            yield chunk

    def close(self) -> None:
        self._fh.close()
