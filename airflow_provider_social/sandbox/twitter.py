"""X (Twitter): OAuth 2.0 with PKCE, OAuth 1.0a, posts, media uploads (v2 and v1.1) and rate limits. Strict.

==================  ====================  ==========================================================================
Prefix              Service name          Emulates
==================  ====================  ==========================================================================
``/x``              ``twitter_web``       ``https://x.com``: ``/i/oauth2/authorize`` (redirects at once while
                                          auto-approve is on, else a consent form)
``/x-api``          ``twitter``           ``https://api.x.com``: ``/2/oauth2/token``, ``/2/oauth2/revoke``,
                                          ``POST /2/tweets``, ``DELETE /2/tweets/{id}``, ``GET /2/users/me``,
                                          ``GET /2/users/{id}/tweets``, ``POST /2/media/upload`` (one-shot),
                                          ``/2/media/upload/initialize``, ``/{id}/append``, ``/{id}/finalize``,
                                          ``GET /2/media/upload?media_id=`` (status)
``/x-upload``       ``twitter_upload``    ``https://upload.twitter.com``: ``/1.1/media/upload.json`` (INIT, APPEND,
                                          FINALIZE, STATUS; OAuth 1.0a only)
==================  ====================  ==========================================================================

Facts and their sources: shared/reference/twitter_x_yandex.md sections 1-6. Where the reference says
UNCONFIRMED, this sandbox takes the stricter reading and says so in a comment; the client takes the tolerant one.

What is verified: OAuth 2.0 (through :mod:`.oauth_server`: 30 s single-use codes, PKCE required, confidential vs
public clients, 2 h access tokens, single-use rotating refresh tokens with family revocation on reuse, revoke);
OAuth 1.0a HMAC-SHA1 signatures recomputed from the request exactly as the reference describes, stale timestamps
(more than 5 minutes from the sandbox clock) and reused nonces refused; scopes per endpoint; post validation
(weighted length via twitter-text, media/poll/quote exclusivity and counts, poll limits, reply and quote targets,
duplicate text -> 403); media segment indexes, chunk sizes, totals, types and magic bytes, processing states
pending -> in_progress -> succeeded/failed over the sandbox clock, and expiry; ``x-rate-limit-*`` headers on every
response and 429 once a window is spent. Windows are configurable: ``state.services["twitter"].set_rate_limit``.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import itertools
import json
import math
import re
import threading
import unicodedata
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, quote, unquote

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Message, Receive, Scope, Send

from .clock import SandboxClock
from .oauth_server import SANDBOX_USER_ID, OAuthPaths, OAuthServer, OAuthServerConfig
from .state import ServiceSpec

if TYPE_CHECKING:
    from .state import SandboxState

NAME = "twitter"
PREFIX = "/x-api"
UPLOAD_NAME = "twitter_upload"
UPLOAD_PREFIX = "/x-upload"
WEB_NAME = "twitter_web"
WEB_PREFIX = "/x"
OAUTH_NAME = "twitter"  # key in SandboxState.oauth and /_control/oauth/{service}

DEFAULT_SCOPE = "tweet.read tweet.write users.read media.write offline.access"
TWO_HOURS = 7200

# OAuth 1.0a credentials the sandbox knows (app "API Key and Secret" + the user's "Access Token and Secret").
SANDBOX_CONSUMER_KEY = "sandbox-consumer-key"
SANDBOX_CONSUMER_SECRET = "sandbox-consumer-secret"
SANDBOX_OAUTH_TOKEN = f"{SANDBOX_USER_ID}-sandboxAccessToken"
SANDBOX_OAUTH_TOKEN_SECRET = "sandbox-token-secret"
SANDBOX_USERNAME = "sandbox_user"

OAUTH1_MAX_SKEW = 300  # seconds; X rejects "stale" timestamps (the exact bound is not published)
MIB = 1024 * 1024
MAX_SEGMENT_BYTES = 5 * MIB  # v1.1 documents <= 5 MB per APPEND; the v2 limit is UNCONFIRMED, same here
MAX_SEGMENT_INDEX = 999
MEDIA_EXPIRES_AFTER = 86400  # media ids are usable for 24 h
PROBLEM = "https://api.x.com/2/problems/"

CATEGORY_LIMITS = {
    "tweet_image": 5 * MIB,
    "dm_image": 5 * MIB,
    "tweet_gif": 15 * MIB,
    "dm_gif": 15 * MIB,
    "tweet_video": 512 * MIB,
    "dm_video": 512 * MIB,
    "amplify_video": 512 * MIB,
}
IMAGE_TYPES = {"image/jpeg", "image/pjpeg", "image/png", "image/webp", "image/gif", "image/bmp"}
VIDEO_TYPES = {"video/mp4", "video/quicktime", "video/webm", "video/mp2t"}
CATEGORY_TYPES = {
    "tweet_image": IMAGE_TYPES,
    "dm_image": IMAGE_TYPES,
    "tweet_gif": {"image/gif"},
    "dm_gif": {"image/gif"},
    "tweet_video": VIDEO_TYPES,
    "dm_video": VIDEO_TYPES,
    "amplify_video": VIDEO_TYPES,
}
# Media key prefixes as X uses them: 3 photo, 16 animated GIF, 7 video.
KEY_PREFIX = {"image": "3", "gif": "16", "video": "7"}

# Per-user windows (limit, seconds). Current docs: POST /2/tweets 100/15 min per user; media endpoints as listed in
# reference section 5b. The others are the documented per-user figures of the endpoints.
DEFAULT_RATE_LIMITS: dict[str, tuple[int, int]] = {
    "tweets_create": (100, 900),
    "tweets_delete": (50, 900),
    "users_me": (75, 900),
    "users_tweets": (900, 900),
    "media_oneshot": (500, 900),
    "media_chunked": (1875, 900),
    "media_status": (1000, 900),
    "v1_media_upload": (1875, 900),
    "oauth2": (1000, 900),
    "other": (1000, 900),  # answers no endpoint produced (404 of an unknown path, 405)
}

POST_FIELDS = {
    "text", "media", "poll", "reply", "quote_tweet_id", "reply_settings", "for_super_followers_only", "geo",
    "direct_message_deep_link", "card_uri", "nullcast", "community_id", "edit_options", "made_with_ai",
}
TWEET_READ_FIELDS = {"id", "text", "created_at", "author_id", "referenced_tweets", "attachments",
                     "edit_history_tweet_ids", "conversation_id"}
_ID_RE = re.compile(r"^[0-9]{1,19}$")


# ---------------------------------------------------------------------------------------------- responses


def _json(data: Any, status: int = 200, content_type: str = "application/json; charset=utf-8") -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=content_type)


def problem(status: int, title: str, detail: str, kind: str = "about:blank", **extra: Any) -> Response:
    """RFC 7807-style error as X sends it (reference section 3)."""
    body = {"title": title, "detail": detail, "type": kind if kind == "about:blank" else PROBLEM + kind,
            "status": status, **extra}
    return _json(body, status, "application/problem+json")


def invalid_request(message: str, parameter: str | None = None, values: list[Any] | None = None) -> Response:
    error: dict[str, Any] = {"message": message}
    if parameter:
        error["parameters"] = {parameter: values or []}
    return problem(400, "Invalid Request", "One or more parameters to your request was invalid.",
                   "invalid-request", errors=[error])


def unauthorized() -> Response:
    response = problem(401, "Unauthorized", "Unauthorized")
    return response


def forbidden(detail: str) -> Response:
    return problem(403, "Forbidden", detail)


def not_found(detail: str, resource_type: str = "tweet", value: str = "") -> Response:
    return problem(404, "Not Found Error", detail, "resource-not-found", resource_type=resource_type,
                   value=value, parameter="id")


def v1_error(status: int, code: int, message: str) -> Response:
    return _json({"errors": [{"code": code, "message": message}]}, status)


class _Reject(Exception):
    """Raised inside handlers to answer with a ready response."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status_code)
        self.response = response


