"""X (Twitter): OAuth 2.0 with PKCE, OAuth 1.0a, posts, media uploads (v2 and v1.1) and rate limits. Strict.

==================  ====================  ==========================================================================
Prefix              Service name          Emulates
==================  ====================  ==========================================================================
``/x``              ``twitter_web``       ``https://x.com``: ``/i/oauth2/authorize`` (redirects at once while
                                          auto-approve is on, else a consent form)
``/x-api``          ``twitter``           ``https://api.x.com``: ``/2/oauth2/token``, ``/2/oauth2/revoke``,
                                          ``POST /2/tweets``, ``DELETE /2/tweets/{id}``, ``GET /2/users/me``,
                                          ``GET /2/users/{id}/tweets``, ``/2/users/{id}/mentions``,
                                          ``/2/tweets/search/recent`` (paged reads), ``POST /2/media/upload``
                                          (one-shot),
                                          ``/2/media/upload/initialize``, ``/{id}/append``, ``/{id}/finalize``,
                                          ``GET /2/media/upload?media_id=`` (status)
``/x-upload``       ``twitter_upload``    ``https://upload.twitter.com``: ``/1.1/media/upload.json`` (INIT, APPEND,
                                          FINALIZE, STATUS; OAuth 1.0a only)
==================  ====================  ==========================================================================

Facts and their sources: shared/reference/twitter_x_yandex.md sections 1-6. Where the reference says
UNCONFIRMED, this sandbox takes the stricter reading and says so in a comment; the client takes the tolerant one.

What is verified: OAuth 2.0 (through :mod:`..oauth_server`: 30 s single-use codes, PKCE required, confidential vs
public clients, 2 h access tokens, single-use rotating refresh tokens with family revocation on reuse, revoke);
OAuth 1.0a HMAC-SHA1 signatures recomputed from the request exactly as the reference describes, stale timestamps
(more than 5 minutes from the sandbox clock) and reused nonces refused; scopes per endpoint; post validation
(weighted length via twitter-text, media/poll/quote exclusivity and counts, poll limits, reply and quote targets,
duplicate text -> 403); media segment indexes, chunk sizes, totals, types and magic bytes, processing states
pending -> in_progress -> succeeded/failed over the sandbox clock, and expiry; ``x-rate-limit-*`` headers on every
response and 429 once a window is spent, and the 24-hour caps of POST /2/tweets per app and per user (:mod:`.daily`).
Windows are configurable: ``state.services["twitter"].set_rate_limit``, ``POST /_control/state/twitter``.

Modules: :mod:`.constants` (names, credentials, limits), :mod:`.responses` (error shapes), :mod:`.oauth1`
(signatures), :mod:`.records` (principal, posts, media), :mod:`.state` (users, tokens, nonces, rate windows),
:mod:`.oauth` (OAuth 2.0 server and its refusals), :mod:`.limits` (the endpoint wrapper), :mod:`.daily` (24-hour
caps), :mod:`.tweets`,
:mod:`.media`, :mod:`.reads` and :mod:`.history` (paged reads, metrics, seeding), :mod:`.routes`.
"""

from __future__ import annotations

from ..multipart import parse_multipart
from ..oauth_server import SANDBOX_USER_ID
from ..state import ServiceSpec
from .constants import (
    DEFAULT_SCOPE,
    NAME,
    OAUTH_NAME,
    PREFIX,
    SANDBOX_CONSUMER_KEY,
    SANDBOX_CONSUMER_SECRET,
    SANDBOX_OAUTH_TOKEN,
    SANDBOX_OAUTH_TOKEN_SECRET,
    SANDBOX_USERNAME,
    UPLOAD_NAME,
    UPLOAD_PREFIX,
    WEB_NAME,
    WEB_PREFIX,
)
from .oauth import X_REFUSALS, make_oauth_server, x_oauth_config
from .oauth1 import oauth1_signature, parse_oauth_header, pct
from .routes import _api_routes, _upload_routes, _web_routes
from .state import TwitterState

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

__all__ = [
    "DEFAULT_SCOPE", "NAME", "OAUTH_NAME", "PREFIX", "SANDBOX_CONSUMER_KEY", "SANDBOX_CONSUMER_SECRET",
    "SANDBOX_OAUTH_TOKEN", "SANDBOX_OAUTH_TOKEN_SECRET", "SANDBOX_USERNAME", "SANDBOX_USER_ID", "SERVICE",
    "UPLOAD_NAME", "UPLOAD_PREFIX", "UPLOAD_SERVICE", "WEB_NAME", "WEB_PREFIX", "WEB_SERVICE", "X_REFUSALS",
    "TwitterState", "make_oauth_server", "oauth1_signature", "parse_multipart", "parse_oauth_header", "pct",
    "x_oauth_config",
]
