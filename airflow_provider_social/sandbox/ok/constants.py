"""The sandbox's OK application, users and groups, and the API's error codes (reference section 3.3)."""

from __future__ import annotations

NAME = "ok"  # the service (fb.do, REST-style methods, oauth/token.do): api.ok.ru
CONNECT_NAME = "ok_connect"  # connect.ok.ru: the authorization dialogue
UPLOAD_NAME = "ok_upload"  # the photo upload host the upload_url points at
PREFIX = "/ok-api"
CONNECT_PREFIX = "/ok-connect"
UPLOAD_PREFIX = "/ok-upload"
OAUTH_NAME = "ok"

# The registered application: the three values the developer's e-mail carries (user's guide, step 5).
SANDBOX_APP_ID = "512000000001"  # client_id
SANDBOX_APP_KEY = "CBASANDBOXABABABA"  # application_key (public)
SANDBOX_APP_SECRET = "0123456789ABCDEFSANDBOX0"  # application secret key (client_secret; signs calls)
SANDBOX_REDIRECT_URIS = ("http://127.0.0.1:8765/callback", "http://localhost:8765/callback")

SANDBOX_UID = "575000000001"
SANDBOX_GROUP_ID = "53000000000001"  # the user administers it
OTHER_GROUP_ID = "53000000000002"  # the user is a plain member: may not post as the group
FOREIGN_GROUP_ID = "53000000000003"  # the user is not a member

ALL_PERMISSIONS = "VALUABLE_ACCESS;LONG_ACCESS_TOKEN;PHOTO_CONTENT;GROUP_CONTENT"

MINUTE = 60.0
DAY = 86400.0
ACCESS_TTL = 30 * MINUTE  # UNCONFIRMED by docs (a code comment): the sandbox takes the shorter life
LONG_ACCESS_TTL = 30 * DAY  # LONG_ACCESS_TOKEN [confirmed]
REFRESH_TTL = 30 * DAY
CODE_TTL = 2 * MINUTE  # "The code parameter received is active for 2 minutes" [confirmed]
UPLOAD_TTL_MS = 86_399_988  # ttl_ms of the documented sample answer (about a day)

#: code -> name, as apiok.ru/en/dev/errors lists them; messages read "<NAME> : <detail>".
ERRORS: dict[int, str] = {
    1: "UNKNOWN",
    2: "SERVICE",
    3: "METHOD",
    4: "REQUEST",
    7: "ACTION_BLOCKED",
    8: "FLOOD_BLOCKED",
    9: "IP_BLOCKED",
    10: "PERMISSION_DENIED",
    11: "LIMIT_REACHED",
    21: "NOT_MULTIPART",
    24: "NOT_OWNER",
    50: "NOT_ADMIN",
    100: "PARAM",
    101: "PARAM_API_KEY",
    102: "PARAM_SESSION_EXPIRED",
    103: "PARAM_SESSION_KEY",
    104: "PARAM_SIGNATURE",
    105: "PARAM_RESIGNATURE",
    110: "PARAM_USER_ID",
    120: "PARAM_ALBUM_ID",
    121: "PARAM_PHOTO_ID",
    141: "PARAM_COMMENT_ID",
}