# ---------------------------------------------------------------------------------------------- OAuth 1.0a


def pct(value: str) -> str:
    """RFC 3986 percent-encoding of UTF-8 bytes: only A-Z a-z 0-9 - . _ ~ stay (reference section 2)."""
    return quote(value.encode("utf-8"), safe="~")


def oauth1_signature(method: str, base_url: str, params: list[tuple[str, str]], consumer_secret: str,
                     token_secret: str) -> str:
    """base64(HMAC-SHA1(pct(cs)&pct(ts), METHOD&pct(url)&pct(sorted encoded params)))."""
    encoded = sorted((pct(k), pct(v)) for k, v in params)
    param_string = "&".join(f"{k}={v}" for k, v in encoded)
    base = "&".join((method.upper(), pct(base_url), pct(param_string)))
    key = f"{pct(consumer_secret)}&{pct(token_secret)}"
    return base64.b64encode(hmac.new(key.encode(), base.encode(), hashlib.sha1).digest()).decode()


def parse_oauth_header(header: str) -> dict[str, str]:
    """``OAuth k="v", ...`` -> dict; duplicate keys are refused (X does not accept them)."""
    if header[:6].lower() != "oauth ":
        raise ValueError("not an OAuth header")
    out: dict[str, str] = {}
    for part in header[6:].split(","):
        part = part.strip()
        if not part:
            continue
        key, sep, value = part.partition("=")
        if not sep or len(value) < 2 or value[0] != '"' or value[-1] != '"':
            raise ValueError(f"malformed OAuth parameter {key!r}")
        key = unquote(key.strip())
        if key in out:
            raise ValueError(f"duplicate OAuth parameter {key!r}")
        out[key] = unquote(value[1:-1])
    return out


def request_base_url(request: Request) -> str:
    """scheme://host[:port]/path as the client addressed it, lowercase scheme and host, default ports dropped."""
    url = request.url
    scheme = url.scheme.lower()
    host = (url.hostname or "").lower()
    port = url.port
    netloc = host if port is None or (scheme, port) in (("http", 80), ("https", 443)) else f"{host}:{port}"
    return f"{scheme}://{netloc}{url.path}"


# ---------------------------------------------------------------------------------------------- records


@dataclass
class Principal:
    user_id: str
    kind: str  # "oauth2" | "oauth1"
    scopes: frozenset[str] = frozenset()


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


# ---------------------------------------------------------------------------------------------- multipart


def parse_multipart(body: bytes, content_type: str) -> dict[str, tuple[bytes, str | None]]:
    """Strict multipart/form-data parser: name -> (value, filename). Repeated names are refused."""
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not match:
        raise ValueError("multipart body without a boundary")
    delimiter = b"--" + match.group(1).encode("latin-1")
    parts: dict[str, tuple[bytes, str | None]] = {}
    position = body.find(delimiter)
    if position < 0:
        raise ValueError("boundary not found in the body")
    position += len(delimiter)
    while True:
        if body[position:position + 2] == b"--":
            return parts
        if body[position:position + 2] != b"\r\n":
            raise ValueError("malformed multipart delimiter")
        header_end = body.find(b"\r\n\r\n", position + 2)
        if header_end < 0:
            raise ValueError("malformed multipart headers")
        headers = body[position + 2:header_end].decode("utf-8", "replace")
        next_delimiter = body.find(b"\r\n" + delimiter, header_end + 4)
        if next_delimiter < 0:
            raise ValueError("unterminated multipart part")
        value = body[header_end + 4:next_delimiter]
        disposition = next(
            (line for line in headers.split("\r\n") if line.lower().startswith("content-disposition:")), ""
        )
        name_match = re.search(r'\bname="([^"]*)"', disposition)
        if not name_match:
            raise ValueError("multipart part without a name")
        filename_match = re.search(r'\bfilename="([^"]*)"', disposition)
        name = name_match.group(1)
        if name in parts:
            raise ValueError(f"multipart field {name!r} repeated")
        parts[name] = (value, filename_match.group(1) if filename_match else None)
        position = next_delimiter + 2 + len(delimiter)


# ---------------------------------------------------------------------------------------------- state


