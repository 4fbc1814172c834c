"""What the X sandbox stores: the authenticated principal, posts, media (with processing states)."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from typing import Any

from .responses import _Reject, invalid_request


@dataclass
class Principal:
    user_id: str
    kind: str  # "oauth2" | "oauth1"
    scopes: frozenset[str] = frozenset()
    app: str = ""  # the app: the OAuth 2.0 client id, or the app of the OAuth 1.0a consumer key


@dataclass
class Tweet:
    id: str
    author_id: str
    text: str
    created_at: float
    media_ids: list[str] = field(default_factory=list)
    poll: dict[str, Any] | None = None
    reply_to: str | None = None
    quote_of: str | None = None
    deleted: bool = False

    def view(self, fields: set[str]) -> dict[str, Any]:
        out: dict[str, Any] = {"id": self.id, "text": self.text, "edit_history_tweet_ids": [self.id]}
        if "created_at" in fields:
            out["created_at"] = _iso(self.created_at)
        if "author_id" in fields:
            out["author_id"] = self.author_id
        if "conversation_id" in fields:
            out["conversation_id"] = self.id
        if "referenced_tweets" in fields:
            refs = []
            if self.reply_to:
                refs.append({"type": "replied_to", "id": self.reply_to})
            if self.quote_of:
                refs.append({"type": "quoted", "id": self.quote_of})
            if refs:
                out["referenced_tweets"] = refs
        if "attachments" in fields and self.media_ids:
            out["attachments"] = {"media_keys": list(self.media_ids)}
        return out


@dataclass
class Media:
    id: str
    key: str
    owner: str
    media_type: str
    category: str
    total_bytes: int
    api: str  # "v2" | "v1.1"
    created_at: float
    expires_at: float
    segments: dict[int, int] = field(default_factory=dict)
    head: bytes = b""
    finalized_at: float | None = None
    finalize_refused: int = 0  # FINALIZE commands sent again for a finished upload (refused)
    async_processing: bool = False
    processing_secs: float = 0.0
    failure: str | None = None

    @property
    def kind(self) -> str:
        if self.category.endswith("gif"):
            return "gif"
        if self.category.endswith("video"):
            return "video"
        return "image"

    def processing_info(self, now: float) -> dict[str, Any] | None:
        if not self.async_processing or self.finalized_at is None:
            return None
        elapsed = now - self.finalized_at
        if elapsed < 1:
            return {"state": "pending", "check_after_secs": 1}
        if elapsed < self.processing_secs:
            remaining = max(1, math.ceil(self.processing_secs - elapsed))
            percent = int(100 * elapsed / self.processing_secs)
            return {"state": "in_progress", "check_after_secs": remaining, "progress_percent": percent}
        if self.failure:
            return {"state": "failed", "progress_percent": 100,
                    "error": {"code": 1, "name": "InvalidMedia", "message": self.failure}}
        return {"state": "succeeded", "progress_percent": 100}

    def usable(self, now: float) -> str | None:
        """None if the media can be attached now, else why not."""
        if self.expires_at <= now:
            return "expired"
        if self.finalized_at is None:
            return "not finalized"
        info = self.processing_info(now)
        if info is not None and info["state"] != "succeeded":
            return f"processing {info['state']}"
        return None


def _iso(epoch: float) -> str:
    return dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _parse_iso(value: str) -> float:
    try:
        return dt.datetime.fromisoformat(value.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise _Reject(invalid_request(f"Invalid RFC 3339 timestamp {value!r}")) from None


def _magic_matches(media_type: str, head: bytes) -> bool:
    """The first bytes of the file must match its declared type (the real service decodes the media)."""
    if media_type in ("image/jpeg", "image/pjpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if media_type == "image/png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if media_type == "image/gif":
        return head.startswith((b"GIF87a", b"GIF89a"))
    if media_type == "image/webp":
        return head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    if media_type == "image/bmp":
        return head.startswith(b"BM")
    if media_type in ("video/mp4", "video/quicktime"):
        return head[4:8] in (b"ftyp", b"moov", b"wide", b"mdat", b"free")
    if media_type == "video/webm":
        return head.startswith(b"\x1a\x45\xdf\xa3")
    if media_type == "video/mp2t":
        return head[:1] == b"\x47"
    return False
