"""X's rules and values: limits, media types, validated posts, the no-double-post matcher."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict

from airflow_provider_social.core.errors import (
    input_error,
)
from airflow_provider_social.core.sources import FromSource
from airflow_provider_social.hooks.twitter.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.core.sources import MediaSource

MAX_WEIGHTED_LENGTH = 280


MIB = 1024 * 1024


#: Appended chunk size. v1.1 documents <= 5 MB per APPEND; the v2 limit is UNCONFIRMED, so we stay well under it.
CHUNK_SIZE = 4 * MIB


#: How far back the no-double-post check looks for an identical post (minutes); Connection extra
#: ``dedupe_window_minutes`` overrides it.
DEDUPE_WINDOW_MINUTES = 15


#: Longest wait for X to process a GIF or video before giving up (seconds of the hook's clock).
MAX_PROCESSING_WAIT = 1800.0


_ID_RE = re.compile(r"^[0-9]{1,19}$")


_URL_RE = re.compile(r"https?://\S+", re.IGNORECASE)


# (kind, media type, media_category, size limit) by file extension. Limits: reference section 5b.
MEDIA_TYPES: dict[str, tuple[str, str, str, int]] = {
    ".jpg": ("image", "image/jpeg", "tweet_image", 5 * MIB),
    ".jpeg": ("image", "image/jpeg", "tweet_image", 5 * MIB),
    ".png": ("image", "image/png", "tweet_image", 5 * MIB),
    ".webp": ("image", "image/webp", "tweet_image", 5 * MIB),
    ".gif": ("gif", "image/gif", "tweet_gif", 15 * MIB),
    ".mp4": ("video", "video/mp4", "tweet_video", 512 * MIB),
    ".mov": ("video", "video/quicktime", "tweet_video", 512 * MIB),
}



@dataclass(frozen=True)
class MediaFile(FromSource):
    """A media source checked against X's rules: its kind, type, category and size.

    :param source: where the bytes come from (a local file, an object in a store, a URL, bytes, a file object).
    :param kind: ``image``, ``gif`` or ``video``.
    :param media_type: its MIME type.
    :param category: X's media category.
    :param size: bytes.
    """

    source: MediaSource
    kind: str  # "image" | "gif" | "video"
    media_type: str
    category: str
    size: int



class TweetFields(TypedDict, total=False):
    """What a post carries besides its text: the keyword arguments of :func:`.posting.validate_tweet` (and so of
    ``create_tweet``), and, ``reply_to`` aside, the keys a thread item may have besides ``text``. Validated into a
    :class:`TweetSpec`."""

    media_paths: Sequence[str | Path] | None
    media_ids: Sequence[str | int] | None
    poll_options: Sequence[str] | None
    poll_duration_minutes: int | None
    reply_to: str | int | None
    quote_tweet_id: str | int | None


#: The names of :class:`TweetFields`.
TWEET_FIELDS = frozenset(TweetFields.__annotations__)


@dataclass(frozen=True)
class TweetSpec:
    """One post, validated. Built by :meth:`TwitterHook.validate_tweet` before any network call.

    :param text: the text.
    :param media: local media to upload.
    :param media_ids: uploaded media.
    :param poll_options: poll options.
    :param poll_duration_minutes: poll duration.
    :param reply_to: the post replied to.
    :param quote_tweet_id: the post quoted.
    """

    text: str
    media: tuple[MediaFile, ...] = ()
    media_ids: tuple[str, ...] = ()
    poll_options: tuple[str, ...] = ()
    poll_duration_minutes: int | None = None
    reply_to: str | None = None
    quote_tweet_id: str | None = None

    def body(self, media_ids: Sequence[str] = ()) -> dict[str, Any]:
        """The ``POST /2/tweets`` body.

        :param media_ids: media uploaded for this post.
        """
        body: dict[str, Any] = {}
        if self.text:
            body["text"] = self.text
        ids = [*self.media_ids, *media_ids]
        if ids:
            body["media"] = {"media_ids": ids}
        if self.poll_options:
            body["poll"] = {"options": list(self.poll_options), "duration_minutes": self.poll_duration_minutes}
        if self.reply_to:
            body["reply"] = {"in_reply_to_tweet_id": self.reply_to}
        if self.quote_tweet_id:
            body["quote_tweet_id"] = self.quote_tweet_id
        return body



def weighted_length(text: str) -> int:
    """X's weighted length (URLs 23, CJK and emoji 2) under X's published twitter-text rules (config v3)."""
    from .weighted_text import parse_text

    return parse_text(text).weighted_length



def tweet_url(tweet_id: str, username: str | None = None) -> str:
    return f"https://x.com/{username or 'i/web'}/status/{tweet_id}"



def _normalise_for_match(text: str) -> str:
    """Text as compared by the no-double-post check: X returns URLs as t.co links, escapes &<> and may append a
    media link, so URLs are dropped, entities unescaped and whitespace collapsed."""
    text = html.unescape(unicodedata.normalize("NFC", text or ""))
    return " ".join(_URL_RE.sub(" ", text).split())



def _id(value: Any, field: str) -> str:
    value = str(value).strip() if value is not None else ""
    if not _ID_RE.match(value):
        raise input_error(field, f"must be a numeric post id (1-19 digits), got {value!r}", service=SERVICE)
    return value



class _Found(Exception):
    """Internal: an earlier identical post was found while handling a failed create."""

    def __init__(self, tweet: dict[str, Any]) -> None:
        super().__init__(tweet["id"])
        self.tweet = tweet



class RecentPosts:
    """An account's recent posts, looked at once; posts of a thread are matched against it one by one.

    :param tweets: the posts as X listed them.
    """

    def __init__(self, tweets: list[dict[str, Any]]) -> None:
        self.tweets = tweets

    def find(self, text: str, reply_to: str | None = None) -> dict[str, Any] | None:
        """The post with this text (URLs, entities and spacing aside) and reply target, or None.

        :param text: the post's text.
        :param reply_to: the post it replies to, if any.
        """
        if not text:
            return None
        wanted = _normalise_for_match(text)
        for tweet in self.tweets:
            replied = next((r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
                           None)
            if _normalise_for_match(tweet.get("text", "")) == wanted and replied == reply_to:
                return {"id": str(tweet["id"]), "text": tweet.get("text", ""), "url": tweet_url(str(tweet["id"])),
                        "deduplicated": True}
        return None