class TwitterState:
    """Users, OAuth 1.0a credentials, posts, media, nonces and rate-limit windows of the X sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self.sandbox = state
        self.clock: SandboxClock = state.clock
        self._lock = threading.RLock()
        self.users: dict[str, dict[str, str]] = {
            SANDBOX_USER_ID: {"id": SANDBOX_USER_ID, "name": "Sandbox User", "username": SANDBOX_USERNAME},
        }
        self.consumers: dict[str, str] = {SANDBOX_CONSUMER_KEY: SANDBOX_CONSUMER_SECRET}
        # oauth_token -> (token secret, consumer key, user id)
        self.access_tokens: dict[str, tuple[str, str, str]] = {
            SANDBOX_OAUTH_TOKEN: (SANDBOX_OAUTH_TOKEN_SECRET, SANDBOX_CONSUMER_KEY, SANDBOX_USER_ID),
        }
        self.tweets: dict[str, Tweet] = {}
        self.media: dict[str, Media] = {}
        self._nonces: dict[tuple[str, str, str], float] = {}
        self.rate_limits: dict[str, tuple[int, int]] = dict(DEFAULT_RATE_LIMITS)
        self._windows: dict[tuple[str, str], tuple[float, int]] = {}
        self._ids = itertools.count(1_880_000_000_000_000_000 + int(self.clock.now()) * 1000)
        # How long processing takes on the sandbox clock (seconds), per media kind.
        self.processing_secs = {"gif": 3.0, "video": 10.0}

    # -- configuration ---------------------------------------------------------------------------------------
    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/twitter``: ``{"rate_limits": {"tweets_create": {"limit": 2,
        "window": 60}}}`` changes those windows (and starts them afresh); answers every window's setting."""
        unknown = sorted(set(data) - {"rate_limits"})
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: ['rate_limits']")
        for group, spec in (data.get("rate_limits") or {}).items():
            if group not in self.rate_limits:
                raise ValueError(f"rate_limits: unknown group {group!r}; known: {sorted(self.rate_limits)}")
            if not isinstance(spec, dict) or not isinstance(spec.get("limit"), int) or spec["limit"] < 0:
                raise ValueError(f"rate_limits.{group}: expected {{'limit': <int >= 0>, 'window': <seconds>}}")
            self.set_rate_limit(group, spec["limit"], int(spec.get("window", DEFAULT_RATE_LIMITS[group][1])))
        return {"rate_limits": {g: {"limit": lim, "window": win} for g, (lim, win) in self.rate_limits.items()}}

    def set_rate_limit(self, group: str, limit: int, window: int = 900) -> None:
        """Change one window (see DEFAULT_RATE_LIMITS for the groups) and start it afresh."""
        if group not in self.rate_limits:
            raise KeyError(group)
        with self._lock:
            self.rate_limits[group] = (int(limit), int(window))
            for key in [k for k in self._windows if k[0] == group]:
                del self._windows[key]

    def new_id(self) -> str:
        with self._lock:
            return str(next(self._ids))

    # -- rate limits -----------------------------------------------------------------------------------------
    def hit(self, group: str, key: str) -> tuple[bool, dict[str, str]]:
        """Count one request; returns (allowed, x-rate-limit-* headers)."""
        limit, window = self.rate_limits[group]
        now = self.clock.now()
        with self._lock:
            start, count = self._windows.get((group, key), (now, 0))
            if now >= start + window:
                start, count = now, 0
            allowed = count < limit
            if allowed:
                count += 1
            self._windows[(group, key)] = (start, count)
        headers = {
            "x-rate-limit-limit": str(limit),
            "x-rate-limit-remaining": str(max(0, limit - count)),
            "x-rate-limit-reset": str(int(math.ceil(start + window))),
        }
        return allowed, headers

    # -- authentication --------------------------------------------------------------------------------------
    def authenticate(self, request: Request, body: bytes, *, v1: bool = False) -> Principal | Response:
        header = request.headers.get("authorization", "")
        if header[:7].lower() == "bearer ":
            if v1:  # upload.twitter.com takes OAuth 1.0a user context only
                return v1_error(403, 220, "Your credentials do not allow access to this resource.")
            check = self.sandbox.oauth[OAUTH_NAME].validate_access_token(header[7:].strip())
            if check.info is None:
                return v1_error(401, 89, "Invalid or expired token.") if v1 else unauthorized()
            return Principal(check.info.user_id, "oauth2", frozenset(check.info.scope.split()))
        if header[:6].lower() == "oauth ":
            return self._verify_oauth1(request, body, header, v1)
        return v1_error(400, 215, "Bad Authentication data.") if v1 else unauthorized()

    def _verify_oauth1(self, request: Request, body: bytes, header: str, v1: bool) -> Principal | Response:
        def refuse(code: int = 32, message: str = "Could not authenticate you.") -> Response:
            return v1_error(401, code, message) if v1 else unauthorized()

        try:
            oauth = parse_oauth_header(header)
        except ValueError:
            return refuse()
        required = ("oauth_consumer_key", "oauth_nonce", "oauth_signature", "oauth_signature_method",
                    "oauth_timestamp", "oauth_token")
        if any(not oauth.get(name) for name in required):
            return refuse()
        if oauth["oauth_signature_method"] != "HMAC-SHA1" or oauth.get("oauth_version", "1.0") != "1.0":
            return refuse()
        consumer_secret = self.consumers.get(oauth["oauth_consumer_key"])
        token = self.access_tokens.get(oauth["oauth_token"])
        if consumer_secret is None or token is None or token[1] != oauth["oauth_consumer_key"]:
            return refuse(89, "Invalid or expired token.")
        try:
            timestamp = int(oauth["oauth_timestamp"])
        except ValueError:
            return refuse()
        now = self.clock.now()
        if abs(now - timestamp) > OAUTH1_MAX_SKEW:
            return refuse(135, "Timestamp out of bounds.")
        params: list[tuple[str, str]] = list(parse_qsl(request.url.query, keep_blank_values=True))
        ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if ctype == "application/x-www-form-urlencoded" and body:
            try:
                params += parse_qsl(body.decode("utf-8"), keep_blank_values=True, strict_parsing=True)
            except (UnicodeDecodeError, ValueError):
                return refuse()
        params += [(k, v) for k, v in oauth.items() if k not in ("oauth_signature", "realm")]
        names = [k for k, _ in params]
        if len(names) != len(set(names)):
            return refuse()  # X does not accept duplicate keys
        expected = oauth1_signature(request.method, request_base_url(request), params, consumer_secret, token[0])
        if not hmac.compare_digest(expected, oauth["oauth_signature"]):
            return refuse()
        nonce_key = (oauth["oauth_consumer_key"], oauth["oauth_token"], oauth["oauth_nonce"])
        with self._lock:
            for key in [k for k, seen in self._nonces.items() if seen < now - 2 * OAUTH1_MAX_SKEW]:
                del self._nonces[key]
            if nonce_key in self._nonces:
                return refuse()  # a replayed request
            self._nonces[nonce_key] = now
        return Principal(token[2], "oauth1")

    # -- inspection ------------------------------------------------------------------------------------------
    def dump(self) -> dict[str, Any]:
        now = self.clock.now()
        with self._lock:
            return {
                "users": list(self.users.values()),
                "tweets": [
                    {"id": t.id, "author_id": t.author_id, "text": t.text, "created_at": t.created_at,
                     "media_ids": t.media_ids, "poll": t.poll, "reply_to": t.reply_to, "quote_of": t.quote_of,
                     "deleted": t.deleted}
                    for t in self.tweets.values()
                ],
                "media": [
                    {"id": m.id, "media_key": m.key, "category": m.category, "media_type": m.media_type,
                     "api": m.api, "total_bytes": m.total_bytes, "received_bytes": sum(m.segments.values()),
                     "segments": len(m.segments), "finalized": m.finalized_at is not None,
                     "finalize_refused": m.finalize_refused,
                     "processing_info": m.processing_info(now), "expires_at": m.expires_at}
                    for m in self.media.values()
                ],
                "rate_limits": {g: {"limit": lim, "window": win} for g, (lim, win) in self.rate_limits.items()},
            }


