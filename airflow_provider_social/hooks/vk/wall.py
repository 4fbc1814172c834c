"""The community wall: posts (text, photos, video, poll, link; scheduled; composite), delete, repost, comments, polls.

Parameter names from VK's schema (wall/methods.json, polls/methods.json, 5.199). ``wall.post`` needs a user token
(a community admin's). A post carries a ``guid`` ("a unique identifier meant to prevent repeated sending of an
identical post", reference 1.6), so a lost answer is repeated safely and a retried task posts once.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.checks import (
    check_attachment,
    check_link,
    positive_id,
    shown,
    text_value,
    unix_time,
)
from airflow_provider_social.hooks.vk.connection import SERVICE_NAME as SERVICE
from airflow_provider_social.hooks.vk.files import check_photo, check_video
from airflow_provider_social.hooks.vk.uploads import check_poll_photo

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.calls import VkApi
    from airflow_provider_social.hooks.vk.uploads import VkUploads

MAX_MEDIA = 10
MAX_POLL_ANSWERS = 10
MAX_POLL_QUESTION = 255  # what polls.create takes (the sandbox's limit; VK's docs give none, UNCONFIRMED)
MAX_POST_TEXT = 16384  # wall.post / wall.createComment message (VK's post editor limit; the sandbox's too)
def check_mark_as_ads(mark_as_ads: Any, *, from_group: Any) -> None:
    """``mark_as_ads`` is a flag, and only for a post published on behalf of the community (VK: "a post published
    on behalf of a community gets the label 'this is advertising'")."""
    if mark_as_ads is not None and not isinstance(mark_as_ads, bool):
        raise input_error("mark_as_ads", f"expected True or False, got {shown(mark_as_ads)}", service=SERVICE)
    if mark_as_ads and not from_group:
        raise input_error("mark_as_ads", "only a post published on behalf of the community can be marked as "
                          "advertising: set from_group=True", service=SERVICE)


def post_url(group_id: int, post_id: int | str) -> str:
    """The post's page: ``https://vk.com/wall-<group>_<post>``."""
    return f"https://vk.com/wall-{group_id}_{post_id}"


_REPOST_RE = re.compile(r"^(?:wall|photo|video)-?\d+_\d+$")


class VkWall:
    """Wall posts, comments, reposts and polls of the community.

    :param api: the VK API client.
    :param uploads: uploads photos and videos a post carries.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    :param clock: the current time (epoch seconds), to refuse a scheduled post in the past.
    """

    def __init__(self, api: VkApi, *, uploads: VkUploads, group: Callable[[Any], int],
                 clock: Callable[[], float]) -> None:
        self.api = api
        self.uploads = uploads
        self.group = group
        self.clock = clock

    # ---------------------------------------------------------------------------------------------- posts
    def create_post(
        self,
        message: str | None = None,
        *,
        photos: Any = (),
        video: Any = None,
        poll: Mapping[str, Any] | None = None,
        link: str | None = None,
        attachments: Sequence[str] = (),
        group_id: Any = None,
        from_group: bool = True,
        publish_date: datetime | int | None = None,
        copyright: str | None = None,
        guid: str | None = None,
        signed: bool | None = None,
        close_comments: bool | None = None,
        mute_notifications: bool | None = None,
        mark_as_ads: bool | None = None,
    ) -> dict[str, Any]:
        """Post to the community wall (user token of a community admin).

        :param message: the text (required when there is nothing attached).
        :param photos: images, uploaded first (at most 10 photos and videos together): local paths,
            ``ObjectStoragePath`` or storage URLs, http(s) URLs, bytes or binary file objects.
        :param video: a video file from any of those sources, uploaded first.
        :param poll: ``{"question", "answers": [...], "is_anonymous", "is_multiple", "end_date", "photo"}``: created
            first; ``photo`` (any of the sources above) is uploaded as the poll's background.
        :param link: one external link attached to the post.
        :param attachments: existing objects (``photo-1_2``, ``video-1_3``, ``poll-1_4``, ``doc-1_5``).
        :param from_group: post as the community (default) rather than as the admin.
        :param publish_date: schedule the post (aware datetime or unix time in the future).
        :param copyright: the source link shown under the post.
        :param guid: no-double-post key: the same guid within an hour gives the same post. Operators derive it
            from the task instance.
        :return: ``{"post_id", "owner_id", "url", "attachments"}``.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param signed: sign the community post with the admin's name.
        :param close_comments: close comments on the post.
        :param mute_notifications: no notifications about the post.
        :param mark_as_ads: label the post "advertising" (VK: only a post published on behalf of the community,
            so it needs ``from_group``; VK allows a few such posts a day).
        """
        check_mark_as_ads(mark_as_ads, from_group=from_group)
        if isinstance(photos, (str, bytes, os.PathLike)) or not isinstance(photos, Sequence):
            photos = [photos]  # one file (a path, bytes, a file object), not a sequence of characters
        if isinstance(attachments, str):
            attachments = [attachments]
        gid = self.group(group_id)
        message = text_value(message, field="message", max_len=MAX_POST_TEXT)
        attached = [check_attachment(a) for a in attachments]
        if link:
            attached.append(check_link(link))
        if copyright is not None and copyright != "":
            copyright = check_link(copyright, field="copyright")
        if isinstance(video, (list, tuple, dict, int, float)):
            raise input_error("video", f"expected one video file (a path, a URL, bytes or a file object), got "
                              f"{type(video).__name__}", service=SERVICE)
        if poll is not None and not isinstance(poll, Mapping):
            raise input_error("poll", f"expected {{'question': ..., 'answers': [...]}}, got {type(poll).__name__} "
                              f"{shown(poll)}", service=SERVICE)
        if sum(1 for a in attached if a.startswith(("http://", "https://"))) > 1:
            raise input_error("link", "a post takes at most one external link", service=SERVICE)
        media_count = len(photos) + (1 if video else 0) + sum(1 for a in attached if a.startswith(("photo", "video")))
        if media_count > MAX_MEDIA:
            raise input_error("photos", f"a post takes at most {MAX_MEDIA} photos and videos, got {media_count}",
                              service=SERVICE)
        polls = (1 if poll else 0) + sum(1 for a in attached if a.startswith("poll"))
        if polls > 1:
            raise input_error("poll", "a post takes at most one poll", service=SERVICE)
        if not message and not (photos or video or attached):
            raise input_error("message", "give a message or something to attach (a poll cannot be the only "
                              "attachment)", service=SERVICE)
        when = unix_time(publish_date, field="publish_date") if publish_date is not None else None
        if when is not None and when <= self.clock():
            raise input_error("publish_date", "must be in the future to schedule a post", service=SERVICE)
        if poll:
            self.check_poll(poll, now=self.clock())
        if guid is not None and not (0 < len(str(guid)) <= 64):
            raise input_error("guid", "must be 1 to 64 characters", service=SERVICE)
        # Every file is checked (and opened) before the first upload; the uploads read the checked sources, so a
        # file object or a URL is not read twice.
        photos = [check_photo(photo, field="photos", operation="create post").source for photo in photos]
        if video:
            video = check_video(video, field="video").source
        if poll and poll.get("photo") is not None:
            poll = {**poll, "photo": check_poll_photo(poll["photo"])}

        uploaded = [p["attachment"] for p in self.uploads.upload_wall_photos(photos, group_id=gid)] if photos else []
        if video:
            uploaded.append(self.uploads.upload_video(video, group_id=gid)["attachment"])
        if poll:
            uploaded.append(self.create_poll(**poll, group_id=gid)["attachment"])
        everything = uploaded + attached
        answer = self.api.call(
            "wall.post", owner_id=-gid, from_group=from_group, message=message or None,
            attachments=everything or None, publish_date=when, copyright=copyright, guid=guid, signed=signed,
            close_comments=close_comments, mute_notifications=mute_notifications, mark_as_ads=mark_as_ads or None,
            # With a guid VK returns the same post for a repeated request: a lost answer may be sent again.
            idempotent=guid is not None,
        )
        post_id = answer["post_id"]
        return {"post_id": post_id, "owner_id": -gid, "url": post_url(gid, post_id), "attachments": everything}

    def create_composite_post(self, message: str | None, attachments: Sequence[str], **kwargs: Any) -> dict[str, Any]:
        """A post made of objects that already exist (``photo-1_2``, ``video-1_3``, ``poll-1_4``, links).

        :param message: the text (optional).
        :param attachments: existing objects (``photo-1_2``, ``video-1_3``, ``poll-1_4``, links).
        """
        if not attachments:
            raise input_error("attachments", "give at least one existing attachment", service=SERVICE)
        return self.create_post(message, attachments=attachments, **kwargs)

    def delete_post(self, post_id: int | str, *, group_id: Any = None) -> bool:
        """Delete a community post (user token of an admin).

        :param post_id: the post's id on the community wall.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        gid = self.group(group_id)
        return bool(self.api.call("wall.delete", owner_id=-gid, post_id=positive_id(post_id, "post_id")))

    def repost(self, object_id: str, *, message: str | None = None, group_id: Any = None,
               mark_as_ads: bool | None = None) -> dict[str, Any]:
        """Share ``wall<owner>_<post>`` (e.g. ``wall-1_123``) to the community.

        :param object_id: what to share, e.g. ``wall-1_123``.
        :param message: the text.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param mark_as_ads: label the repost "advertising" (it is always the community's here).
        """
        check_mark_as_ads(mark_as_ads, from_group=True)  # a repost goes to the community (group_id) here
        if not isinstance(object_id, str) or not _REPOST_RE.match(object_id.strip()):
            raise input_error("object_id", f"expected e.g. wall-123_456, got {shown(object_id)}", service=SERVICE)
        object_id = object_id.strip()
        message = text_value(message, field="message", max_len=MAX_POST_TEXT)
        gid = self.group(group_id)
        answer = self.api.call("wall.repost", object=object_id, message=message, group_id=gid,
                               mark_as_ads=mark_as_ads or None)
        post_id = answer.get("post_id")
        return {**answer, "url": post_url(gid, post_id) if post_id else None}

    def create_comment(self, post_id: int | str, message: str | None = None, *, attachments: Sequence[str] = (),
                       group_id: Any = None, from_group: bool = True, reply_to_comment: int | None = None,
                       guid: str | None = None, token: str | None = None) -> dict[str, Any]:
        """Comment on a community post (user or community token); ``from_group`` comments as the community.

        :param post_id: the post's id on the community wall.
        :param message: the text.
        :param attachments: existing objects such as ``photo-1_2`` or ``doc-1_5``.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param from_group: post or comment as the community (default True).
        :param reply_to_comment: the comment this one answers.
        :param guid: no-double-post key (operators derive it from the task instance).
        :param token: ``"user"`` or ``"community"`` to pick the token kind; default: the method's preferred kind.
        """
        message = text_value(message, field="message", max_len=MAX_POST_TEXT)
        if not message and not attachments:
            raise input_error("message", "give a message or attachments", service=SERVICE)
        post = positive_id(post_id, "post_id")
        gid = self.group(group_id)
        answer = self.api.call(
            "wall.createComment", token=token, owner_id=-gid, post_id=post,
            message=message, attachments=[check_attachment(a) for a in attachments] or None,
            from_group=gid if from_group else None,  # a positive community id, not a flag (schema)
            reply_to_comment=reply_to_comment, guid=guid, idempotent=guid is not None,
        )
        return {"comment_id": answer.get("comment_id"), "post_id": post, "owner_id": -gid}

    # ---------------------------------------------------------------------------------------------- polls
    @staticmethod
    def check_poll(poll: Mapping[str, Any], *, now: float | None = None) -> None:
        """Check a poll's keys, question, 1 to 10 non-empty answers and end date before any call.

        :param poll: the poll: ``question``, ``answers`` and optional flags.
        :param now: the current time: ``end_date`` must be later.
        """
        unknown = set(poll) - {"question", "answers", "is_anonymous", "is_multiple", "end_date", "disable_unvote",
                               "photo"}
        if unknown:
            raise input_error("poll", f"unknown keys {sorted(unknown)}", service=SERVICE)
        question = poll.get("question")
        if not isinstance(question, str) or not question.strip():
            raise input_error("poll.question", f"a poll needs a question (text), got {shown(question)}",
                              service=SERVICE)
        if len(question) > MAX_POLL_QUESTION:
            raise input_error("poll.question", f"at most {MAX_POLL_QUESTION} characters, got {len(question)}",
                              service=SERVICE)
        answers = poll.get("answers")
        if not isinstance(answers, (list, tuple)) or not 1 <= len(answers) <= MAX_POLL_ANSWERS:
            raise input_error("poll.answers", f"give 1 to {MAX_POLL_ANSWERS} answers", service=SERVICE)
        if not all(isinstance(a, (str, int, float)) and not isinstance(a, bool) and str(a).strip() for a in answers):
            raise input_error("poll.answers", f"every answer must be non-empty text, got {shown(list(answers))}",
                              service=SERVICE)
        if poll.get("end_date") is not None:
            end = unix_time(poll["end_date"], field="poll.end_date")
            if now is not None and end <= now:
                raise input_error("poll.end_date", "must be in the future", service=SERVICE)

    def create_poll(self, question: str, answers: Sequence[str], *, group_id: Any = None,
                    is_anonymous: bool = False, is_multiple: bool = False, end_date: datetime | int | None = None,
                    disable_unvote: bool | None = None, photo: Any = None) -> dict[str, Any]:
        """Create a poll owned by the community (user token); ``attachment`` is ready for a post.

        :param question: the poll's question.
        :param answers: 1 to 10 answers.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param is_anonymous: an anonymous poll.
        :param is_multiple: several answers may be chosen.
        :param end_date: when voting ends (aware datetime or unix time).
        :param disable_unvote: voters cannot take their vote back.
        :param photo: the poll's background image (JPG/PNG/GIF, at least 795 x 200 px): a local path, an
            ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a binary file object; uploaded first.
        """
        if not isinstance(answers, (list, tuple)):
            raise input_error("poll.answers", f"expected a list of answers, got {shown(answers)}", service=SERVICE)
        self.check_poll({"question": question, "answers": list(answers), "end_date": end_date}, now=self.clock())
        background = check_poll_photo(photo) if photo is not None else None
        gid = self.group(group_id)
        photo_id = self.uploads.upload_poll_photo(background, group_id=gid)["id"] if background is not None else None
        poll = self.api.call(
            "polls.create", question=question, owner_id=-gid, is_anonymous=is_anonymous, is_multiple=is_multiple,
            end_date=unix_time(end_date, field="end_date") if end_date is not None else None,
            add_answers=json.dumps([str(a) for a in answers], ensure_ascii=False),  # a JSON array string
            disable_unvote=disable_unvote, photo_id=photo_id,
        )
        return {**poll, "attachment": f"poll{poll.get('owner_id', -gid)}_{poll.get('id')}"}


__all__ = ["MAX_POST_TEXT", "VkWall", "check_mark_as_ads", "check_attachment", "post_url", "unix_time"]
