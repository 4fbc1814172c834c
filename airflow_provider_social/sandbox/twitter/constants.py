"""Names, prefixes, sandbox credentials and the documented limits of the X sandbox (reference sections 1-6)."""

from __future__ import annotations

import re

from ..oauth_server import SANDBOX_CLIENT_ID, SANDBOX_USER_ID

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
    # Reads: the per-user figures of X's rate-limit table for these endpoints (docs.x.com rate-limits; the
    # pay-per-use figures are UNCONFIRMED).
    "users_mentions": (300, 900),
    "tweets_search_recent": (300, 900),
    "media_oneshot": (500, 900),
    "media_chunked": (1875, 900),
    "media_status": (1000, 900),
    "usage_tweets": (50, 900),  # "an app rate limit of 50 requests per 15 minutes" (docs.x.com usage/tweets)
    "v1_media_upload": (1875, 900),
    "oauth2": (1000, 900),
    "other": (1000, 900),  # answers no endpoint produced (404 of an unknown path, 405)
}

# 24-hour caps of POST /2/tweets (reference section 6; see :mod:`.daily`). Current docs: 10,000/24 h per app, no
# per-user 24-hour cap (the user's limit is the 15-minute window above).
DAILY_WINDOW = 86400
DEFAULT_DAILY_LIMITS: dict[str, dict[str, int | None]] = {
    "tweets_create": {"app": 10_000, "user": None, "window": DAILY_WINDOW},
}
# The tier table of 2025-05: tier -> group -> (per app, per user) per 24 h.
TIER_DAILY_LIMITS: dict[str, dict[str, tuple[int | None, int | None]]] = {
    "free": {"tweets_create": (17, 17)},
    "basic": {"tweets_create": (1_667, 100)},
    "pro": {"tweets_create": (10_000, None)},
}
# The app a credential belongs to, where it is not the credential itself: one app in X's portal holds both an
# OAuth 2.0 client id and an OAuth 1.0a consumer key; the sandbox's pair are one app.
APP_OF_CREDENTIAL = {SANDBOX_CONSUMER_KEY: SANDBOX_CLIENT_ID}

POST_FIELDS = {
    "text", "media", "poll", "reply", "quote_tweet_id", "reply_settings", "for_super_followers_only", "geo",
    "direct_message_deep_link", "card_uri", "nullcast", "community_id", "edit_options", "made_with_ai",
}
TWEET_READ_FIELDS = {"id", "text", "created_at", "author_id", "referenced_tweets", "attachments",
                     "edit_history_tweet_ids", "conversation_id"}
_ID_RE = re.compile(r"^[0-9]{1,19}$")
