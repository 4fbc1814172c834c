"""Twitter/X: posts with media, polls, replies and quotes, threads, media uploads, OAuth 2.0 PKCE and OAuth 1.0a.

Facts and sources: shared/reference/twitter_x_yandex.md sections 1-6. Where the reference says UNCONFIRMED, the
client takes the tolerant reading (and says so); the sandbox takes the strict one.

Auth modes (Connection extra ``auth_mode``, default: ``oauth2`` when OAuth 2.0 tokens are present, else
``oauth1``):

* ``oauth2`` -- user access token (2 hours) renewed with the single-use, rotating refresh token through the token
  store (see README "Token lifecycle"); ``Authorization: Bearer``.
* ``oauth1`` -- consumer key/secret + access token/secret, HMAC-SHA1 signatures (requests-oauthlib); they never
  expire. Required by the v1.1 upload flow (extra ``media_upload_api: v1.1``).
"""

from __future__ import annotations

import html
import json
import re
import secrets
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.errors import (
    ApiErrorInfo,
    AuthenticationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
    QuotaExceededError,
    RateLimitError,
    ServerError,
    SocialApiError,
    ValidationError,
    error_body,
    input_error,
)
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.oauth import OAuth1Auth, OAuth2Client, TokenAuth, oauth1_auth
from airflow_provider_social.core.tokens import TokenManager, TokenSet
from airflow_provider_social.core.uploads import MultipartStream, check_local_file, check_size
from airflow_provider_social.hooks.base import SocialHook
from airflow_provider_social.hooks.twitter_connection import DEFAULT_SCOPES  # noqa: F401 - declared with the form

if TYPE_CHECKING:
    import requests

SERVICE = "X"
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


class DuplicateTweetError(ConflictError):
    """X refused the post because the account already posted the same text (HTTP 403, v1.1 code 187)."""


class MediaProcessingError(SocialApiError):
    """X could not process an uploaded GIF or video (``processing_info.state == "failed"``)."""


# ---------------------------------------------------------------------------------------------- errors

_PROBLEM_RE = re.compile(r"^https?://api\.(?:twitter|x)\.com/2/problems/(?P<name>[a-z0-9-]+)$")

#: problem+json ``type`` names (either host) -> error class.
X_PROBLEMS: dict[str, type[SocialApiError]] = {
    "invalid-request": ValidationError,
    "resource-not-found": NotFoundError,
    "not-authorized-for-resource": PermissionDeniedError,
    "client-forbidden": PermissionDeniedError,
    "disallowed-resource": PermissionDeniedError,
    "unsupported-authentication": AuthenticationError,
    "usage-capped": RateLimitError,
    "duplicate-rules": ConflictError,
    "rule-cap": QuotaExceededError,
    "streaming-connection": ConflictError,
    "resource-unavailable": PermissionDeniedError,
}
#: v1.1 ``errors[].code`` -> error class.
X_V1_CODES: dict[int, type[SocialApiError]] = {
    32: AuthenticationError,
    89: AuthenticationError,
    135: AuthenticationError,
    215: AuthenticationError,
    220: PermissionDeniedError,
    88: RateLimitError,
    187: DuplicateTweetError,
    324: ValidationError,
    34: NotFoundError,
}
_HINTS = {
    "duplicate": "X refuses identical text from one account; change the text or delete the earlier post",
    "unsupported-authentication": "this endpoint needs user context (OAuth 2.0 user token or OAuth 1.0a)",
    "usage-capped": "the app's monthly post cap is spent; see the X developer portal",
    "client-forbidden": "the app is not attached to a project or lacks access to this endpoint",
}


