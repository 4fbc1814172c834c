"""Twitter/X: posts with media, polls, replies and quotes, threads, media uploads, OAuth 2.0 PKCE and OAuth 1.0a.

Facts and sources: shared/reference/twitter_x_yandex.md sections 1-6. Where the reference says UNCONFIRMED, the
client takes the tolerant reading (and says so); the sandbox takes the strict one.

Auth modes (Connection extra ``auth_mode``, default: ``oauth2`` when OAuth 2.0 tokens are present, else
``oauth1``):

* ``oauth2`` -- user access token (2 hours) renewed with the single-use, rotating refresh token through the token
  store (see docs/tokens.md); ``Authorization: Bearer``.
* ``oauth1`` -- consumer key/secret + access token/secret, HMAC-SHA1 signatures (requests-oauthlib); they never
  expire. Required by the v1.1 upload flow (extra ``media_upload_api: v1.1``).

The hook is a package split by concern. :class:`TwitterHook` is thin: it owns the connection, the transport and the
credentials, and hands each concern object exactly what it needs (``hook.account``, ``hook.media``,
``hook.posting``); its public methods delegate to them:

* :mod:`.connection` -- the declaration (Connection form, ``airflow social auth twitter``); standard library only
* :mod:`.policy` -- error classes, the problem+json / v1.1 error tables, refused credentials, the response policy
* :mod:`.values` -- X's limits, media types, a post's fields (:class:`TweetFields`) validated into a
  :class:`TweetSpec`, the no-double-post matcher
* :mod:`.auth` -- token kinds and the rules for the connection's credentials (auth mode, OAuth 1.0a keys)
* :mod:`.calls` -- the table of declared API calls and :class:`.calls.TwitterClient`, the one way they are sent
* :mod:`.account` -- the authorised account (``hook.account``)
* :mod:`.media` -- media uploads and processing status (``hook.media``); :mod:`.posting` -- validation, posts,
  threads, delete (``hook.posting``)
* :mod:`.hook` -- :class:`TwitterHook` itself
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_social.hooks.twitter.connection import DEFAULT_SCOPES
    from airflow_provider_social.hooks.twitter.hook import TwitterHook
    from airflow_provider_social.hooks.twitter.policy import (
        SERVICE,
        X_PROBLEMS,
        X_V1_CODES,
        DuplicateTweetError,
        MediaProcessingError,
        TwitterPolicy,
        twitter_error_parser,
    )
    from airflow_provider_social.hooks.twitter.values import (
        CHUNK_SIZE,
        DEDUPE_WINDOW_MINUTES,
        MAX_PROCESSING_WAIT,
        MAX_WEIGHTED_LENGTH,
        MEDIA_TYPES,
        MIB,
        MediaFile,
        RecentPosts,
        TweetFields,
        TweetSpec,
        _id,
        tweet_url,
        weighted_length,
    )

# Imported on first use: get_provider_info reads .connection at every Airflow start-up, and DAG files import this
# package; neither should pull in Airflow's SDK, requests and twitter-text through this __init__.
_LAZY = {
    "connection": ("DEFAULT_SCOPES",),
    "hook": ("TwitterHook",),
    "policy": (
        "SERVICE", "X_PROBLEMS", "X_V1_CODES", "DuplicateTweetError", "MediaProcessingError", "TwitterPolicy",
        "twitter_error_parser",
    ),
    "values": (
        "CHUNK_SIZE", "DEDUPE_WINDOW_MINUTES", "MAX_PROCESSING_WAIT", "MAX_WEIGHTED_LENGTH", "MEDIA_TYPES", "MIB",
        "MediaFile", "RecentPosts", "TweetFields", "TweetSpec", "_id", "tweet_url", "weighted_length",
    ),
}


__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "CHUNK_SIZE",
    "DEDUPE_WINDOW_MINUTES",
    "DEFAULT_SCOPES",
    "DuplicateTweetError",
    "MAX_PROCESSING_WAIT",
    "MAX_WEIGHTED_LENGTH",
    "MEDIA_TYPES",
    "MIB",
    "MediaFile",
    "MediaProcessingError",
    "RecentPosts",
    "SERVICE",
    "TweetFields",
    "TweetSpec",
    "TwitterHook",
    "TwitterPolicy",
    "X_PROBLEMS",
    "X_V1_CODES",
    "_id",
    "tweet_url",
    "twitter_error_parser",
    "weighted_length",
]
