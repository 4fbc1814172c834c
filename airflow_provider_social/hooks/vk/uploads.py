"""VK's three-step uploads: get an upload URL, POST the file(s) as streamed multipart, save what came back.

Field names and shapes (reference 1.7): wall photos ``photo``; album photos ``file1``..``file5`` (at most 5 per
request; more are sent in several requests); story images, documents ``file``; video ``video_file``. Each attempt
runs all three steps, so a retry starts from a fresh, single-use upload URL. Upload URLs are credentials of a
kind: only their host is ever logged.

An upload URL expires (VK does not say when, UNCONFIRMED) and serves one upload; VK's upload host answers an
expired or used URL with a ``{"error": ...}`` body like a refused file (UNCONFIRMED which text), so the first
refusal of each upload is retried once from a fresh URL (:class:`~airflow_provider_social.core.uploads.
RefusedLinkRetry`, shared with OK) and a second one is final.

A lost ``photos.saveWallPhoto`` (or ``photos.save``) answer is not blindly re-sent (VK does not document whether
a repeated save of the same ``server``/``photo``/``hash`` returns the saved photo or a second one, UNCONFIRMED;
the sandbox refuses it with 121, the stricter reading). The album is read instead (``photos.get``, newest first):
the photos saved by the lost call (dated within the call's time, with its caption, one per file and of its shape)
are used; when there are none, nothing was saved and the attempt is repeated from a fresh URL; when they do not
match, nothing is guessed.

A poll's background photo (``polls.getPhotoUploadServer`` -> POST ``photo`` -> ``polls.savePhoto``) is saved as an
object of its own that nothing shows until ``polls.create`` names it. A lost ``polls.savePhoto`` answer therefore
repeats the whole attempt from a fresh URL (VK has no method that lists saved poll photos to look it up): the
retry uploads and saves the file again, and a background the lost call may have saved stays unused and unseen. No
poll and no post is made twice.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import ServerError, SocialApiError, input_error
from airflow_provider_social.core.http import RetryableError
from airflow_provider_social.core.uploads import MultipartFiles, RefusedLinkRetry
from airflow_provider_social.hooks.vk.checks import check_link, text_value
from airflow_provider_social.hooks.vk.files import (
    STORY_MAX_BYTES,
    LocalFile,
    check_document,
    check_photo,
    check_video,
)
from airflow_provider_social.hooks.vk.policy import SERVICE, UploadRejected, VkUploadPolicy

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi

ALBUM_BATCH = 5
#: Seconds of clock difference allowed between this machine and VK when a lost save is looked up by its date.
SAVE_CLOCK_SKEW = 300
#: A poll's background photo: at least this wide and high (vksdk's ``UploadPollsPhoto``, quoting VK's upload
#: guide: "minimum photo size 795x200px", recommended 1590x400; VK's current pages were not readable here,
#: UNCONFIRMED), besides the wall-photo limits.
POLL_PHOTO_MIN_WIDTH = 795
POLL_PHOTO_MIN_HEIGHT = 200
#: How many of the wall album's newest photos are read to find a photo whose save answer was lost.
SAVED_LOOKUP_COUNT = 50
STORY_LINK_TEXTS = frozenset({
    "to_store", "vote", "more", "book", "order", "enroll", "fill", "signup", "buy", "ticket", "write", "open",
    "learn_more", "view", "go_to", "contact", "watch", "play", "install", "read",
})  # vk_api's STORY_ALLOWED_LINK_TEXTS


def upload_call(name: str) -> ApiCall:
    # Repeating the POST is harmless (nothing is saved yet); the whole flow retries with a fresh URL anyway.
    return ApiCall(name, "POST", "", token=None, idempotent=True, signed_url=True, policy=VkUploadPolicy())


class VkUploads:
    """Photo, album, story, video and document uploads: each attempt gets a fresh upload URL, posts the file(s)
    as streamed multipart and saves what came back.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    :param clock: the current time (epoch seconds), to find a photo whose save answer was lost.
    """

    def __init__(self, api: VkApi, *, group: Callable[[Any], int], clock: Callable[[], float] | None = None) -> None:
        import time

        self.api = api
        self.group = group
        self.clock = clock or time.time

    def post_files(self, upload_url: str, files: Sequence[tuple[str, LocalFile]], operation: str,
                   refusals: RefusedLinkRetry | None = None) -> Any:
        """One POST of ``files`` to an upload URL VK handed out; returns the host's JSON answer.

        :param upload_url: the single-use upload URL (a credential: only its host is logged).
        :param files: ``(multipart field, file)`` pairs.
        :param operation: the action named in errors.
        :param refusals: the upload's refusal count, kept across its attempts: the host's first refusal (an expired
            or used URL reads like a refused file) asks for another attempt from a fresh URL. None: one try.
        """
        if not upload_url:
            raise ServerError("VK gave no upload_url", service=SERVICE, operation=operation)
        body = MultipartFiles([(name, local.source, _safe_name(local.name), local.content_type)
                               for name, local in files])

        def send() -> Any:
            return self.api.send(upload_call(operation), url=upload_url, retries=False, body=lambda: body,
                                 headers={"Content-Type": body.content_type})

        if refusals is None:
            return send()
        try:
            return refusals.send(send)
        except UploadRejected as refused:
            refused.hint = ("refused again from a fresh upload URL, so not an expired one: check the file's format "
                            "and limits (docs/services/vk.md, Limits)")
            raise

    # ---------------------------------------------------------------------------------------------- photos
    def upload_wall_photos(self, paths: Sequence[Any], *, group_id: Any = None,
                           caption: str | None = None) -> list[dict[str, Any]]:
        """Upload photos for a wall post (user token): returns the saved photos, each with ``attachment``
        (``photo<owner>_<id>``) ready for :meth:`create_post`.

        :param paths: images (JPG/PNG/GIF, at most 50 MB, width + height at most 14000, sides up to 1:20): local
            paths, ``ObjectStoragePath`` or storage URLs, http(s) URLs, bytes or binary file objects.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param caption: a caption for each photo.
        """
        files = [check_photo(p, field="photos", operation="upload wall photo") for p in paths]
        caption = check_caption(caption)
        gid = self.group(group_id)

        def one(local: LocalFile, refusals: RefusedLinkRetry) -> list[dict[str, Any]]:
            server = self.api.step("photos.getWallUploadServer", group_id=gid)
            uploaded = self.post_files(server.get("upload_url"), [("photo", local)], "upload wall photo", refusals)
            sent_at = self.clock()
            try:
                return self.api.step("photos.saveWallPhoto", group_id=gid, server=uploaded.get("server"),
                                     photo=uploaded.get("photo"), hash=uploaded.get("hash"), caption=caption)
            except RetryableError as lost:
                if lost.safe_to_repeat:
                    raise
                return self.saved_photos(gid, "wall", [local], caption, sent_at, lost.error)

        saved: list[dict[str, Any]] = []
        for local in files:
            saved.extend(self.api.with_retries("upload wall photo", partial(one, local, RefusedLinkRetry())))
        return [with_attachment(photo, "photo") for photo in saved]

    def saved_photos(self, gid: int, album: str | int, files: Sequence[LocalFile], caption: str | None,
                     sent_at: float, lost: SocialApiError) -> list[dict[str, Any]]:
        """The photos a save (``photos.saveWallPhoto``, ``photos.save``) whose answer was lost saved, read back from
        the album (``photos.get``): photos dated within the call's time, with its caption, as many as ``files``
        and each of its file's shape, in order.

        Raises a RetryableError (safe to repeat from a fresh URL) when no such photo exists, and ``lost`` with a
        hint when the photos there do not tell which ones the save made.

        :param gid: the community.
        :param album: the album: ``"wall"`` or its id.
        :param files: the uploaded files (their shapes are compared).
        :param caption: the caption the save carried.
        :param sent_at: when the save was sent (this machine's clock).
        :param lost: the error that lost the answer.
        """
        answer = self.api.call("photos.get", owner_id=-gid, album_id=album, rev=1, count=SAVED_LOOKUP_COUNT)
        items = answer.get("items", []) if isinstance(answer, dict) else []
        earliest, latest = sent_at - SAVE_CLOCK_SKEW, self.clock() + SAVE_CLOCK_SKEW
        found = sorted((photo for photo in items if isinstance(photo, dict)
                        and earliest <= int(photo.get("date") or 0) <= latest
                        and (photo.get("text") or "") == (caption or "")
                        and any(same_shape(photo, local) for local in files)),
                       key=lambda photo: int(photo.get("id") or 0))
        if not found:
            raise RetryableError(lost, safe_to_repeat=True)  # nothing was saved: a fresh upload is safe
        if len(found) == len(files) and all(same_shape(p, f) for p, f in zip(found, files, strict=True)):
            return [dict(photo) for photo in found]
        shown = ", ".join(f"photo{p.get('owner_id')}_{p.get('id')}" for p in found)
        lost.hint = (f"the save's answer was lost and {len(found)} recent photos could be the {len(files)} it saved "
                     f"({shown}); not re-sent, to add no orphan photo: check the community's photos")
        raise lost

    def upload_album_photos(self, album_id: int | str, paths: Sequence[Any], *,
                            group_id: Any = None, caption: str | None = None,
                            on_saved: Callable[[list[dict[str, Any]]], None] | None = None) -> list[dict[str, Any]]:
        """Upload photos into an album (user token), at most 5 per request: larger sets go in several.

        :param album_id: the album's id.
        :param paths: images (JPG/PNG/GIF, at most 50 MB, width + height at most 14000, sides up to 1:20): local
            paths, ``ObjectStoragePath`` or storage URLs, http(s) URLs, bytes or binary file objects.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param caption: a caption for each photo.
        :param on_saved: called with each request's saved photos (``attachment`` set) as soon as VK stored them, so
            a caller interrupted later (a wait, a failure) knows which photos are in the album already.
        """
        if not str(album_id).lstrip("-").isdigit():
            raise input_error("album_id", f"expected a numeric album id, got {album_id!r}", service=SERVICE)
        files = [check_photo(p, field="photos", operation="upload album photos") for p in paths]
        if not files:
            raise input_error("photos", "give at least one photo", service=SERVICE)
        caption = check_caption(caption)
        gid = self.group(group_id)

        def one(group: list[LocalFile], refusals: RefusedLinkRetry) -> list[dict[str, Any]]:
            server = self.api.step("photos.getUploadServer", album_id=album_id, group_id=gid)
            fields = [(f"file{n}", local) for n, local in enumerate(group, start=1)]
            uploaded = self.post_files(server.get("upload_url"), fields, "upload album photos", refusals)
            sent_at = self.clock()
            try:
                return self.api.step("photos.save", album_id=album_id, group_id=gid, server=uploaded.get("server"),
                                     photos_list=uploaded.get("photos_list"), hash=uploaded.get("hash"),
                                     caption=caption)
            except RetryableError as lost:
                if lost.safe_to_repeat:
                    raise
                return self.saved_photos(gid, album_id, group, caption, sent_at, lost.error)

        saved: list[dict[str, Any]] = []
        for start in range(0, len(files), ALBUM_BATCH):
            group = files[start : start + ALBUM_BATCH]
            batch = [with_attachment(photo, "photo")
                     for photo in self.api.with_retries("upload album photos", partial(one, group, RefusedLinkRetry()))]
            saved.extend(batch)
            if on_saved is not None:
                on_saved(batch)
        return saved

    # ---------------------------------------------------------------------------------------------- polls
    def upload_poll_photo(self, path: Any, *, group_id: Any = None) -> dict[str, Any]:
        """Upload a poll's background photo for the community (user token): returns the saved background
        (``id`` is ``polls.create``'s ``photo_id``).

        :param path: an image (JPG/PNG/GIF, at least 795 x 200 px, at most 50 MB, width + height at most 14000):
            a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a binary file object.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        local = check_poll_photo(path)
        gid = self.group(group_id)
        refusals = RefusedLinkRetry()

        def attempt() -> dict[str, Any]:
            server = self.api.step("polls.getPhotoUploadServer", owner_id=-gid)
            uploaded = self.post_files(server.get("upload_url"), [("photo", local)], "upload poll photo", refusals)
            try:
                return self.api.step("polls.savePhoto", photo=uploaded.get("photo"), hash=uploaded.get("hash"))
            except RetryableError as lost:
                # The upload is single-use: a lost save is repeated from a fresh URL (see the module docstring).
                raise RetryableError(lost.error, lost.wait, safe_to_repeat=True) from None

        return dict(self.api.with_retries("upload poll photo", attempt))

    # ---------------------------------------------------------------------------------------------- stories
    def create_story(self, path: Any, *, group_id: Any = None, link_text: str | None = None,
                     link_url: str | None = None, add_to_news: bool = True) -> dict[str, Any]:
        """Publish an image story in the community (community or user token), optionally with a link button.

        :param link_text: the button's text key (``learn_more``, ``open``, ``buy``, ...); needs ``link_url``.
        :param link_url: where the button goes (a vk.com / vk.ru link).
        :param path: the file: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a
            binary file object.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param add_to_news: show the story in the news feed (default True).
        """
        local = check_photo(path, field="path", max_bytes=STORY_MAX_BYTES, operation="create story")
        if bool(link_text) != bool(link_url):
            raise input_error("link_text" if link_url else "link_url", "a story link needs both link_text and "
                              "link_url", service=SERVICE)
        if link_text and (not isinstance(link_text, str) or link_text not in STORY_LINK_TEXTS):
            raise input_error("link_text", f"must be one of {', '.join(sorted(STORY_LINK_TEXTS))}; got "
                              f"{link_text!r}", service=SERVICE)
        if link_url:
            check_link(link_url, field="link_url")
        gid = self.group(group_id)
        refusals = RefusedLinkRetry()

        def attempt() -> dict[str, Any]:
            server = self.api.step("stories.getPhotoUploadServer", group_id=gid, add_to_news=add_to_news,
                                link_text=link_text, link_url=link_url)
            uploaded = self.post_files(server.get("upload_url"), [("file", local)], "upload story", refusals)
            # dev.vk.com shows {"response": {"upload_result": ...}}; a bare upload_result is read too (tolerant).
            inner = uploaded.get("response") if isinstance(uploaded.get("response"), dict) else uploaded
            result = inner.get("upload_result")
            if not result:
                raise UploadRejected("the story upload returned no upload_result", service=SERVICE,
                                     operation="upload story")
            return self.api.step("stories.save", upload_results=result)

        saved = self.api.with_retries("create story", attempt)
        items = saved.get("items") or []
        story = items[0] if items else {}
        return {"story_id": story.get("id"), "owner_id": story.get("owner_id"), "count": saved.get("count")}

    # ---------------------------------------------------------------------------------------------- video
    def upload_video(self, path: Any = None, *, link: str | None = None,
                     name: str | None = None, description: str | None = None, group_id: Any = None,
                     album_id: int | None = None, wallpost: bool = False, is_private: bool = False) -> dict[str, Any]:
        """Upload a video file (or register an external ``link``) to the community (user token).

        :param path: the file: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a
            binary file object.
        :param link: an external video link to register instead of a file.
        :param name: the video's name (at most 128 characters).
        :param description: the description.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param album_id: the album's id.
        :param wallpost: also post the video to the community wall.
        :param is_private: a private video (for messages).
        """
        if (path is None) == (link is None):
            raise input_error("path", "give either a video file path or a link, not both", service=SERVICE)
        local = check_video(path) if path is not None else None
        if link is not None:
            check_link(link)
        name = text_value(name, field="name", max_len=128)
        description = text_value(description, field="description", max_len=5000)
        gid = self.group(group_id)
        refusals = RefusedLinkRetry()

        def attempt() -> dict[str, Any]:
            saved = dict(self.api.step("video.save", name=name, description=description, group_id=gid,
                                    album_id=album_id, wallpost=wallpost, is_private=is_private, link=link))
            url = saved.pop("upload_url", None)
            if local is not None:
                saved.update(self.post_files(url, [("video_file", local)], "upload video", refusals))
            return saved

        video = self.api.with_retries("upload video", attempt)
        owner, vid = video.get("owner_id"), video.get("video_id")
        video["attachment"] = f"video{owner}_{vid}" if owner is not None and vid is not None else None
        return video

    # ---------------------------------------------------------------------------------------------- documents
    def upload_document(self, path: Any, *, title: str | None = None,
                        tags: Sequence[str] | None = None, group_id: Any = None) -> dict[str, Any]:
        """Upload a document to the community wall's documents (``docs.getWallUploadServer``; either token).

        :param path: the file: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a
            binary file object.
        :param title: the title.
        :param tags: tags of the document.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        local = check_document(path)
        gid = self.group(group_id)
        refusals = RefusedLinkRetry()

        def attempt() -> dict[str, Any]:
            server = self.api.step("docs.getWallUploadServer", group_id=gid)
            uploaded = self.post_files(server.get("upload_url"), [("file", local)], "upload document", refusals)
            return self.api.step("docs.save", file=uploaded.get("file"), title=title or local.name, tags=tags)

        saved = self.api.with_retries("upload document", attempt)
        doc = dict(saved.get("doc") or saved)
        if doc.get("owner_id") is not None and doc.get("id") is not None:
            doc["attachment"] = f"doc{doc['owner_id']}_{doc['id']}"
        return doc


MAX_CAPTION = 2048  # photos.save / photos.saveWallPhoto caption (the sandbox's limit too)


def check_caption(caption: Any) -> str | None:
    """A photo caption: text of at most :data:`MAX_CAPTION` characters, or None."""
    return text_value(caption, field="caption", max_len=MAX_CAPTION)


def check_poll_photo(path: Any, *, field: str = "poll.photo") -> LocalFile:
    """A poll background VK will accept (the wall-photo limits and at least
    :data:`POLL_PHOTO_MIN_WIDTH` x :data:`POLL_PHOTO_MIN_HEIGHT` px), checked before any upload; a file checked
    before is returned as it is."""
    if isinstance(path, LocalFile):
        return path
    local = check_photo(path, field=field, operation="upload poll photo")
    if local.width < POLL_PHOTO_MIN_WIDTH or local.height < POLL_PHOTO_MIN_HEIGHT:
        raise input_error(field, f"{local.name} is {local.width}x{local.height}: a poll photo needs at least "
                          f"{POLL_PHOTO_MIN_WIDTH}x{POLL_PHOTO_MIN_HEIGHT} px", service=SERVICE,
                          operation="upload poll photo")
    return local


def same_shape(photo: dict[str, Any], local: LocalFile) -> bool:
    """Whether a VK photo object has the uploaded file's proportions (VK scales its copies, never crops the
    original: ``orig_photo`` or the largest of ``sizes`` keeps the ratio within rounding)."""
    sizes = [s for s in [photo.get("orig_photo"), *(photo.get("sizes") or [])] if isinstance(s, dict)]
    biggest = max(sizes, key=lambda s: int(s.get("width") or 0) * int(s.get("height") or 0), default=None)
    if biggest is None or not local.width or not local.height:
        return True  # nothing to compare: the date and caption decide
    width, height = int(biggest.get("width") or 0), int(biggest.get("height") or 0)
    if not width or not height:
        return True
    return abs(width * local.height - height * local.width) <= max(width, height, local.width, local.height)


def _safe_name(name: str) -> str:
    return name.replace('"', "_").replace("\r", "_").replace("\n", "_")


def with_attachment(obj: dict[str, Any], kind: str) -> dict[str, Any]:
    out = dict(obj)
    if out.get("owner_id") is not None and out.get("id") is not None:
        out["attachment"] = f"{kind}{out['owner_id']}_{out['id']}"
    return out


__all__ = ["ALBUM_BATCH", "POLL_PHOTO_MIN_HEIGHT", "POLL_PHOTO_MIN_WIDTH", "STORY_LINK_TEXTS", "VkUploadPolicy",
           "VkUploads", "check_poll_photo", "same_shape", "upload_call", "with_attachment"]
