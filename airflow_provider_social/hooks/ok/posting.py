"""Group posts: input checks (before any network call), the ``attachment`` JSON, and finding an earlier topic.

No double post (the rule, see docs/services/ok.md): ``mediatopic.post`` takes no idempotency key, so before
posting (on a task retry) and after an answer that may have been lost (timeout, dropped connection, 5xx), the hook
lists the group's newest topics (``mediatopic.getTopics``) and takes one created within the dedupe window (15 minutes
by default) that carries the same post -- the same text, number of photos, link and poll (:func:`post_signature`;
a post without text is matched by the rest) -- as the earlier try's topic. A scheduled post is not listed before its
time, so it cannot be found: then the hook raises :class:`PossiblyPostedError` ("may have been posted; not
re-sent") instead of posting it again.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from airflow_provider_social.core.errors import ConflictError, input_error
from airflow_provider_social.core.images import photo_format
from airflow_provider_social.core.rendered import as_list
from airflow_provider_social.core.sources import FromSource, MediaSource, media_source

if TYPE_CHECKING:
    from typing_extensions import Unpack

SERVICE = "OK"
MOSCOW = timezone(timedelta(hours=3))
MIB = 1024 * 1024
#: OK documents no per-photo limit in the retrieved pages; 50 MiB is the sandbox's (UNCONFIRMED) bound.
MAX_PHOTO_BYTES = 50 * MIB
PHOTO_TYPES = {".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png", ".gif": "image/gif",
               ".bmp": "image/bmp", ".webp": "image/webp"}
MAX_PHOTOS = 100  # per upload URL (photosV2.getUploadUrl count); the docs give no maximum (UNCONFIRMED)
POLL_OPTIONS = ("SingleChoice", "AnonymousVoting")
#: The sandbox's (UNCONFIRMED) bound on a poll's answers; OK's docs give none.
MAX_POLL_ANSWERS = 50
DEDUPE_WINDOW_MINUTES = 15
#: Magic-byte format -> MIME type of the photos OK takes (the file's bytes decide, not its name).
PHOTO_FORMATS = {"jpeg": "image/jpeg", "png": "image/png", "gif": "image/gif", "bmp": "image/bmp",
                 "webp": "image/webp"}


class PossiblyPostedError(ConflictError):
    """A post whose answer was lost (or an earlier try's post) cannot be looked up, so it is not sent again."""


def possibly_posted(why: str) -> PossiblyPostedError:
    return PossiblyPostedError(
        f"may have been posted; not re-sent: {why}", service=SERVICE, operation="post to group",
        hint="look at the group's scheduled topics (ok.ru, the group's 'Delayed' posts); re-run the task with "
             "dedupe=False only if the topic is not there")


@dataclass(frozen=True)
class Photo(FromSource):
    """A checked image.

    :param source: where its bytes come from (a local file, an object in a store, a URL, bytes, a file object).
    :param content_type: its MIME type (by its bytes).
    :param size: its size in bytes.
    """

    source: MediaSource
    content_type: str
    size: int


class PostFields(TypedDict, total=False):
    """What a group post carries besides its text, as callers give it (:func:`validate_post` checks it into a
    :class:`GroupPost`). The one list of post parameters: the hook's ``post_to_group`` and ``validate_post`` take
    these as keywords, and the post operator hands its own attributes of these names over.

    :param photo_paths: local image files to upload and attach (one path or a list).
    :param photo_tokens: upload tokens of photos uploaded earlier for the same group.
    :param link: an http(s) URL shown as a link block.
    :param poll_question: a poll's question (with ``poll_answers``).
    :param poll_answers: the poll's answers, at least 2.
    :param poll_options: ``SingleChoice`` and/or ``AnonymousVoting`` (a list or a comma string).
    :param publish_at: schedule the topic (aware datetime or Moscow "YYYY-mm-dd hh:mi:ss"), in the future.
    :param on_behalf_of_group: post as the group (the user must administer it); default True.
    """

    photo_paths: Sequence[str | Path] | str | Path | None
    photo_tokens: Sequence[str] | None
    link: str | None
    poll_question: str | None
    poll_answers: Sequence[str] | None
    poll_options: Sequence[str] | str | None
    publish_at: datetime | str | None
    on_behalf_of_group: bool


#: Every parameter of a post (its text, then :class:`PostFields`), in the order the post operator lists them.
POST_FIELDS: tuple[str, ...] = ("text", *PostFields.__annotations__)


@dataclass(frozen=True)
class GroupPost:
    """One validated group post (:func:`validate_post`).

    :param group_id: the group (gid).
    :param text: the topic's text.
    :param photos: local images to upload first.
    :param photo_tokens: upload tokens of photos uploaded earlier.
    :param link: an http(s) URL.
    :param poll_question: a poll's question.
    :param poll_answers: the poll's answers.
    :param poll_options: ``SingleChoice`` / ``AnonymousVoting``.
    :param publish_at: "YYYY-mm-dd hh:mi:ss" in Moscow time (a scheduled topic).
    :param on_behalf_of_group: post as the group.
    :param extra: reserved for further attachment keys.
    """

    group_id: str
    text: str = ""
    photos: tuple[Photo, ...] = ()
    photo_tokens: tuple[str, ...] = ()
    link: str | None = None
    poll_question: str | None = None
    poll_answers: tuple[str, ...] = ()
    poll_options: tuple[str, ...] = ()
    publish_at: str | None = None  # "YYYY-mm-dd hh:mi:ss", Moscow time
    on_behalf_of_group: bool = True
    extra: dict[str, Any] = field(default_factory=dict)

    def signature(self) -> tuple[Any, ...]:
        """What finds this post among the group's topics (:func:`post_signature`)."""
        return post_signature(self.text, photos=len(self.photos) + len(self.photo_tokens), link=self.link,
                              question=self.poll_question, answers=self.poll_answers)

    def attachment(self, uploaded_tokens: Sequence[str] = ()) -> str:
        """The ``attachment`` JSON of ``mediatopic.post`` (reference 3.4).

        :param uploaded_tokens: upload tokens of the photos just uploaded (after ``photo_tokens``)."""
        media: list[dict[str, Any]] = []
        if self.text:
            media.append({"type": "text", "text": self.text})
        tokens = [*self.photo_tokens, *uploaded_tokens]
        if tokens:
            media.append({"type": "photo", "list": [{"id": token} for token in tokens]})
        if self.link:
            media.append({"type": "link", "url": self.link})
        if self.poll_question:
            poll: dict[str, Any] = {"type": "poll", "question": self.poll_question,
                                    "answers": [{"text": a} for a in self.poll_answers]}
            if self.poll_options:
                poll["options"] = ",".join(self.poll_options)
            media.append(poll)
        data: dict[str, Any] = {"media": media, "onBehalfOfGroup": "true" if self.on_behalf_of_group else "false"}
        if self.publish_at:
            data["publishAt"] = self.publish_at
        return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def check_group_id(value: Any, field_name: str = "group_id") -> str:
    gid = str(value).strip() if value is not None else ""
    if not gid.isdigit() or len(gid) > 20:
        raise input_error(field_name, f"must be a numeric OK group id (gid), got {value!r}", service=SERVICE)
    return gid


def check_photo(path: Any, field_name: str = "photo_paths") -> Photo:
    """One image checked before anything is sent: it exists, is within OK's size limit, and its bytes are an image
    OK takes (a name without an extension is fine: the bytes decide).

    :param path: a local path, an ``ObjectStoragePath`` or storage URL, an http(s) URL, bytes or a binary file
        object (:mod:`airflow_provider_social.core.sources`).
    :param field_name: the argument named in errors."""
    source = media_source(path, field=field_name, service=SERVICE, limit=MAX_PHOTO_BYTES, what="photo")
    if source.suffix and source.suffix not in PHOTO_TYPES:
        raise input_error(field_name, f"{source.name}: unsupported file type {source.suffix}; use "
                          f"{', '.join(sorted(PHOTO_TYPES))}", service=SERVICE)
    kind = photo_format(source.head(16))
    if kind not in PHOTO_FORMATS:  # OK refuses it after the upload; say so before anything is sent
        raise input_error(field_name, f"{source.name} is not a JPEG, PNG, GIF, BMP or WebP image (its bytes say "
                          f"{kind or 'no image format'}, whatever its name)", service=SERVICE)
    return Photo(source, PHOTO_FORMATS[kind], source.size)


def check_photos(paths: Any, field_name: str = "photo_paths") -> tuple[Photo, ...]:
    """Every image of ``paths`` (one source or a list; a rendered JSON or Python list string is read), checked.

    :param paths: the images (see :func:`check_photo`).
    :param field_name: the argument named in errors."""
    photos = tuple(check_photo(p, field_name) for p in as_list(paths, field_name, service=SERVICE))
    if len(photos) > MAX_PHOTOS:
        raise input_error(field_name, f"{len(photos)} photos given; at most {MAX_PHOTOS} per post", service=SERVICE)
    return photos


def publish_time(value: datetime | str | None, now: float) -> str | None:
    """``publishAt`` (Moscow time) from an aware datetime or a "YYYY-mm-dd hh:mi:ss" Moscow string; must be in
    the future."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            when = datetime.strptime(value.strip(), "%Y-%m-%d %H:%M:%S").replace(tzinfo=MOSCOW)
        except ValueError:
            raise input_error("publish_at", f"expected 'YYYY-mm-dd hh:mi:ss' (Moscow time) or an aware datetime, "
                              f"got {value!r}", service=SERVICE) from None
    elif isinstance(value, datetime):
        if value.tzinfo is None:
            raise input_error("publish_at", "a datetime needs a time zone (e.g. pendulum or tzinfo=timezone.utc)",
                              service=SERVICE)
        when = value
    else:
        raise input_error("publish_at", f"expected a datetime or a string, got {type(value).__name__}",
                          service=SERVICE)
    if when.timestamp() <= now:
        raise input_error("publish_at", f"{when.isoformat()} is not in the future", service=SERVICE)
    return when.astimezone(MOSCOW).strftime("%Y-%m-%d %H:%M:%S")


def validate_post(group_id: Any, *, now: float, text: str | None = None, **fields: Unpack[PostFields]) -> GroupPost:
    """Check a group post against the rules (reference 3.4) and return it; raises ValidationError naming the
    field. At least one of text, photos, link or poll; a link is http(s); a poll has a question and 2+ answers.

    :param group_id: the group (gid).
    :param now: seconds since the epoch (``publish_at`` must be later).
    :param text: the topic's text.
    :param fields: the rest of the post (:class:`PostFields`)."""
    unexpected = sorted(set(fields) - set(PostFields.__annotations__))
    if unexpected:  # as Python refuses an unknown keyword: a misspelt part must not vanish silently
        raise TypeError(f"validate_post() got an unexpected keyword argument {unexpected[0]!r}")
    photo_paths, photo_tokens, link = fields.get("photo_paths"), fields.get("photo_tokens"), fields.get("link")
    poll_question, poll_answers = fields.get("poll_question"), fields.get("poll_answers")
    poll_options, on_behalf_of_group = fields.get("poll_options"), fields.get("on_behalf_of_group", True)
    gid = check_group_id(group_id)
    text = unicodedata.normalize("NFC", _text(text, "text")).strip()
    photos = check_photos(photo_paths)
    tokens = tuple(t.strip() for t in _strings(photo_tokens, "photo_tokens") if t.strip())
    if link is not None and link != "":
        if not isinstance(link, str) or not link.startswith(("http://", "https://")):
            raise input_error("link", f"must be an http(s) URL, got {_preview(link)}", service=SERVICE)
    question = _text(poll_question, "poll_question").strip() or None
    if isinstance(poll_answers, str):
        raise input_error("poll_answers", "must be a list of answers, not one string", service=SERVICE)
    answers = tuple(a.strip() for a in _strings(poll_answers, "poll_answers", numbers=True))
    if question is None and answers:
        raise input_error("poll_question", "is required when poll_answers are given", service=SERVICE)
    if question is not None and (not 2 <= len(answers) <= MAX_POLL_ANSWERS or not all(answers)):
        raise input_error("poll_answers", f"a poll needs 2 to {MAX_POLL_ANSWERS} non-empty answers, got "
                          f"{len(answers)}", service=SERVICE)
    if isinstance(poll_options, str):
        poll_options = [o for o in poll_options.split(",") if o.strip()]
    options = tuple(o.strip() for o in _strings(poll_options, "poll_options"))
    unknown = [o for o in options if o not in POLL_OPTIONS]
    if unknown:
        raise input_error("poll_options", f"unknown option(s) {_preview(unknown)}; use {', '.join(POLL_OPTIONS)}",
                          service=SERVICE)
    if not (text or photos or tokens or link or question):
        raise input_error("text", "a post needs text, photos, a link or a poll", service=SERVICE)
    if not isinstance(on_behalf_of_group, bool):
        raise input_error("on_behalf_of_group", f"must be true or false, got {on_behalf_of_group!r}",
                          service=SERVICE)
    return GroupPost(gid, text, photos, tokens, link or None, question, answers, options,
                     publish_time(fields.get("publish_at"), now), on_behalf_of_group)


def _preview(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _text(value: Any, field_name: str) -> str:
    """A text field: a string (None or "" for none); anything else is refused naming the field."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise input_error(field_name, f"must be a string, got {type(value).__name__} {_preview(value)}",
                          service=SERVICE)
    return value