def twitter_error_parser(response: requests.Response) -> ApiErrorInfo | None:
    """problem+json (``https://api.x.com/2/problems/...`` or ``https://api.twitter.com/...``), ``about:blank``
    problems, and v1.1 ``{"errors": [{"code", "message"}]}`` bodies."""
    body = error_body(response)
    if isinstance(body, ApiErrorInfo):
        return body
    if isinstance(body.get("errors"), list) and "title" not in body and "detail" not in body:
        first = body["errors"][0] if body["errors"] and isinstance(body["errors"][0], dict) else {}
        code = first.get("code")
        message = "; ".join(str(e.get("message", "")) for e in body["errors"] if isinstance(e, dict))
        cls = X_V1_CODES.get(code) if isinstance(code, int) else None
        return ApiErrorInfo(code=code, message=message[:500], error_class=cls,
                            hint=_HINTS["duplicate"] if cls is DuplicateTweetError else "")
    kind = str(body.get("type") or "")
    detail = str(body.get("detail") or body.get("title") or body.get("error_description") or "")
    extra = [str(e.get("message")) for e in body.get("errors") or [] if isinstance(e, dict) and e.get("message")]
    message = "; ".join([detail, *extra]) if extra else detail
    match = _PROBLEM_RE.match(kind)
    if match:
        name = match.group("name")
        return ApiErrorInfo(code=name, message=message[:500], error_class=X_PROBLEMS.get(name),
                            hint=_HINTS.get(name, ""))
    if "duplicate content" in detail.lower():
        return ApiErrorInfo(code="duplicate", message=detail, error_class=DuplicateTweetError,
                            hint=_HINTS["duplicate"])
    if body.get("error"):  # an OAuth 2.0 token endpoint error
        return ApiErrorInfo(code=body["error"], message=message or str(body["error"]))
    return ApiErrorInfo(code=body.get("title"), message=message[:500])


# ---------------------------------------------------------------------------------------------- values


@dataclass(frozen=True)
class MediaFile:
    """A local file checked against X's rules: its kind, type, category and size."""

    path: Path
    kind: str  # "image" | "gif" | "video"
    media_type: str
    category: str
    size: int


@dataclass(frozen=True)
class TweetSpec:
    """One post, validated. Built by :meth:`TwitterHook.validate_tweet` before any network call."""

    text: str
    media: tuple[MediaFile, ...] = ()
    media_ids: tuple[str, ...] = ()
    poll_options: tuple[str, ...] = ()
    poll_duration_minutes: int | None = None
    reply_to: str | None = None
    quote_tweet_id: str | None = None

    def body(self, media_ids: Sequence[str] = ()) -> dict[str, Any]:
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
    """X's weighted length (URLs 23, CJK and emoji 2), via twitter-text-parser (config v3)."""
    from twitter_text import parse_tweet

    return int(parse_tweet(unicodedata.normalize("NFC", text)).weightedLength)


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


# ---------------------------------------------------------------------------------------------- bodies


class _Found(Exception):
    """Internal: an earlier identical post was found while handling a failed create."""

    def __init__(self, tweet: dict[str, Any]) -> None:
        super().__init__(tweet["id"])
        self.tweet = tweet


# ---------------------------------------------------------------------------------------------- hook