# ---------------------------------------------------------------------------------------------- OAuth 2.0


def x_oauth_config() -> OAuthServerConfig:
    return OAuthServerConfig(
        service=OAUTH_NAME,
        paths=OAuthPaths(authorize="/i/oauth2/authorize", token="/2/oauth2/token", device_code=None,
                         revoke="/2/oauth2/revoke"),
        access_prefix="xat_",
        refresh_prefix="xrt_",
        code_ttl=30,  # "the code expires after 30 seconds"
        access_ttl=TWO_HOURS,
        refresh_ttl=None,
        rotate_refresh=True,
        # UNCONFIRMED (reference section 11.1): single use and family revocation on reuse are community reports.
        # The sandbox takes the strict reading; only clients that never replay a spent token pass.
        refresh_single_use=True,
        revoke_family_on_reuse=True,
        require_pkce=True,
        pkce_methods=("S256", "plain"),
        token_requires_redirect_uri=True,
        include_scope=True,
        default_scope=DEFAULT_SCOPE,
        refusals=X_REFUSALS,
    )


# X words refusals its own way: HTTP 400 "invalid_request" naming the value, where RFC 6749 says invalid_grant.
# Recorded by clients that talk to X (node-twitter-api-v2 #496 for codes, the twitter-api-typescript-sdk #26 for
# PKCE); the refresh-token wording is the one X answers for a spent, revoked or unknown refresh token.
_X_TOKEN_INVALID = ("invalid_request", "Value passed for the token was invalid.")
_X_CODE_INVALID = ("invalid_request", "Value passed for the authorization code was invalid.")
X_REFUSALS: dict[str, tuple[str, str]] = {
    "code_invalid": _X_CODE_INVALID,
    "code_used": _X_CODE_INVALID,
    "code_other_client": _X_CODE_INVALID,
    "code_expired": _X_CODE_INVALID,
    "verifier_mismatch": ("invalid_request", "Value passed for the code verifier did not match the code challenge."),
    "refresh_invalid": _X_TOKEN_INVALID,
    "refresh_other_client": _X_TOKEN_INVALID,
    "refresh_used": _X_TOKEN_INVALID,
    "refresh_revoked": _X_TOKEN_INVALID,
    "refresh_expired": _X_TOKEN_INVALID,
}


def make_oauth_server(clock: SandboxClock) -> OAuthServer:
    return OAuthServer(x_oauth_config(), clock)


# ---------------------------------------------------------------------------------------------- handlers

Handler = Callable[[TwitterState, Request, bytes, Principal], Awaitable[Response]]

SCOPES_POST = frozenset({"tweet.read", "tweet.write", "users.read"})
SCOPES_READ = frozenset({"tweet.read", "users.read"})
SCOPES_MEDIA = frozenset({"media.write"})


def _service(state: SandboxState) -> TwitterState:
    return state.services[NAME]  # type: ignore[return-value]


def _endpoint(state: SandboxState, group: str, scopes: frozenset[str], handler: Handler, *, v1: bool = False):
    """Wrap a handler: authenticate, count against the rate window, add x-rate-limit-* headers to every answer."""

    async def route(request: Request) -> Response:
        service = _service(state)
        body = await request.body()
        principal = service.authenticate(request, body, v1=v1)
        if isinstance(principal, Response):
            key = f"anon:{request.client.host if request.client else '-'}"
        else:
            key = f"user:{principal.user_id}"
        allowed, headers = service.hit(group, key)
        if isinstance(principal, Response):
            response = principal
        elif not allowed:
            response = (v1_error(429, 88, "Rate limit exceeded") if v1
                        else problem(429, "Too Many Requests", "Too Many Requests"))
        elif principal.kind == "oauth2" and not scopes <= principal.scopes:
            missing = " ".join(sorted(scopes - principal.scopes))
            response = forbidden(f"The access token lacks the scope(s) {missing} this endpoint requires.")
        else:
            try:
                response = await handler(service, request, body, principal)
            except _Reject as reject:
                response = reject.response
        response.headers.update(headers)
        return response

    return route


