"""Media uploads: one-shot images, chunked GIFs and videos (v2 or v1.1), processing status."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    NotFoundError,
    ServerError,
    ValidationError,
    input_error,
)
from airflow_provider_social.core.images import photo_format
from airflow_provider_social.core.sources import MediaSource, media_source
from airflow_provider_social.core.uploads import MultipartStream, check_size
from airflow_provider_social.core.waiting import Poll, WaitRule, wait_for
from airflow_provider_social.hooks.twitter.policy import SERVICE, MediaProcessingError
from airflow_provider_social.hooks.twitter.values import (
    CHUNK_SIZE,
    MAX_PROCESSING_WAIT,
    MEDIA_TYPES,
    MediaFile,
    _id,
)

if TYPE_CHECKING:
    from airflow_provider_social.hooks.twitter.calls import TwitterClient

log = logging.getLogger(__name__)


def check_media_file(path: Any, *, field: str = "media_paths") -> MediaFile:
    """Type and size of one media input, checked before anything is sent to X.

    The type comes from the name's extension; bytes or a file object without a name are typed by their first
    bytes (JPEG, PNG, GIF, WebP, MP4/MOV).

    :param path: a local path, an ``ObjectStoragePath`` or storage URL (``s3://...``), an http(s) URL, bytes or a
        binary file object (see :mod:`airflow_provider_social.core.sources`).
    :param field: the argument named in errors.
    """
    source = media_source(path, field=field, service=SERVICE, limit=max(t[3] for t in MEDIA_TYPES.values()))
    suffix = source.suffix if source.suffix in MEDIA_TYPES else _sniffed_suffix(source)
    if suffix not in MEDIA_TYPES:
        allowed = ", ".join(sorted(MEDIA_TYPES))
        raise input_error(field, f"{source.name}: unsupported file type {source.suffix or '(none)'}; use {allowed}",
                          service=SERVICE)
    kind, media_type, category, limit = MEDIA_TYPES[suffix]
    check_size(source.size, limit, field=field, what=f"{kind} {source.name}", service=SERVICE)
    return MediaFile(source, kind, media_type, category, source.size)


def _sniffed_suffix(source: MediaSource) -> str:
    if source.suffix:  # a name that says another type is refused, not second-guessed
        return source.suffix
    head = source.head(16)
    if head[4:8] == b"ftyp":
        return ".mov" if head[8:10] == b"qt" else ".mp4"
    return {"jpeg": ".jpg", "png": ".png", "gif": ".gif", "webp": ".webp"}.get(photo_format(head) or "", "")


@dataclass(eq=False)
class TwitterMedia:
    """Uploading media and waiting for X to process it.

    :param client: sends the declared calls.
    :param upload_api: the Connection's ``media_upload_api`` (``v2`` or ``v1.1``; checked when an upload starts).
    :param clock: seconds since the epoch (the hook's, injectable).
    :param sleep: the wait between status checks (the hook's, injectable so tests never sleep).
    :param chunk_size: the appended segment size (at most 1000 segments: larger files get larger segments).
    """

    client: TwitterClient
    upload_api: Any
    clock: Callable[[], float]
    sleep: Callable[[float], None]
    chunk_size: int = CHUNK_SIZE

    @property
    def media_upload_api(self) -> str:
        """``v2`` or ``v1.1`` (the Connection's ``media_upload_api``), or an error naming the field."""
        api = str(self.upload_api)
        if api not in ("v2", "v1.1"):
            raise input_error("media_upload_api", f"must be 'v2' or 'v1.1', got {api!r}", service=SERVICE)
        return api

    # ---------------------------------------------------------------------------------------------- media
    def upload_media(self, path: Any, *, media_category: str | None = None,
                     wait: bool = True) -> dict[str, Any]:
        """Upload one file; returns ``{"media_id", "media_key", "kind", "state"}`` (``state`` is ``succeeded``
        once usable). Images go through the one-shot v2 endpoint; GIFs and videos through initialize / append
        (<= 4 MiB segments streamed from disk) / finalize, then, with ``wait``, the processing wait honouring
        ``check_after_secs``. With the Connection's ``media_upload_api: v1.1`` everything goes to
        ``upload.twitter.com`` signed with OAuth 1.0a.

        :param path: the media: a local path, an ``ObjectStoragePath`` or storage URL (``s3://conn@bucket/key``),
            an http(s) URL, bytes or a binary file object; streamed, never read whole into memory.
        :param media_category: X's category (default by type: ``tweet_image``/``tweet_gif``/``tweet_video``).
        :param wait: wait for X to process a GIF or video.
        """
        media = check_media_file(path, field="path")
        category = media_category or media.category
        if self.media_upload_api == "v1.1":
            result = self._upload_v1(media, category)
        elif media.kind == "image":
            result = self._upload_oneshot(media, category)
        else:
            result = self._upload_chunked(media, category)
        if wait and result["state"] in ("pending", "in_progress"):
            result = self.wait_for_media(result["media_id"], result)
        return result

    def _result(self, data: Mapping[str, Any], kind: str) -> dict[str, Any]:
        media_id = str(data.get("id") or data.get("media_id_string") or data.get("media_id"))
        info = data.get("processing_info") or {}
        state = info.get("state", "succeeded")
        result = {"media_id": media_id, "media_key": data.get("media_key"), "kind": kind, "state": state,
                  "check_after_secs": info.get("check_after_secs")}
        if state == "failed":
            error = info.get("error") or {}
            raise MediaProcessingError(
                f"X could not process media {media_id}: {error.get('message') or error.get('name') or 'failed'}",
                service=SERVICE, operation="upload media", api_code=error.get("name"),
                hint="check the file is a valid GIF/MP4 within X's limits (duration, resolution, frame rate)",
            )
        return result

    def _upload_oneshot(self, media: MediaFile, category: str) -> dict[str, Any]:
        boundary = secrets.token_hex(16)

        def body() -> MultipartStream:
            return MultipartStream({"media_category": category}, "media", media.source, boundary=boundary,
                                   filename=media.name, content_type=media.media_type)

        response = self.client.call("upload media", body=body,
                              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._result(response.json()["data"], media.kind)

    def _segments(self, size: int) -> Iterator[tuple[int, int, int]]:
        chunk = max(self.chunk_size, -(-size // 1000))  # at most 1000 segments (indexes 0-999)
        for index, offset in enumerate(range(0, size, chunk)):
            yield index, offset, min(chunk, size - offset)

    def _upload_chunked(self, media: MediaFile, category: str) -> dict[str, Any]:
        # initialize only creates an id that expires unused, so repeating it after a 5xx is harmless.
        init = self.client.call("initialize", json={"media_type": media.media_type, "total_bytes": media.size,
                                                "media_category": category}).json()["data"]
        media_id = str(init["id"])
        for index, offset, length in self._segments(media.size):
            self._append("append", {"segment_index": index}, media, offset, length,
                         path_params={"media_id": media_id})
        return self._finalize(media_id, media.kind, lambda: self.client.call(
            "finalize", path_params={"media_id": media_id}).json()["data"])

    def _finalize(self, media_id: str, kind: str, finalize: Callable[[], dict[str, Any]]) -> dict[str, Any]:
        """FINALIZE once. It is not idempotent: X refuses a second FINALIZE of a finished upload, so after a lost
        answer (or a 5xx, after which it may have taken effect) the hook asks STATUS and continues from there; only
        when X says the upload is not finalized is FINALIZE sent once more."""
        try:
            return self._result(finalize(), kind)
        except ServerError as lost:
            log.warning("X finalize media upload %s: %s; asking its status before anything else", media_id,
                        lost.api_message)
            try:
                status = self.get_media_status(media_id)
            except (ValidationError, NotFoundError):
                return self._result(finalize(), kind)  # X knows no finished upload: the FINALIZE never took effect
            return {**status, "kind": kind}

    def _append(self, key: str, fields: dict[str, Any], media: MediaFile, offset: int, length: int, *,
                path_params: dict[str, Any] | None = None) -> None:
        boundary = secrets.token_hex(16)

        def body() -> MultipartStream:
            return MultipartStream(fields, "media", media.source, offset=offset, length=length, boundary=boundary)

        # Re-sending a segment index replaces it, so appends are safe to retry (declared so in the call table).
        self.client.call(key, path_params=path_params, body=body,
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}).close()

    def _upload_v1(self, media: MediaFile, category: str) -> dict[str, Any]:
        init = self.client.call("initialize v1.1", data={"command": "INIT", "total_bytes": media.size,
                                                   "media_type": media.media_type, "media_category": category}).json()
        media_id = str(init["media_id_string"])
        for index, offset, length in self._segments(media.size):
            self._append("append v1.1", {"command": "APPEND", "media_id": media_id, "segment_index": index}, media,
                         offset, length)
        return self._finalize(media_id, media.kind, lambda: self.client.call(
            "finalize v1.1", data={"command": "FINALIZE", "media_id": media_id}).json())

    def get_media_status(self, media_id: str | int) -> dict[str, Any]:
        """The media's processing state: ``{"media_id", "media_key", "kind", "state", "check_after_secs"}``;
        raises :class:`MediaProcessingError` when X reports ``failed``.

        :param media_id: the uploaded media.
        """
        media_id = _id(media_id, "media_id")
        if self.media_upload_api == "v1.1":
            data = self.client.call("media status v1.1", params={"command": "STATUS", "media_id": media_id}).json()
        else:
            data = self.client.call("media status", params={"command": "STATUS", "media_id": media_id}).json()["data"]
        return self._result(data, "")

    def wait_for_media(self, media_id: str, last: Mapping[str, Any] | None = None, *,
                       max_wait: float = MAX_PROCESSING_WAIT) -> dict[str, Any]:
        """Poll until X has processed the media, sleeping ``check_after_secs`` between polls (never busy-waits).

        Follows :func:`media_rule` (the trigger's rule too) with the hook's ``sleep`` and ``clock``.

        :param media_id: the uploaded media.
        :param last: a status already read (the upload's answer), used as the first check.
        :param max_wait: give up after this many seconds.
        """
        status = dict(last) if last else self.get_media_status(media_id)
        kind = status.get("kind", "")

        def check() -> Poll:
            return media_poll({**self.get_media_status(media_id), "kind": kind})

        return dict(wait_for(check, media_rule(max_wait), what=f"media {media_id}", service=SERVICE,
                             operation="wait for media processing",
                             hint="use deferrable=True to wait in the triggerer, or raise max_wait",
                             sleep=self.sleep, clock=self.clock, first=media_poll(status)))


def media_poll(status: Mapping[str, Any]) -> Poll:
    """A media status as the shared wait reads it: done unless ``pending``/``in_progress``; X's
    ``check_after_secs`` is the advised next wait.

    :param status: what :meth:`TwitterMedia.get_media_status` returned.
    """
    state = str(status.get("state"))
    advice = status.get("check_after_secs") or None
    return Poll(done=state not in ("pending", "in_progress"), value=status, advice=advice, state=state)


def media_rule(timeout: float | None, poll_interval: float | None = None) -> WaitRule:
    """How hooks and triggers wait for X's processing: ``check_after_secs`` when X gives it (else 1 s), or a fixed
    ``poll_interval``; never past ``timeout``.

    :param timeout: the bound in seconds, or None.
    :param poll_interval: a fixed interval that overrides X's advice.
    """
    if poll_interval is not None:
        return WaitRule(interval=poll_interval, timeout=timeout, honour_advice=False, minimum=min(0.1, poll_interval))
    return WaitRule(interval=1.0, timeout=timeout)