def _strings(value: Any, field_name: str, *, numbers: bool = False) -> list[str]:
    """A list field of strings (one string is one item; with ``numbers`` plain numbers count as their text)."""
    if value is None or value == "":
        return []
    if isinstance(value, str):
        value = [value]
    plain = (str, int, float) if numbers else (str,)
    if (not isinstance(value, Sequence) or isinstance(value, bytes)
            or not all(isinstance(v, plain) and not isinstance(v, bool) for v in value)):
        raise input_error(field_name, f"must be a list of {'texts' if numbers else 'strings'}, got "
                          f"{_preview(value)}", service=SERVICE)
    return [str(v) for v in value]


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def topic_text(topic: dict[str, Any]) -> str:
    return " ".join(str(m.get("text", "")) for m in topic.get("media") or [] if m.get("type") == "text")


def post_signature(text: str, *, photos: int = 0, link: str | None = None, question: str | None = None,
                   answers: Sequence[str] = ()) -> tuple[Any, ...]:
    """What identifies a post among the group's topics: its text, number of photos, link and poll. Photo ids are
    left out: a retried task uploads its photos again under new tokens."""
    return (normalise(text), photos, link or None, normalise(question or "") or None,
            tuple(normalise(a) for a in answers))


def topic_signature(topic: dict[str, Any]) -> tuple[Any, ...]:
    """:func:`post_signature` of a listed topic (its ``media``; the listing's shape is UNCONFIRMED by OK's docs)."""
    media = [m for m in topic.get("media") or [] if isinstance(m, dict)]
    photos = sum(len(m.get("list") or []) for m in media if m.get("type") == "photo")
    link = next((m.get("url") for m in media if m.get("type") == "link"), None)
    poll = next((m for m in media if m.get("type") == "poll"), {})
    answers = [str(a.get("text", "")) for a in poll.get("answers") or [] if isinstance(a, dict)]
    return post_signature(topic_text(topic), photos=photos, link=link, question=poll.get("question"),
                          answers=answers)


def find_matching_topic(topics: Sequence[dict[str, Any]], text: str | None = None, *, since_ms: float,
                        signature: tuple[Any, ...] | None = None) -> dict[str, Any] | None:
    """The newest topic created at or after ``since_ms`` (tolerant: a topic without ``created_ms`` counts as
    recent) with the same ``signature`` (:func:`post_signature`), or, given only ``text``, the same text."""
    wanted = normalise(text or "")
    for topic in topics:
        created = topic.get("created_ms")
        if created is not None and float(created) < since_ms:
            continue
        if signature is not None and topic_signature(topic) == signature:
            return topic
        if signature is None and normalise(topic_text(topic)) == wanted:
            return topic
    return None


def topic_url(group_id: str, topic_id: str) -> str:
    return f"https://ok.ru/group/{group_id}/topic/{topic_id}"
