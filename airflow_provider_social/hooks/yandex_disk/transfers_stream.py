"""Uploads of unknown length, streamed while they are written (``yadisk://`` files opened ``wb``).

The upload link is taken when the upload opens and one ``PUT`` starts at once on a thread of its own, its body a
generator fed through a queue. Written bytes are copied into pieces of :data:`PIECE` bytes taken from a fixed set of
:data:`BUFFERS` reusable buffers, which the request's thread gives back once sent: memory stays flat whatever the
size, a writer faster than the network waits for a buffer, and no piece is a fresh allocation (each fresh megabyte
is page-faulted in: see :data:`FRAME`). The length is not known beforehand, so the body goes with
``Transfer-Encoding: chunked``.

Does Yandex's upload host take a chunked ``PUT``? Its documentation does not say. Other clients send one: yadisk
uploads a non-seekable file or an iterator as a generator body (which requests sends chunked), and rclone's Yandex
backend implements ``PutStream`` (size unknown) with a body without ``ContentLength`` (which Go's net/http sends
chunked). No recorded traffic shows the host's answer to one: UNCONFIRMED. The sandbox's upload host takes a chunked
body like a sized one, and stores nothing when the body breaks off before its last chunk.

A failed or abandoned upload never leaves a file under the final name: :meth:`StreamingUpload.abort` breaks the body
off before its last chunk (the host stores nothing), and a throttled name (:mod:`.throttle`) goes up under its
neutral temporary name and is moved into place only after the upload succeeded. The bytes cannot be sent again, so a
broken ``PUT`` is not retried here: the error is raised from :meth:`~StreamingUpload.write` or
:meth:`~StreamingUpload.close` (a task retry writes again). The account's ``max_file_size`` and free space are
checked as the bytes come, with the errors :meth:`.AccountLimits.check` raises before a sized upload.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ConflictError, SocialApiError
from airflow_provider_social.hooks.yandex_disk.paths import parent_path, register_secret_url
from airflow_provider_social.hooks.yandex_disk.resources import refine_conflict
from airflow_provider_social.hooks.yandex_disk.throttle import temporary_upload_path, throttled_media_type

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.upload_steps import UploadSteps

#: Bytes per piece handed from the writer to the request's thread through the queue.
PIECE = 1024 * 1024
#: Piece buffers per upload: the memory it holds (one filling, the rest queued or being sent).
BUFFERS = 6
#: Bytes per chunk of the chunked encoding. urllib3 frames each chunk as ``b"%x\r\n%b\r\n" % (len, chunk)``, a new
#: bytes object: above glibc's mmap threshold (128 KiB) each is fresh memory, page-faulted in, and framing 1 MiB
#: chunks cost 0.49 ms per MiB against 0.036 for 64 KiB ones (timeit, Python 3.11): half a second per GiB, more than
#: the send itself. So a piece goes out as 64 KiB views of it.
FRAME = 64 * 1024
#: Seconds a blocked writer waits between looks at whether the upload ended (it wakes at once when there is room).
_POLL = 0.5
#: Seconds ``abort`` waits for the request to break off before leaving it to its daemon thread.
_ABORT_WAIT = 30.0

_END = b""  # the writer is done: the body's last chunk goes out


class _Abort:
    """Put on the queue by :meth:`StreamingUpload.abort`: the body raises instead of ending."""


class _BodyAborted(Exception):
    """Raised inside the body generator: requests drops the connection before the last chunk."""


class StreamingUpload:
    """One upload of bytes written piece by piece: ``write`` as often as needed, then ``close`` (or ``abort``).

    Made by :meth:`.YandexDiskTransfers.open_upload`.

    :param steps: the upload steps (link, limits, waits, the throttle workaround's move): the hook's transfers.
    :param path: the final Disk path.
    :param overwrite: replace an existing file.
    :param avoid_throttle: upload a throttled type under a neutral temporary name and move it into place on close.
    :param poll_interval: seconds between checks while a ``202`` upload lands.
    :param timeout: give up waiting for a ``202`` upload after this many seconds.
    """

    def __init__(self, steps: UploadSteps, path: str, *, overwrite: bool, avoid_throttle: bool,
                 poll_interval: float, timeout: float) -> None:
        self._steps = steps
        self.path = path
        self._overwrite = overwrite
        self._poll_interval = poll_interval
        self._timeout = timeout
        self._throttled = avoid_throttle and throttled_media_type(path) is not None
        self._upload_path = temporary_upload_path(path) if self._throttled else path
        self.written = 0
        self._ceiling = 0
        # Filled pieces (a buffer and how much of it to send), then _END or _Abort. Never more than BUFFERS + 1
        # items: the buffers bound it.
        self._queue: queue.Queue[tuple[bytearray, int] | bytes | _Abort] = queue.Queue()
        self._free: queue.SimpleQueue[bytearray] = queue.SimpleQueue()  # buffers the request's thread gave back
        self._buffers_made = 0
        self._piece: bytearray | None = None  # the buffer being filled
        self._filled = 0
        self._thread: threading.Thread | None = None
        self._status: int | None = None
        self._error: BaseException | None = None
        self._operation_id: str | None = None
        self._finished = False

    # ---------------------------------------------------------------------------------------------- opening
    def start(self, *, parents: bool) -> StreamingUpload:
        """Check what can be checked without the size, take the upload link and start the ``PUT``.

        :param parents: create missing parent folders first.
        """
        steps = self._steps
        self._ceiling = self._room(steps.account_limits.info())
        if parents:
            parent = parent_path(self.path)
            if parent not in ("disk:/", "app:/"):
                steps.resources.create_folder(parent, parents=True)
        if self._throttled:
            steps.refuse_taken_name(self.path, overwrite=self._overwrite)
        try:
            href, self._operation_id = steps.upload_link(self._upload_path, self._overwrite or self._throttled)
        except ConflictError as exc:
            raise refine_conflict(exc, "remote_path", self.path) from None
        register_secret_url(href)
        self._thread = threading.Thread(target=self._send, args=(href,), name="yadisk-upload", daemon=True)
        self._thread.start()
        return self

    def _room(self, info: dict[str, Any]) -> int:
        """How many bytes may come before the account's limits are checked again."""
        limits = [info.get("max_file_size")]
        if not self._overwrite:
            total, used = info.get("total_space"), info.get("used_space")
            if isinstance(total, int) and isinstance(used, int):
                limits.append(max(0, total - used))
        known = [limit for limit in limits if isinstance(limit, int) and not isinstance(limit, bool)]
        return min(known) if known else 1 << 62

    # ---------------------------------------------------------------------------------------------- the request
    def _send(self, href: str) -> None:
        try:
            response = self._steps.client.send_to_link(
                "upload file", href, data=self._body(), headers={"Content-Type": "application/octet-stream"})
            response.close()
            self._status = response.status_code
        except BaseException as exc:  # noqa: BLE001 - handed to the writer, raised from write() or close()
            self._error = exc

    def _body(self) -> Iterator[memoryview]:
        while True:
            item = self._queue.get()
            if isinstance(item, _Abort):
                raise _BodyAborted
            if not isinstance(item, tuple):  # _END
                return
            buffer, length = item
            view = memoryview(buffer)
            for start in range(0, length, FRAME):
                yield view[start: min(start + FRAME, length)]
            # urllib3 asks for the next chunk only after sending this one: the buffer is free to refill
            self._free.put(buffer)

    def _take_buffer(self) -> bytearray:
        """A buffer to fill: one given back, a new one while fewer than BUFFERS exist, else wait for one; raise
        when the request ended meanwhile."""
        assert self._thread is not None  # start() ran
        try:
            return self._free.get_nowait()
        except queue.Empty:
            pass
        if self._buffers_made < BUFFERS:
            self._buffers_made += 1
            return bytearray(PIECE)
        while True:
            try:
                return self._free.get(timeout=_POLL)
            except queue.Empty:
                if not self._thread.is_alive():
                    self._raise_ended()

    def _send_piece(self) -> None:
        """Queue the filled part of the current buffer for the body."""
        if self._piece is not None and self._filled:
            self._queue.put((self._piece, self._filled))
            self._piece = None
            self._filled = 0

    def _raise_ended(self) -> None:
        """The request ended while bytes were still to come: raise what ended it."""
        from airflow_provider_social.core.errors import ServerError
        from airflow_provider_social.hooks.yandex_disk.policy import SERVICE

        self._finished = True
        if self._error is not None:
            raise self._failure(self._error) from None
        raise ServerError(f"remote_path: the upload host answered HTTP {self._status} before the end of the file",
                          service=SERVICE, operation="upload file", hint="upload again")

    def _failure(self, error: BaseException) -> BaseException:
        from airflow_provider_social.core.http import RetryableError

        if isinstance(error, RetryableError):
            error = error.error
        if isinstance(error, SocialApiError):
            return self._steps.upload_refusal(error, self.path, self.path, self.written, "remote_path")
        return error

    # ---------------------------------------------------------------------------------------------- writing
    def write(self, data: bytes | bytearray | memoryview) -> None:
        """Send ``data``: copied into piece buffers, each queued for the body when full (waits while every buffer
        is in use). The caller may reuse ``data`` once this returns.

        :param data: the next bytes of the file.
        """
        if self._finished:
            raise ValueError(f"the upload of {self.path!r} is closed")
        if self._error is not None or (self._thread is not None and not self._thread.is_alive()):
            self._raise_ended()
        view = memoryview(data).cast("B")
        size = len(view)
        self._check_limits(self.written + size)
        while view:
            if self._piece is None:
                self._piece = self._take_buffer()
            taken = min(PIECE - self._filled, len(view))
            self._piece[self._filled: self._filled + taken] = view[:taken]
            self._filled += taken
            view = view[taken:]
            if self._filled == PIECE:
                self._send_piece()
        self.written += size

    def _check_limits(self, size: int) -> None:
        if size <= self._ceiling:
            return
        limits = self._steps.account_limits
        try:
            limits.check(size, field="remote_path", name=self.path, overwrite=self._overwrite)
        except SocialApiError:
            self.abort()
            raise
        self._ceiling = self._room(limits.info())

    def close(self) -> dict[str, Any]:
        """End the body and wait for the answer; then (a ``202``) for the file to land, and (a throttled name) move
        it into place.

        :return: ``{"path", "size", "md5", "sha256", "operation_id", "status"}`` as Yandex computed them.
        """
        if self._finished:
            raise ValueError(f"the upload of {self.path!r} is closed")
        assert self._thread is not None  # start() ran
        try:
            self._send_piece()
            self._queue.put(_END)
            self._thread.join()
            if self._error is not None:
                self._raise_ended()
            self._finished = True
            return self._settle()
        except BaseException:
            self.abort()
            raise

    def _settle(self) -> dict[str, Any]:
        steps = self._steps
        try:
            if self._status == 202:
                steps.wait_for_upload(self._operation_id, self._upload_path, poll_interval=self._poll_interval,
                                           timeout=self._timeout)
            uploaded = steps.check_uploaded(self._upload_path, self.written)
            if self._throttled:
                steps.move_into_place(self._upload_path, self.path, overwrite=self._overwrite,
                                           md5=uploaded["md5"], poll_interval=self._poll_interval,
                                           timeout=self._timeout)
        except BaseException:
            if self._throttled:
                steps.discard_temporary(self._upload_path)
            raise
        from airflow_provider_social.core.lineage import disk_uri

        # No input to report: the bytes came through write(); the store they were read from reports its read.
        steps.report_lineage(inputs=[], outputs=[disk_uri(steps.conn_id, self.path)])
        return {**uploaded, "path": self.path, "operation_id": self._operation_id if self._status == 202 else None,
                "status": "success"}

    def abort(self) -> None:
        """Break the body off before its last chunk, so the upload host stores nothing; safe to call twice."""
        if self._finished or self._thread is None:
            self._finished = True
            return
        self._finished = True
        while True:  # drop what was not sent, so the body meets the abort marker next
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(_Abort())
        self._thread.join(_ABORT_WAIT)
