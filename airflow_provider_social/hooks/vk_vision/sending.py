"""Images on their way to the service: checked before anything is sent, read from Yandex Disk, sent in batches
within the per-request limits (:func:`.images.batches`), and sent again on their own after a temporary per-image
error (status 2); a permanent one (status 1) is the image's result.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ValidationError, input_error

from .images import MAX_IMAGE_BYTES, SOLO_IMAGE_BYTES, ImageInput, ImageSource, batches, checked_bytes, parse_inputs
from .params import SERVICE

if TYPE_CHECKING:
    from .client import VisionClient
    from .results import Extract, Record

log = logging.getLogger(__name__)


class VisionImages:
    """Prepares and sends the images of every call.

    :param client: sends Vision's declared calls.
    :param yandex_disk_conn_id: a ``yandex_disk`` connection for ``disk:/...`` images (None: such images are
        refused before anything is sent).
    :param max_image_attempts: sends of an image the service keeps answering with per-image status 2 (with
        ``resend_on_lost_answer`` only).
    :param resend_on_lost_answer: send an image answered with status 2 again. Whether the service bills a status 2
        is UNCONFIRMED (reference section 2 is silent), so the strict reading counts it as billed: by default it is
        the image's result, not sent again.
    :param clock: seconds since the epoch (handed to the Yandex Disk hook).
    :param sleep: the wait between sends (and the Yandex Disk hook's).
    :param backoff: seconds to wait before the next send, by attempt number (the connection's retry policy).
    """

    def __init__(self, client: VisionClient, *, yandex_disk_conn_id: str | None, max_image_attempts: int,
                 clock: Callable[[], float], sleep: Callable[[float], None], backoff: Callable[[int], float],
                 resend_on_lost_answer: bool = False) -> None:
        self.client = client
        self.resend_on_lost_answer = resend_on_lost_answer
        self.yandex_disk_conn_id = yandex_disk_conn_id
        self.max_image_attempts = max_image_attempts
        self.clock = clock
        self.sleep = sleep
        self.backoff = backoff

    def prepare(self, images: Sequence[ImageInput] | ImageInput) -> list[ImageSource]:
        """Every image checked as far as can be without the network, and the credentials' presence.

        :param images: local paths, ``disk:/...`` paths, bytes or ``(name, bytes)``."""
        sources = parse_inputs(images)
        if any(s.disk_path for s in sources) and not self.yandex_disk_conn_id:
            raise input_error("yandex_disk_conn_id", "images on Yandex Disk (disk:/...) need a yandex_disk "
                              "connection", service=SERVICE)
        self.client.check_credentials()
        return sources

    def recognise(self, key: str, sources: list[ImageSource], meta: dict[str, Any], extract: Extract,
                  image_meta: Callable[[ImageSource], dict[str, Any]] | None = None) -> dict[str, Record]:
        """Send every image (in batches), resend those answered with status 2; the record of each by name.

        :param key: the declared call (:data:`.calls.CALLS`).
        :param sources: images from :meth:`prepare`.
        :param meta: the call's ``meta`` (the images' entries are added).
        :param extract: reads an answer into records by image part.
        :param image_meta: more fields of an image's ``meta`` entry (e.g. its ``person_id``)."""
        records: dict[str, Record] = {}
        pending = self._download(sources)
        for attempt in range(self.max_image_attempts):
            temporary: list[ImageSource] = []
            for group in batches(pending):
                parts = [(f"file_{index}", source) for index, source in enumerate(group)]
                entries = [{"name": part, **(image_meta(source) if image_meta else {})} for part, source in parts]
                try:
                    answer = self.client.post(key, {**meta, "images": entries}, parts)
                except ValidationError as exc:
                    if len(group) > 1 or group[0].size <= SOLO_IMAGE_BYTES:
                        raise
                    # An image over 4 MB, sent alone: the per-endpoint pages' limit may hold (UNCONFIRMED).
                    records[group[0].name] = (1, exc.api_message, {})
                    continue
                found = extract(answer)
                for part, source in parts:
                    record = found.get(part, (1, "the service's answer does not mention this image", {}))
                    records[source.name] = record
                    if record[0] == 2:
                        temporary.append(source)
            if not temporary:
                break
            if not self.resend_on_lost_answer:
                for source in temporary:
                    status, error, payload = records[source.name]
                    records[source.name] = (1, f"{error or 'temporary error'} (status 2); not sent again: the "
                                            "request may have been billed (set resend_on_lost_answer=True to resend)",
                                            payload)
                break
            pending = temporary
            if attempt + 1 < self.max_image_attempts:
                log.warning("%d image(s) had a temporary error; sending them again", len(temporary))
                self.sleep(self.backoff(attempt))
        return records

    def _download(self, sources: list[ImageSource]) -> list[ImageSource]:
        if not any(s.disk_path for s in sources):
            return sources
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        disk = YandexDiskHook(self.yandex_disk_conn_id, clock=self.clock, sleep=self.sleep)
        return [checked_bytes(s.name, disk.read_bytes(s.disk_path, max_size=MAX_IMAGE_BYTES), "images")
                if s.disk_path else s for s in sources]
