"""The X sandbox's state: users, OAuth 1.0a credentials, posts, media, nonces and rate-limit windows."""

from __future__ import annotations

import hmac
import itertools
import math
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from starlette.requests import Request
from starlette.responses import Response

from ..clock import SandboxClock
from ..oauth_server import SANDBOX_USER_ID
from .billing import Billing
from .constants import (
    APP_OF_CREDENTIAL,
    DEFAULT_RATE_LIMITS,
    NAME,
    OAUTH1_MAX_SKEW,
    OAUTH_NAME,
    SANDBOX_CONSUMER_KEY,
    SANDBOX_CONSUMER_SECRET,
    SANDBOX_OAUTH_TOKEN,
    SANDBOX_OAUTH_TOKEN_SECRET,
    SANDBOX_USERNAME,
)
from .daily import DailyCaps
from .oauth1 import oauth1_signature, parse_oauth_header, request_base_url
from .records import Media, Principal, Tweet
from .responses import unauthorized, v1_error

if TYPE_CHECKING:
    from ..state import SandboxState


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
        from .history import FRIEND, FRIEND_ID, ReadHistory  # metrics, pagination tokens and seeding of reads

        self.users[FRIEND_ID] = dict(FRIEND)  # a second user of the app (tokens minted with its user_id)
        self.history = ReadHistory(self)
        #: What X would bill the app under pay-per-use (read through the control API's state dump).
        self.billing = Billing()
        #: The 24-hour caps of the app (every user and token of it) and of each user (:mod:`.daily`).
        self.daily = DailyCaps(self.clock)

    # -- configuration ---------------------------------------------------------------------------------------
    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/twitter``: ``{"rate_limits": {"tweets_create": {"limit": 2,
        "window": 60}}}`` changes those windows (and starts them afresh); the 24-hour caps are set as :mod:`.daily`
        says; answers every window's setting."""
        known = {"rate_limits"} | self.history.KNOWN | self.daily.KNOWN
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown settings {unknown}; known: {sorted(known)}")
        for group, spec in (data.get("rate_limits") or {}).items():
            if group not in self.rate_limits:
                raise ValueError(f"rate_limits: unknown group {group!r}; known: {sorted(self.rate_limits)}")
            if not isinstance(spec, dict) or not isinstance(spec.get("limit"), int) or spec["limit"] < 0:
                raise ValueError(f"rate_limits.{group}: expected {{'limit': <int >= 0>, 'window': <seconds>}}")
            self.set_rate_limit(group, spec["limit"], int(spec.get("window", DEFAULT_RATE_LIMITS[group][1])))
        self.history.configure(data)
        self.daily.configure(data)
        return {"rate_limits": {g: {"limit": lim, "window": win} for g, (lim, win) in self.rate_limits.items()},
                **self.daily.dump()}

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
            return Principal(check.info.user_id, "oauth2", frozenset(check.info.scope.split()),
                             app=APP_OF_CREDENTIAL.get(check.info.client_id, check.info.client_id))
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
        return Principal(token[2], "oauth1",
                         app=APP_OF_CREDENTIAL.get(oauth["oauth_consumer_key"], oauth["oauth_consumer_key"]))

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
                **self.daily.dump(),
                "billing": self.billing.dump(),
            }



def _service(state: SandboxState) -> TwitterState:
    return state.services[NAME]  # type: ignore[return-value]