def _json_body(request: Request, body: bytes) -> dict[str, Any]:
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype != "application/json":
        raise _Reject(invalid_request("Content-Type must be application/json"))
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError):
        raise _Reject(invalid_request("Request body is not valid JSON")) from None
    if not isinstance(data, dict):
        raise _Reject(invalid_request("Request body must be a JSON object"))
    return data


def _weighted_length(text: str) -> int:
    from twitter_text import parse_tweet

    return int(parse_tweet(text).weightedLength)


async def create_tweet(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    data = _json_body(request, body)
    unknown = set(data) - POST_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        return invalid_request(f"The `{name}` field is not valid", name)
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        return invalid_request("`text` must be a string", "text", [text])
    text = unicodedata.normalize("NFC", text or "")
    exclusive = [name for name in ("media", "poll", "quote_tweet_id", "card_uri") if data.get(name) is not None]
    if len(exclusive) > 1:
        return invalid_request(f"The fields {', '.join(exclusive)} are mutually exclusive", exclusive[0])
    media_ids: list[str] = []
    now = service.clock.now()
    if data.get("media") is not None:
        media = data["media"]
        if not isinstance(media, dict) or set(media) - {"media_ids", "tagged_user_ids"}:
            return invalid_request("`media` must be an object with media_ids", "media")
        media_ids = media.get("media_ids")  # type: ignore[assignment]
        if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4:
            return invalid_request("`media.media_ids` must hold 1 to 4 ids", "media.media_ids", media_ids or [])
        if any(not isinstance(m, str) or not _ID_RE.match(m) for m in media_ids):
            return invalid_request("media ids must be numeric strings", "media.media_ids", media_ids)
        if len(set(media_ids)) != len(media_ids):
            return invalid_request("media ids must be distinct", "media.media_ids", media_ids)
        tagged = media.get("tagged_user_ids", [])
        if not isinstance(tagged, list) or len(tagged) > 10:
            return invalid_request("`media.tagged_user_ids` holds at most 10 ids", "media.tagged_user_ids")
        kinds = []
        for media_id in media_ids:
            record = service.media.get(media_id)
            if record is None or record.owner != who.user_id:
                return invalid_request(f"Your media IDs are invalid: {media_id}", "media.media_ids", [media_id])
            why = record.usable(now)
            if why:
                return invalid_request(f"Media {media_id} cannot be attached: {why}", "media.media_ids", [media_id])
            kinds.append(record.kind)
        if ("gif" in kinds or "video" in kinds) and len(kinds) > 1:
            return invalid_request("A post takes up to 4 images, or 1 GIF, or 1 video", "media.media_ids", media_ids)
    elif not text:
        return invalid_request("Post text is required unless media is attached", "text")
    if text and _weighted_length(text) > 280:
        return forbidden("Your Tweet text is too long. For more information on how X determines text length, "
                         "see https://github.com/twitter/twitter-text.")
    poll = data.get("poll")
    if poll is not None:
        if not isinstance(poll, dict) or set(poll) - {"options", "duration_minutes", "reply_settings"}:
            return invalid_request("`poll` must be an object with options and duration_minutes", "poll")
        options = poll.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 4:
            return invalid_request("`poll.options` must hold 2 to 4 options", "poll.options", options or [])
        if any(not isinstance(o, str) or not 1 <= len(o) <= 25 for o in options):
            return invalid_request("each poll option must be 1 to 25 characters", "poll.options", options)
        minutes = poll.get("duration_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 10080:
            return invalid_request("`poll.duration_minutes` must be 5 to 10080", "poll.duration_minutes", [minutes])
    reply_to = None
    if data.get("reply") is not None:
        reply = data["reply"]
        if not isinstance(reply, dict) or "in_reply_to_tweet_id" not in reply:
            return invalid_request("`reply.in_reply_to_tweet_id` is required", "reply.in_reply_to_tweet_id")
        reply_to = reply["in_reply_to_tweet_id"]
        if not isinstance(reply_to, str) or not _ID_RE.match(reply_to):
            return invalid_request("`reply.in_reply_to_tweet_id` must be a numeric string",
                                   "reply.in_reply_to_tweet_id", [reply_to])
        target = service.tweets.get(reply_to)
        if target is None or target.deleted:
            return forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
    quote_of = data.get("quote_tweet_id")
    if quote_of is not None:
        if not isinstance(quote_of, str) or not _ID_RE.match(quote_of):
            return invalid_request("`quote_tweet_id` must be a numeric string", "quote_tweet_id", [quote_of])
        target = service.tweets.get(quote_of)
        if target is None or target.deleted:
            return forbidden("You attempted to quote a Tweet that is deleted or not visible to you.")
    with service._lock:
        if text and any(t.author_id == who.user_id and not t.deleted and t.text == text
                        for t in service.tweets.values()):
            return forbidden("You are not allowed to create a Tweet with duplicate content.")
        tweet = Tweet(id=service.new_id(), author_id=who.user_id, text=text, created_at=now, media_ids=media_ids,
                      poll=poll, reply_to=reply_to, quote_of=quote_of)
        service.tweets[tweet.id] = tweet
    service.sandbox.record(NAME, "tweet", id=tweet.id, text=text, media_ids=media_ids, poll=poll,
                           reply_to=reply_to, quote_of=quote_of, auth=who.kind)
    # Only the required id and text: whether live responses say edit_history_tweet_ids or edit_history_post_ids
    # is UNCONFIRMED, so a client that relies on either fails here first.
    return _json({"data": {"id": tweet.id, "text": text}}, 201)


async def delete_tweet(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    tweet_id = request.path_params["id"]
    with service._lock:
        tweet = service.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return not_found(f"Could not find tweet with id: [{tweet_id}].", value=tweet_id)
        if tweet.author_id != who.user_id:
            return forbidden("You are not authorized to delete this Tweet.")
        tweet.deleted = True
    service.sandbox.record(NAME, "delete", id=tweet_id)
    return _json({"data": {"deleted": True}})


async def users_me(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    return _json({"data": dict(service.users[who.user_id])})


async def user_tweets(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    user_id = request.path_params["id"]
    if user_id not in service.users:
        return not_found(f"Could not find user with id: [{user_id}].", "user", user_id)
    query = request.query_params
    known = {"max_results", "start_time", "end_time", "since_id", "until_id", "tweet.fields", "exclude",
             "pagination_token", "expansions"}
    for name in query:
        if name not in known:
            return invalid_request(f"The query parameter [{name}] is not one of {sorted(known)}", name)
    try:
        max_results = int(query.get("max_results", "10"))
    except ValueError:
        return invalid_request("max_results must be a number", "max_results")
    if not 5 <= max_results <= 100:
        return invalid_request("The `max_results` query parameter value must be between 5 and 100",
                               "max_results", [max_results])
    fields = set(filter(None, query.get("tweet.fields", "").split(",")))
    if fields - TWEET_READ_FIELDS:
        bad = sorted(fields - TWEET_READ_FIELDS)[0]
        return invalid_request(f"The `tweet.fields` value [{bad}] is not one of the allowed values", "tweet.fields")
    start = _parse_iso(query["start_time"]) if "start_time" in query else None
    end = _parse_iso(query["end_time"]) if "end_time" in query else None
    with service._lock:
        tweets = [t for t in service.tweets.values() if t.author_id == user_id and not t.deleted]
    tweets = [t for t in tweets if (start is None or t.created_at >= start) and (end is None or t.created_at < end)]
    if "since_id" in query:
        tweets = [t for t in tweets if int(t.id) > int(query["since_id"])]
    tweets.sort(key=lambda t: int(t.id), reverse=True)
    page = tweets[:max_results]
    if not page:
        return _json({"meta": {"result_count": 0}})
    meta = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
    return _json({"data": [t.view(fields) for t in page], "meta": meta})


# -- media, shared by both APIs --------------------------------------------------------------------------------


class MediaError(Exception):
    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def _initialize(service: TwitterState, who: Principal, media_type: Any, total_bytes: Any, category: Any,
                api: str) -> Media:
    if not isinstance(media_type, str) or not media_type:
        raise MediaError("media_type is required")
    try:
        total = int(total_bytes)
    except (TypeError, ValueError):
        raise MediaError("total_bytes must be an integer") from None
    if category is None:  # the v1.1 default; v2 requires it
        category = "tweet_video" if media_type in VIDEO_TYPES else "tweet_image"
    if category not in CATEGORY_LIMITS:
        raise MediaError(f"media_category {category!r} is not supported")
    if media_type not in CATEGORY_TYPES[category]:
        raise MediaError(f"media_type {media_type!r} does not fit media_category {category!r}")
    if total <= 0:
        raise MediaError("total_bytes must be positive")
    if total > CATEGORY_LIMITS[category]:
        raise MediaError(f"File size exceeds {CATEGORY_LIMITS[category]} bytes for {category}")
    now = service.clock.now()
    media_id = service.new_id()
    kind = "gif" if category.endswith("gif") else "video" if category.endswith("video") else "image"
    record = Media(id=media_id, key=f"{KEY_PREFIX[kind]}_{media_id}", owner=who.user_id, media_type=media_type,
                   category=category, total_bytes=total, api=api, created_at=now,
                   expires_at=now + MEDIA_EXPIRES_AFTER)
    with service._lock:
        service.media[media_id] = record
    return record


def _lookup(service: TwitterState, who: Principal, media_id: Any) -> Media:
    record = service.media.get(str(media_id))
    if record is None or record.owner != who.user_id:
        raise MediaError(f"Media id {media_id} not found", 404)
    if record.expires_at <= service.clock.now():
        raise MediaError(f"Media id {media_id} has expired", 400)
    return record


def _append(service: TwitterState, record: Media, segment_index: Any, chunk: bytes) -> None:
    try:
        index = int(segment_index)
    except (TypeError, ValueError):
        raise MediaError("segment_index must be an integer") from None
    if not 0 <= index <= MAX_SEGMENT_INDEX:
        raise MediaError(f"segment_index must be between 0 and {MAX_SEGMENT_INDEX}")
    if not chunk:
        raise MediaError("media segment is empty")
    if len(chunk) > MAX_SEGMENT_BYTES:
        raise MediaError(f"media segment is larger than {MAX_SEGMENT_BYTES} bytes")
    with service._lock:
        if record.finalized_at is not None:
            raise MediaError("media is already finalized")
        received = sum(size for i, size in record.segments.items() if i != index)
        if received + len(chunk) > record.total_bytes:
            raise MediaError("segments exceed the declared total_bytes")
        record.segments[index] = len(chunk)  # re-sending an index replaces it (retries are safe)
        if index == 0:
            record.head = chunk[:16]


def _finalize(service: TwitterState, record: Media) -> None:
    with service._lock:
        if record.finalized_at is not None:
            # A command for a finished upload is refused, as X refuses it (UNCONFIRMED wording; the sandbox takes
            # the stricter side): a client must ask STATUS after a lost FINALIZE answer, never re-send FINALIZE.
            record.finalize_refused += 1
            raise MediaError("media is already finalized")
        indexes = sorted(record.segments)
        if indexes != list(range(len(indexes))) or not indexes:
            raise MediaError("segments must be contiguous from segment_index 0")
        received = sum(record.segments.values())
        if received != record.total_bytes:
            raise MediaError(f"File size mismatch: received {received} of {record.total_bytes} declared bytes")
        valid = _magic_matches(record.media_type, record.head)
        if record.kind == "image":
            if not valid:
                raise MediaError("media type unrecognized: the file content is not a " + record.media_type)
        else:
            record.async_processing = True
            record.processing_secs = service.processing_secs[record.kind]
            if not valid:
                record.failure = "Invalid or Unsupported media, Reason: UnsupportedMedia."
        record.finalized_at = service.clock.now()
    service.sandbox.record(NAME, "media", id=record.id, category=record.category, media_type=record.media_type,
                           total_bytes=record.total_bytes, api=record.api)


def _media_view(service: TwitterState, record: Media) -> dict[str, Any]:
    now = service.clock.now()
    out: dict[str, Any] = {"id": record.id, "media_key": record.key, "size": record.total_bytes,
                           "expires_after_secs": max(0, int(record.expires_at - now))}
    info = record.processing_info(now)
    if info is not None:
        out["processing_info"] = info
    return out


def _v2_media_error(exc: MediaError) -> Response:
    if exc.status == 404:
        return not_found(exc.message, "media")
    return invalid_request(exc.message)


async def media_initialize(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    data = _json_body(request, body)
    if "media_category" not in data:
        return invalid_request("media_category is required", "media_category")
    try:
        record = _initialize(service, who, data.get("media_type"), data.get("total_bytes"),
                             data.get("media_category"), "v2")
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": {"id": record.id, "media_key": record.key, "expires_after_secs": MEDIA_EXPIRES_AFTER}})


async def media_append(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    try:
        record = _lookup(service, who, request.path_params["id"])
        if ctype.lower().startswith("multipart/form-data"):
            try:
                parts = parse_multipart(body, ctype)
            except ValueError as exc:
                return invalid_request(str(exc))
            if set(parts) - {"media", "segment_index"} or "media" not in parts:
                return invalid_request("append takes exactly the fields media and segment_index", "media")
            index: Any = parts.get("segment_index", (b"", None))[0].decode("ascii", "replace")
            chunk = parts["media"][0]
        else:
            data = _json_body(request, body)
            try:
                chunk = base64.b64decode(str(data.get("media", "")), validate=True)
            except (binascii.Error, ValueError):
                return invalid_request("media must be base64", "media")
            index = data.get("segment_index")
        _append(service, record, index, chunk)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": {"expires_at": int(record.expires_at)}})


async def media_finalize(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    try:
        record = _lookup(service, who, request.path_params["id"])
        _finalize(service, record)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": _media_view(service, record)})


async def media_status(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    query = request.query_params
    if "media_id" not in query:
        return invalid_request("media_id is required", "media_id")
    if query.get("command", "STATUS") != "STATUS":
        return invalid_request("command must be STATUS", "command")
    try:
        record = _lookup(service, who, query["media_id"])
    except MediaError as exc:
        return _v2_media_error(exc)
    if record.finalized_at is None:
        return invalid_request("media is not finalized", "media_id", [record.id])
    return _json({"data": _media_view(service, record)})


async def media_oneshot(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    if not ctype.lower().startswith("multipart/form-data"):
        return invalid_request("Content-Type must be multipart/form-data")
    try:
        parts = parse_multipart(body, ctype)
    except ValueError as exc:
        return invalid_request(str(exc))
    if "command" in parts:
        # The earlier command form (reference 5b) is deprecated in favour of the dedicated endpoints.
        return invalid_request("The command form is deprecated; use /2/media/upload/initialize", "command")
    if set(parts) - {"media", "media_category", "media_type", "additional_owners", "shared"}:
        return invalid_request("unknown field in media upload", "media")
    if "media" not in parts or "media_category" not in parts:
        return invalid_request("media and media_category are required", "media")
    category = parts["media_category"][0].decode("ascii", "replace")
    if category not in ("tweet_image", "dm_image"):
        return invalid_request("one-shot upload takes images; use the chunked endpoints for GIF and video",
                               "media_category", [category])
    content = parts["media"][0]
    media_type = parts["media_type"][0].decode() if "media_type" in parts else _sniff_image(content)
    if media_type is None:
        return invalid_request("media type unrecognized", "media")
    try:
        record = _initialize(service, who, media_type, len(content), category, "v2")
        _append(service, record, 0, content)  # images are at most 5 MiB, the size of one segment
        _finalize(service, record)
    except MediaError as exc:
        return _v2_media_error(exc)
    return _json({"data": _media_view(service, record)})


def _sniff_image(content: bytes) -> str | None:
    for media_type in ("image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp"):
        if _magic_matches(media_type, content[:16]):
            return media_type
    return None


# -- v1.1 upload.twitter.com ------------------------------------------------------------------------------------


def _v1_view(service: TwitterState, record: Media) -> dict[str, Any]:
    now = service.clock.now()
    out: dict[str, Any] = {"media_id": int(record.id), "media_id_string": record.id, "media_key": record.key,
                           "size": record.total_bytes, "expires_after_secs": max(0, int(record.expires_at - now))}
    info = record.processing_info(now)
    if info is not None:
        out["processing_info"] = info
    return out


async def v1_upload(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    ctype = request.headers.get("content-type", "")
    form: dict[str, Any]
    if ctype.lower().startswith("multipart/form-data"):
        try:
            parts = parse_multipart(body, ctype)
        except ValueError as exc:
            return v1_error(400, 38, str(exc))
        form = {k: (v if k == "media" else v.decode("utf-8", "replace")) for k, (v, _) in parts.items()}
    elif ctype.split(";")[0].strip().lower() == "application/x-www-form-urlencoded":
        pairs = parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
        form = dict(pairs)
        if len(form) != len(pairs):
            return v1_error(400, 38, "Parameters must not repeat.")
    else:
        return v1_error(400, 38, "Unsupported content type.")
    command = form.get("command")
    try:
        if command is None and isinstance(form.get("media"), bytes):  # the simple (non-chunked) image upload
            content = form["media"]
            media_type = _sniff_image(content)
            if media_type is None:
                return v1_error(400, 324, "media type unrecognized.")
            record = _initialize(service, who, media_type, len(content), form.get("media_category"), "v1.1")
            _append(service, record, 0, content)
            _finalize(service, record)
            return _json(_v1_view(service, record))
        if command == "INIT":
            record = _initialize(service, who, form.get("media_type"), form.get("total_bytes"),
                                 form.get("media_category"), "v1.1")
            return _json({"media_id": int(record.id), "media_id_string": record.id, "media_key": record.key,
                          "expires_after_secs": MEDIA_EXPIRES_AFTER})
        if command == "APPEND":
            record = _lookup(service, who, form.get("media_id"))
            media = form.get("media")
            if not isinstance(media, bytes):
                return v1_error(400, 38, "media parameter is missing.")
            _append(service, record, form.get("segment_index"), media)
            return Response(status_code=204)
        if command == "FINALIZE":
            record = _lookup(service, who, form.get("media_id"))
            _finalize(service, record)
            return _json(_v1_view(service, record), 201)
        return v1_error(400, 38, "command parameter is missing or invalid.")
    except MediaError as exc:
        return v1_error(exc.status, 324 if exc.status == 400 else 34, exc.message)


async def v1_status(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    query = request.query_params
    if query.get("command") != "STATUS" or "media_id" not in query:
        return v1_error(400, 38, "command=STATUS and media_id are required.")
    try:
        record = _lookup(service, who, query["media_id"])
    except MediaError as exc:
        return v1_error(exc.status, 34, exc.message)
    if record.finalized_at is None:
        return v1_error(400, 324, "Media is not finalized.")
    return _json(_v1_view(service, record))


# ---------------------------------------------------------------------------------------------- routes


def _oauth_mount(state: SandboxState, paths: tuple[str, ...], rate_group: str | None):
    """Dispatch to the current X OAuth server's routes among ``paths`` (looked up per request for reset)."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        server = state.oauth[OAUTH_NAME]
        routers = server.__dict__.setdefault("_x_routers", {})
        if paths not in routers:
            routers[paths] = Router(routes=[r for r in server.routes() if getattr(r, "path", None) in paths])
        if rate_group is None:
            await routers[paths](scope, receive, send)
            return
        client = scope.get("client") or ("-", 0)
        _, headers = _service(state).hit(rate_group, f"anon:{client[0]}")
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def send_adjusted(message: Message) -> None:
            # Buffer the (small) token answer: X issues a refresh token only when offline.access was granted.
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if start.get("status") == 200:
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                if isinstance(payload, dict) and "refresh_token" in payload and "offline.access" not in str(
                    payload.get("scope", "")
                ).split():
                    del payload["refresh_token"]
                    body = json.dumps(payload, separators=(",", ":")).encode()
                if isinstance(payload, dict) and payload.get("access_token"):  # the log shows no token values
                    state.record(NAME, "oauth2 token", scope=payload.get("scope"),
                                 refresh_token_issued="refresh_token" in payload)
            head = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            head += [(b"content-length", str(len(body)).encode())] + raw
            await send({**start, "headers": head})
            await send({"type": "http.response.body", "body": body})

        await routers[paths](scope, receive, send_adjusted)

    return dispatch


def _limit_headers_everywhere(state: SandboxState, app: Router):
    """Answers that no endpoint produced (unknown path 404, wrong method 405) get ``x-rate-limit-*`` too."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-rate-limit-limit" for k, _ in headers):
                    client = scope.get("client") or ("-", 0)
                    _, limits = _service(state).hit("other", f"anon:{client[0]}")
                    headers += [(k.encode(), v.encode()) for k, v in limits.items()]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_limits)
        except HTTPException as exc:  # Starlette raises 404/405 for the outer app to render; render it here
            await PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)(
                scope, receive, send_with_limits
            )

    return wrapped


class _ASGIEndpoint:
    """Lets a plain ASGI callable be a Route endpoint (Starlette treats functions as request handlers)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _api_routes(state: SandboxState) -> list[BaseRoute]:
    paths = x_oauth_config().paths
    e = _endpoint
    api = [
        Route("/2/tweets", e(state, "tweets_create", SCOPES_POST, create_tweet), methods=["POST"]),
        Route("/2/tweets/{id}", e(state, "tweets_delete", SCOPES_POST, delete_tweet), methods=["DELETE"]),
        Route("/2/users/me", e(state, "users_me", SCOPES_READ, users_me), methods=["GET"]),
        Route("/2/users/{id}/tweets", e(state, "users_tweets", SCOPES_READ, user_tweets), methods=["GET"]),
        Route("/2/media/upload/initialize", e(state, "media_chunked", SCOPES_MEDIA, media_initialize),
              methods=["POST"]),
        Route("/2/media/upload/{id}/append", e(state, "media_chunked", SCOPES_MEDIA, media_append), methods=["POST"]),
        Route("/2/media/upload/{id}/finalize", e(state, "media_chunked", SCOPES_MEDIA, media_finalize),
              methods=["POST"]),
        Route("/2/media/upload", e(state, "media_oneshot", SCOPES_MEDIA, media_oneshot), methods=["POST"]),
        Route("/2/media/upload", e(state, "media_status", SCOPES_MEDIA, media_status), methods=["GET"]),
        Route(paths.token, _ASGIEndpoint(_oauth_mount(state, (paths.token, paths.revoke), "oauth2"))),
        Route(paths.revoke, _ASGIEndpoint(_oauth_mount(state, (paths.token, paths.revoke), "oauth2"))),
    ]
    return [Mount(PREFIX, app=_limit_headers_everywhere(state, Router(routes=api)))]


def _upload_routes(state: SandboxState) -> list[BaseRoute]:
    upload = [
        Route("/1.1/media/upload.json", _endpoint(state, "v1_media_upload", frozenset(), v1_upload, v1=True),
              methods=["POST"]),
        Route("/1.1/media/upload.json", _endpoint(state, "media_status", frozenset(), v1_status, v1=True),
              methods=["GET"]),
    ]
    return [Mount(UPLOAD_PREFIX, app=_limit_headers_everywhere(state, Router(routes=upload)))]


def _web_routes(state: SandboxState) -> list[BaseRoute]:
    paths = x_oauth_config().paths
    return [Mount(WEB_PREFIX, app=_oauth_mount(state, (paths.authorize,), None))]


SERVICE = ServiceSpec(
    name=NAME, prefix=PREFIX, routes=_api_routes, oauth_factory=make_oauth_server, state_factory=TwitterState,
    description="X API v2 (api.x.com) with its OAuth 2.0 token endpoints",
)
UPLOAD_SERVICE = ServiceSpec(
    name=UPLOAD_NAME, prefix=UPLOAD_PREFIX, routes=_upload_routes,
    description="X v1.1 media upload (upload.twitter.com), OAuth 1.0a",
)
WEB_SERVICE = ServiceSpec(
    name=WEB_NAME, prefix=WEB_PREFIX, routes=_web_routes, description="x.com OAuth 2.0 authorize page",
)