class TwitterHook(SocialHook):
    """Twitter/X API v2 (and the v1.1 media upload) for one account.

    Connection ``twitter`` extras: ``client_id``, ``client_secret`` (absent for public clients), ``redirect_uri``,
    ``scope``, ``access_token``, ``refresh_token``, ``expires_at`` (OAuth 2.0); ``oauth_consumer_key``,
    ``oauth_consumer_secret``, ``oauth_token``, ``oauth_token_secret`` (OAuth 1.0a); ``api_base_url``,
    ``upload_base_url``, ``authorize_url``; ``auth_mode`` (``oauth2``/``oauth1``), ``media_upload_api``
    (``v2``/``v1.1``), ``dedupe_window_minutes``.

    :param twitter_conn_id: the Connection ID, default ``twitter_default``.
    :param dedupe_window_minutes: how far back the no-double-post check looks (default from the Connection, 15).
    """

    conn_name_attr = "twitter_conn_id"
    default_conn_name = "twitter_default"
    conn_type = "twitter"
    hook_name = "Twitter/X"

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {
        "api_base_url": "https://api.x.com",
        "upload_base_url": "https://upload.twitter.com",
        "authorize_url": "https://x.com/i/oauth2/authorize",
    }
    error_parser = staticmethod(twitter_error_parser)
    reauth_command = "airflow social auth twitter --conn-id {conn_id}"
    default_timeout: ClassVar[tuple[float, float]] = (10.0, 120.0)
    chunk_size: ClassVar[int] = CHUNK_SIZE

    def __init__(self, twitter_conn_id: str | None = None, *, dedupe_window_minutes: float | None = None,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=twitter_conn_id, **kwargs)
        self.twitter_conn_id = self.conn_id
        self._dedupe_window = dedupe_window_minutes
        self._me: dict[str, Any] | None = None

    # ---------------------------------------------------------------------------------------------- settings
    @property
    def auth_mode(self) -> str:
        mode = self.extra("auth_mode")
        if mode is None:
            has_oauth2 = bool(self.extra("access_token") or self.extra("refresh_token") or self.connection.password)
            mode = "oauth2" if has_oauth2 or not self.extra("oauth_consumer_key") else "oauth1"
        if mode not in ("oauth2", "oauth1"):
            raise input_error("auth_mode", f"must be 'oauth2' or 'oauth1', got {mode!r}", service=SERVICE)
        return str(mode)

    @property
    def media_upload_api(self) -> str:
        api = str(self.extra("media_upload_api", "v2"))
        if api not in ("v2", "v1.1"):
            raise input_error("media_upload_api", f"must be 'v2' or 'v1.1', got {api!r}", service=SERVICE)
        return api

    @property
    def dedupe_window(self) -> timedelta:
        minutes: Any = self._dedupe_window
        if minutes is None:
            minutes = self.extra("dedupe_window_minutes", DEDUPE_WINDOW_MINUTES)
        try:
            value = float(minutes)
        except (TypeError, ValueError):
            value = -1.0
        if value < 0:
            raise input_error("dedupe_window_minutes", f"must be a number of minutes >= 0, got {minutes!r}",
                              service=SERVICE)
        return timedelta(minutes=value)

    # ---------------------------------------------------------------------------------------------- auth
    @cached_property
    def oauth_client(self) -> OAuth2Client:
        """X's token endpoints; Basic auth for confidential clients, ``client_id`` in the body for public ones."""
        api = self.endpoint("api_base_url")
        return OAuth2Client(
            self.transport,
            token_url=f"{api}/2/oauth2/token",
            revoke_url=f"{api}/2/oauth2/revoke",
            client_id=self.extra("client_id"),
            client_secret=self.secret_extra("client_secret"),
            client_auth="basic",
        )

    @cached_property
    def token_manager(self) -> TokenManager:
        seed = TokenSet(
            access_token=self.secret_extra("access_token") or self.connection.password or None,
            refresh_token=self.secret_extra("refresh_token"),
            expires_at=float(self.extra("expires_at")) if self.extra("expires_at") else None,
            scope=self.extra("scope"),
        )
        can_refresh = bool(seed.refresh_token and self.extra("client_id"))
        return self.make_token_manager(seed, self.oauth_client.refresh if can_refresh else None)

    @cached_property
    def oauth1(self) -> OAuth1Auth:
        names = ("oauth_consumer_key", "oauth_consumer_secret", "oauth_token", "oauth_token_secret")
        values = {name: self.secret_extra(name) for name in names}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise input_error(
                ", ".join(missing),
                "OAuth 1.0a needs the consumer key/secret (Consumer Keys -> API Key and Secret) and the access "
                "token/secret (Authentication Tokens -> Access Token and Secret) in the connection",
                service=SERVICE,
            )
        return oauth1_auth(values["oauth_consumer_key"] or "", values["oauth_consumer_secret"] or "",
                           values["oauth_token"], values["oauth_token_secret"])

    @cached_property
    def auth(self) -> Auth:
        if self.auth_mode == "oauth1":
            return self.oauth1
        return TokenAuth(self.token_manager, scheme="Bearer")

    @classmethod
    def for_authorization(cls, *, conn_id: str, client_id: str, client_secret: str | None = None,
                          api_base_url: str | None = None, **kwargs: Any) -> TwitterHook:
        """A hook for the first authorisation, before the Connection holds any token (used by the CLI)."""
        from airflow.sdk import Connection

        hook = cls(conn_id, **kwargs)
        extra = {"client_id": client_id, "client_secret": client_secret, "api_base_url": api_base_url}
        extra = {k: v for k, v in extra.items() if v}
        hook.__dict__["connection"] = Connection(conn_id=conn_id, conn_type=cls.conn_type, extra=json.dumps(extra))
        return hook

    def refresh_tokens(self) -> TokenSet:
        """Rotate the OAuth 2.0 tokens now (the "keep tokens fresh" task) and persist them; returns the new set."""
        if self.auth_mode != "oauth2":
            raise input_error("auth_mode", "OAuth 1.0a credentials do not expire; nothing to refresh",
                              service=SERVICE, operation="refresh token")
        return self.token_manager.refresh(force=True)

    # ---------------------------------------------------------------------------------------------- calls
    def _call(self, method: str, path: str, *, operation: str, endpoint: str = "api_base_url",
              **kwargs: Any) -> requests.Response:
        try:
            return self.transport.request(method, self.url(endpoint, path), operation=operation, auth=self.auth,
                                          **kwargs)
        except AuthenticationError as exc:
            if exc.status_code == 401 and not exc.hint.startswith("re-authorise"):
                exc.hint = (
                    "the OAuth 1.0a keys were refused; check the consumer key/secret and access token/secret"
                    if self.auth_mode == "oauth1"
                    else "the token was refused even after a refresh; run "
                    f"`{self.reauth_command.format(conn_id=self.conn_id)}`"
                )
            raise

    # ---------------------------------------------------------------------------------------------- account
    def get_me(self) -> dict[str, Any]:
        """``GET /2/users/me``: ``{"id", "name", "username"}`` of the authorised account."""
        if self._me is None:
            self._me = self._call("GET", "/2/users/me", operation="get me").json()["data"]
        return dict(self._me)

    def check_connection(self) -> str:
        me = self.get_me()
        return f"Connected to X as @{me.get('username')} (id {me.get('id')}, {self.auth_mode})"

    # ---------------------------------------------------------------------------------------------- validation
    @staticmethod
    def check_media_file(path: str | Path, *, field: str = "media_paths") -> MediaFile:
        """Type and size of one local file, checked before anything is sent."""
        p = check_local_file(path, field=field, service=SERVICE)
        suffix = p.suffix.lower()
        if suffix not in MEDIA_TYPES:
            allowed = ", ".join(sorted(MEDIA_TYPES))
            raise input_error(field, f"{p.name}: unsupported file type {suffix or '(none)'}; use {allowed}",
                              service=SERVICE)
        kind, media_type, category, limit = MEDIA_TYPES[suffix]
        size = p.stat().st_size
        if size == 0:
            raise input_error(field, f"{p.name} is empty", service=SERVICE)
        check_size(size, limit, field=field, what=f"{kind} {p.name}", service=SERVICE)
        return MediaFile(p, kind, media_type, category, size)

    @classmethod
    def validate_tweet(
        cls,
        text: str | None = None,
        *,
        media_paths: Sequence[str | Path] | None = None,
        media_ids: Sequence[str | int] | None = None,
        poll_options: Sequence[str] | None = None,
        poll_duration_minutes: int | None = None,
        reply_to: str | int | None = None,
        quote_tweet_id: str | int | None = None,
    ) -> TweetSpec:
        """Check one post against X's rules and return it ready to send; raises ValidationError naming the field.

        Rules (reference sections 3-5): weighted length <= 280; up to 4 images, or 1 GIF, or 1 video; a poll has
        2-4 options of 1-25 characters and lasts 5-10080 minutes; media, poll and quote exclude each other; text
        may be empty only when media is attached.
        """
        if isinstance(media_paths, (str, Path)):
            media_paths = [media_paths]
        if isinstance(poll_options, str):
            raise input_error("poll_options", "must be a list of 2-4 strings, not one string", service=SERVICE)
        text = unicodedata.normalize("NFC", text or "")
        media = tuple(cls.check_media_file(p) for p in media_paths or ())
        ids = tuple(_id(m, "media_ids") for m in media_ids or ())
        count = len(media) + len(ids)
        if count > 4:
            raise input_error("media_paths", f"{count} media given; a post takes at most 4 images", service=SERVICE)
        moving = [m for m in media if m.kind in ("gif", "video")]
        if moving and count > 1:
            raise input_error("media_paths", f"{moving[0].path.name} is a {moving[0].kind}: a post takes up to 4 "
                              "images, or 1 GIF, or 1 video", service=SERVICE)
        if not text and not count:
            raise input_error("text", "is required unless media is attached", service=SERVICE)
        if text:
            length = weighted_length(text)
            if length > MAX_WEIGHTED_LENGTH:
                raise input_error("text", f"weighted length {length} is over {MAX_WEIGHTED_LENGTH} (each URL counts "
                                  "23, CJK characters and emoji count 2)", service=SERVICE)
            from twitter_text import parse_tweet

            if not parse_tweet(text).valid:
                raise input_error("text", "contains characters X does not accept", service=SERVICE)
        options: tuple[str, ...] = ()
        if poll_options is not None or poll_duration_minutes is not None:
            options = tuple(unicodedata.normalize("NFC", str(o)) for o in poll_options or ())
            if not 2 <= len(options) <= 4:
                raise input_error("poll_options", f"a poll has 2 to 4 options, got {len(options)}", service=SERVICE)
            for option in options:
                if not 1 <= len(option) <= 25:
                    raise input_error("poll_options", f"option {option!r} has {len(option)} characters; 1-25 allowed",
                                      service=SERVICE)
            if len(set(options)) != len(options):
                raise input_error("poll_options", "options must differ", service=SERVICE)
            if (isinstance(poll_duration_minutes, bool) or not isinstance(poll_duration_minutes, int)
                    or not 5 <= poll_duration_minutes <= 10080):
                raise input_error("poll_duration_minutes", f"must be an integer from 5 to 10080 (7 days), got "
                                  f"{poll_duration_minutes!r}", service=SERVICE)
        reply = _id(reply_to, "reply_to") if reply_to not in (None, "") else None
        quote = _id(quote_tweet_id, "quote_tweet_id") if quote_tweet_id not in (None, "") else None
        exclusive = [name for name, present in (("media", count), ("poll", options), ("quote_tweet_id", quote))
                     if present]
        if len(exclusive) > 1:
            raise input_error(exclusive[1], f"cannot be combined with {exclusive[0]} in one post (X allows one of "
                              "media, poll, quote)", service=SERVICE)
        return TweetSpec(text, media, ids, options, poll_duration_minutes if options else None, reply, quote)

    # ---------------------------------------------------------------------------------------------- posting
    def create_tweet(
        self,
        text: str | None = None,
        *,
        media_paths: Sequence[str | Path] | None = None,
        media_ids: Sequence[str | int] | None = None,
        poll_options: Sequence[str] | None = None,
        poll_duration_minutes: int | None = None,
        reply_to: str | int | None = None,
        quote_tweet_id: str | int | None = None,
        dedupe: bool = False,
    ) -> dict[str, Any]:
        """Post one tweet; returns ``{"id", "text", "url", "deduplicated"}``.

        Everything is validated first; then files are uploaded (waiting for GIF/video processing), then the post
        is created. ``dedupe=True`` (set by operators on task retries) first looks for an identical post of this
        account within the dedupe window and returns it instead of posting again. Whatever ``dedupe`` says, a
        create that timed out or failed with 5xx is followed by that look-up before it is sent a second time.
        """
        spec = self.validate_tweet(text, media_paths=media_paths, media_ids=media_ids, poll_options=poll_options,
                                   poll_duration_minutes=poll_duration_minutes, reply_to=reply_to,
                                   quote_tweet_id=quote_tweet_id)
        if dedupe and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
            return existing  # found before uploading anything again
        uploaded = [self.upload_media(m.path)["media_id"] for m in spec.media]
        return self.post(spec, uploaded, dedupe=dedupe)

    def post(self, spec: TweetSpec, media_ids: Sequence[str] = (), *, dedupe: bool = False) -> dict[str, Any]:
        """Send a validated post (media already uploaded and processed) with the no-double-post protection.

        ``dedupe`` looks for an identical recent post first. A create that failed in a way that may have landed
        (timeout, dropped connection, 5xx) is looked up before it is sent once more; if X then refuses the
        resend as a duplicate (its timeline lagged behind the create), the post is looked up again and returned.
        """
        if dedupe and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
            return existing
        body = spec.body(media_ids)

        def send(maybe_landed: bool) -> requests.Response:
            try:
                return self._call("POST", "/2/tweets", operation="create tweet", json=body, idempotent=False)
            except DuplicateTweetError:
                if maybe_landed and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
                    raise _Found(existing) from None
                raise

        try:
            try:
                response = send(maybe_landed=dedupe)
            except ServerError:
                # Timed out, connection dropped, or 5xx: the post may have landed. Look before sending it again.
                if spec.text and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
                    return existing
                response = send(maybe_landed=True)
        except _Found as found:
            return found.tweet
        data = response.json()["data"]
        return {"id": str(data["id"]), "text": data.get("text", spec.text), "url": self._url_of(str(data["id"])),
                "deduplicated": False}

    def _url_of(self, tweet_id: str) -> str:
        # x.com/i/web/status/<id> opens any post without knowing the username (which would cost a users/me call).
        return tweet_url(tweet_id)

    def find_recent_tweet(self, text: str, *, reply_to: str | None = None) -> dict[str, Any] | None:
        """This account's post with the same text (URLs, entities and spacing aside) and reply target, posted
        within the dedupe window, or None. X's timeline can lag a few seconds behind a create (a limit)."""
        if not text:
            return None  # media-only posts cannot be matched by text
        me = self.get_me()
        since = datetime.fromtimestamp(self.clock(), tz=timezone.utc) - self.dedupe_window
        response = self._call(
            "GET", f"/2/users/{me['id']}/tweets", operation="look for an earlier identical post",
            params={"max_results": 100, "start_time": since.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "tweet.fields": "created_at,referenced_tweets"},
        )
        wanted = _normalise_for_match(text)
        for tweet in response.json().get("data") or []:
            replied = next((r["id"] for r in tweet.get("referenced_tweets") or [] if r.get("type") == "replied_to"),
                           None)
            if _normalise_for_match(tweet.get("text", "")) == wanted and replied == reply_to:
                return {"id": str(tweet["id"]), "text": tweet.get("text", ""), "url": self._url_of(str(tweet["id"])),
                        "deduplicated": True}
        return None

    def create_thread(self, tweets: Sequence[str | Mapping[str, Any]], *, dedupe: bool = False,
                      reply_to: str | int | None = None) -> list[dict[str, Any]]:
        """Post ``tweets`` as a reply chain and return every post (``id``, ``text``, ``url``), in order.

        Each item is a text or a dict of :meth:`create_tweet` arguments (``text``, ``media_paths``, ``poll_options``,
        ``poll_duration_minutes``, ...). All items are validated, then all media uploaded and processed, before the
        first post. With ``dedupe=True`` (task retries) posts already made are found and reused, so a retried
        thread continues where it stopped.
        """
        specs = self.validate_thread(tweets, reply_to=reply_to)
        uploaded = [[self.upload_media(m.path)["media_id"] for m in spec.media] for spec in specs]
        return self.post_thread(specs, uploaded, dedupe=dedupe)

    @classmethod
    def validate_thread(cls, tweets: Sequence[str | Mapping[str, Any]], *,
                        reply_to: str | int | None = None) -> list[TweetSpec]:
        if isinstance(tweets, (str, Mapping)) or not tweets:
            raise input_error("tweets", "must be a non-empty list of texts or dicts", service=SERVICE)
        specs = []
        for number, item in enumerate(tweets):
            args = {"text": item} if isinstance(item, str) else dict(item)
            unknown = set(args) - {"text", "media_paths", "media_ids", "poll_options", "poll_duration_minutes",
                                   "quote_tweet_id"}
            if unknown:
                raise input_error(f"tweets[{number}]", f"unknown keys {sorted(unknown)}", service=SERVICE)
            try:
                specs.append(cls.validate_tweet(reply_to=reply_to if number == 0 else None, **args))
            except ValidationError as exc:
                raise input_error(f"tweets[{number}]", exc.api_message, service=SERVICE) from None
        return specs

    def post_thread(self, specs: Sequence[TweetSpec], media_ids: Sequence[Sequence[str]], *,
                    dedupe: bool = False) -> list[dict[str, Any]]:
        posted: list[dict[str, Any]] = []
        previous = specs[0].reply_to if specs else None
        for spec, ids in zip(specs, media_ids, strict=True):
            spec = TweetSpec(spec.text, spec.media, spec.media_ids, spec.poll_options, spec.poll_duration_minutes,
                             previous, spec.quote_tweet_id)
            result = self.post(spec, ids, dedupe=dedupe)
            posted.append(result)
            previous = result["id"]
        return posted

    def delete_tweet(self, tweet_id: str | int) -> bool:
        """``DELETE /2/tweets/{id}``; True when X reports it deleted."""
        tweet_id = _id(tweet_id, "tweet_id")
        response = self._call("DELETE", f"/2/tweets/{tweet_id}", operation="delete tweet")
        return bool(response.json().get("data", {}).get("deleted"))

    # ---------------------------------------------------------------------------------------------- media
    def upload_media(self, path: str | Path, *, media_category: str | None = None,
                     wait: bool = True) -> dict[str, Any]:
        """Upload one file; returns ``{"media_id", "media_key", "kind", "state"}`` (``state`` is ``succeeded``
        once usable). Images go through the one-shot v2 endpoint; GIFs and videos through initialize / append
        (<= 4 MiB segments streamed from disk) / finalize, then, with ``wait``, the processing wait honouring
        ``check_after_secs``. With the Connection's ``media_upload_api: v1.1`` everything goes to
        ``upload.twitter.com`` signed with OAuth 1.0a."""
        media = self.check_media_file(path, field="path")
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
            return MultipartStream({"media_category": category}, "media", media.path, boundary=boundary,
                                   filename=media.path.name, content_type=media.media_type)

        response = self._call("POST", "/2/media/upload", operation="upload media", body=body, idempotent=True,
                              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"})
        return self._result(response.json()["data"], media.kind)

    def _segments(self, size: int) -> Iterator[tuple[int, int, int]]:
        chunk = max(self.chunk_size, -(-size // 1000))  # at most 1000 segments (indexes 0-999)
        for index, offset in enumerate(range(0, size, chunk)):
            yield index, offset, min(chunk, size - offset)

    def _upload_chunked(self, media: MediaFile, category: str) -> dict[str, Any]:
        # initialize only creates an id that expires unused, so repeating it after a 5xx is harmless.
        init = self._call("POST", "/2/media/upload/initialize", operation="initialize media upload",
                          json={"media_type": media.media_type, "total_bytes": media.size,
                                "media_category": category}, idempotent=True).json()["data"]
        media_id = str(init["id"])
        for index, offset, length in self._segments(media.size):
            self._append(f"/2/media/upload/{media_id}/append", {"segment_index": index}, media, offset, length,
                         endpoint="api_base_url")
        data = self._call("POST", f"/2/media/upload/{media_id}/finalize", operation="finalize media upload",
                          idempotent=True).json()["data"]
        return self._result(data, media.kind)

    def _append(self, path: str, fields: dict[str, Any], media: MediaFile, offset: int, length: int, *,
                endpoint: str) -> None:
        boundary = secrets.token_hex(16)

        def body() -> MultipartStream:
            return MultipartStream(fields, "media", media.path, offset=offset, length=length, boundary=boundary)

        # Re-sending a segment index replaces it, so appends are safe to retry.
        self._call("POST", path, operation="append media segment", endpoint=endpoint, body=body, idempotent=True,
                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}).close()

    def _upload_v1(self, media: MediaFile, category: str) -> dict[str, Any]:
        path = "/1.1/media/upload.json"
        auth = self.oauth1

        def form(operation: str, data: dict[str, Any]) -> dict[str, Any]:
            return self.transport.request("POST", self.url("upload_base_url", path), operation=operation,
                                          auth=auth, data=data, idempotent=True).json()

        init = form("initialize media upload (v1.1)", {"command": "INIT", "total_bytes": media.size,
                                                       "media_type": media.media_type, "media_category": category})
        media_id = str(init["media_id_string"])
        for index, offset, length in self._segments(media.size):
            boundary = secrets.token_hex(16)
            fields = {"command": "APPEND", "media_id": media_id, "segment_index": index}

            def body(fields: dict[str, Any] = fields, offset: int = offset, length: int = length,
                     boundary: str = boundary) -> MultipartStream:
                return MultipartStream(fields, "media", media.path, offset=offset, length=length, boundary=boundary)

            self.transport.request("POST", self.url("upload_base_url", path), operation="append media segment",
                                   auth=auth, body=body, idempotent=True,
                                   headers={"Content-Type": f"multipart/form-data; boundary={boundary}"}).close()
        data = form("finalize media upload (v1.1)", {"command": "FINALIZE", "media_id": media_id})
        return self._result(data, media.kind)

    def get_media_status(self, media_id: str | int) -> dict[str, Any]:
        """The media's processing state: ``{"media_id", "media_key", "kind", "state", "check_after_secs"}``;
        raises :class:`MediaProcessingError` when X reports ``failed``."""
        media_id = _id(media_id, "media_id")
        if self.media_upload_api == "v1.1":
            data = self.transport.request(
                "GET", self.url("upload_base_url", "/1.1/media/upload.json"), operation="get media status",
                auth=self.oauth1, params={"command": "STATUS", "media_id": media_id}).json()
        else:
            data = self._call("GET", "/2/media/upload", operation="get media status",
                              params={"command": "STATUS", "media_id": media_id}).json()["data"]
        return self._result(data, "")

    def wait_for_media(self, media_id: str, last: Mapping[str, Any] | None = None, *,
                       max_wait: float = MAX_PROCESSING_WAIT) -> dict[str, Any]:
        """Poll until X has processed the media, sleeping ``check_after_secs`` between polls (never busy-waits)."""
        status = dict(last) if last else self.get_media_status(media_id)
        deadline = self.clock() + max_wait
        while status["state"] in ("pending", "in_progress"):
            wait = float(status.get("check_after_secs") or 1)
            if self.clock() + wait > deadline:
                raise SocialApiError(
                    f"media {media_id} is still {status['state']} after {max_wait:.0f} s", service=SERVICE,
                    operation="wait for media processing",
                    hint="use deferrable=True to wait in the triggerer, or raise max_wait",
                )
            self.sleep(wait)
            kind = status.get("kind", "")
            status = {**self.get_media_status(media_id), "kind": kind}
        return status
