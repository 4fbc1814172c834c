"""Photos for group topics: ``photosV2.getUploadUrl``, then one streamed multipart POST to the link OK hands out.

The link is a credential (its ``apiToken`` lets anyone upload) and is used once: a failed upload is retried from a
fresh link, the two steps repeated as one attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from airflow_provider_social.core.errors import ServerError, SocialApiError, input_error
from airflow_provider_social.core.http import RetryableError
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.uploads import MultipartFiles
from airflow_provider_social.hooks.ok import calls
from airflow_provider_social.hooks.ok.posting import SERVICE, Photo, check_photos

if TYPE_CHECKING:
    from airflow_provider_social.hooks.ok.client import OkClient
    from airflow_provider_social.hooks.ok.groups import OkGroups


class OkPhotos:
    """Uploads photos for a group's topics.

    :param client: sends OK's declared calls.
    :param groups: resolves the group (the connection's by default).
    """

    def __init__(self, client: OkClient, groups: OkGroups) -> None:
        self.client = client
        self.groups = groups

    def upload_photos(self, paths: Any, *, group_id: Any = None
                      ) -> list[dict[str, str]]:
        """Upload photos for a group topic: ``photosV2.getUploadUrl`` then one streamed multipart POST of
        ``pic1..picN``; returns ``[{"photo_id", "token"}]`` in order (the tokens go into ``post_to_group``).

        A failed upload is retried from a fresh upload URL (the URL is single use and expires).

        :param paths: images (JPEG, PNG, GIF, BMP, WebP; at most 50 MiB each): local paths, ``ObjectStoragePath``
            or storage URLs, http(s) URLs, bytes or binary file objects; streamed.
        :param group_id: the group the photos are for; None for the Connection's ``group_id``."""
        photos = check_photos(paths, "paths")
        if not photos:
            raise input_error("paths", "at least one photo is required", service=SERVICE)
        return self.upload(photos, self.groups.group_id(group_id))

    def upload(self, photos: Sequence[Photo], gid: str) -> list[dict[str, str]]:
        """Upload checked photos for group ``gid``; ``[{"photo_id", "token"}]`` in order.

        :param photos: photos from :func:`~airflow_provider_social.hooks.ok.posting.check_photos`.
        :param gid: the group (checked)."""
        refused_urls: list[SocialApiError] = []

        def attempt() -> list[dict[str, str]]:
            target = self.client.call("photosV2.getUploadUrl", retries=False, gid=gid, count=len(photos))
            ids = list(target["photo_ids"])
            register_secret(target["upload_url"], "upload_url")  # its apiToken lets anyone upload
            for name, value in parse_qsl(urlsplit(target["upload_url"]).query):
                if name.lower() == "apitoken":  # urllib3 logs the path and query without the host
                    register_secret(value, "upload_url apiToken")
            files = [(f"pic{n}", p.source, p.name, p.content_type) for n, p in enumerate(photos, 1)]
            body = MultipartFiles(files)
            try:
                answer = self.client.send(calls.UPLOAD, url=target["upload_url"], retries=False,
                                          body=lambda: MultipartFiles(files, boundary=body.boundary),
                                          headers={"Content-Type": body.content_type})
            except RetryableError as failed:
                # The URL is spent or dead, but the next attempt asks for a fresh one: repeating is safe.
                raise RetryableError(failed.error, failed.wait, safe_to_repeat=True) from None
            except SocialApiError as refused:
                # Tolerant (the upload host's errors are UNCONFIRMED): a URL that expired or was already used is
                # refused with an API error, so the first refusal is retried once from a fresh URL; a second one
                # (e.g. a file OK will not take) is final.
                if refused_urls:
                    raise
                refused_urls.append(refused)
                raise RetryableError(refused, safe_to_repeat=True) from None
            uploaded = answer.get("photos") or {}
            missing = [pid for pid in ids if pid not in uploaded or not uploaded[pid].get("token")]
            if missing:
                raise RetryableError(ServerError(f"the upload answer lacks {len(missing)} of {len(ids)} photos",
                                                 service=SERVICE, operation="upload photos"))
            return [{"photo_id": pid, "token": str(uploaded[pid]["token"])} for pid in ids]

        return self.client.with_retries("upload photos", attempt)
