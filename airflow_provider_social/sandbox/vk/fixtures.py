"""The sandbox VK world's fixed ids, scopes and limits (state, shop and VK ID read them; none of them imports
another sandbox module)."""

from __future__ import annotations

GROUP_ID = 1000001
GROUP_SCREEN_NAME = "club1000001"
GROUP_NAME = "Sandbox Community"
OTHER_GROUP_ID = 1000002  # a community user 1 does not administer (wall.post there -> 214)
ADMIN_USER_ID = 1
APP_ID = 51000001
USER_TOKEN_TTL = 3600  # user keys live 1 hour (dev.vk.com access-token/getting-started)

USER_SCOPES = (
    "notify", "friends", "photos", "audio", "video", "stories", "pages", "status", "notes", "messages", "wall",
    "ads", "offline", "docs", "groups", "notifications", "stats", "email", "market",
)
COMMUNITY_SCOPES = ("stories", "photos", "app_widget", "messages", "docs", "manage")
DEFAULT_COMMUNITY_SCOPES = ("messages", "photos", "docs", "stories", "manage")
DEFAULT_RATE_LIMITS = {"user": 3, "community": 20}  # requests per second per token
# Per-method daily caps per token (error 29 "Rate limit reached" past them). The old vk.com/dev/data_limits page
# named wall.get at 5,000 calls a day; UNCONFIRMED that the number is current, and that the day is Moscow's (UTC+3).
DEFAULT_DAILY_CAPS: dict[str, int | None] = {"wall.get": 5000}
QUOTA_DAY_OFFSET = 3 * 3600  # the quota day starts at 00:00 Moscow time (UTC+3, no daylight saving); UNCONFIRMED
# Messages one sender (a community, or a user) may send one peer in any hour before error 9 "Flood control: too much
# messages sent to user": 1,000 per VK's FAQ as quoted by client docs (vk.com/faq11583); UNCONFIRMED.
MESSAGES_PER_PEER_HOUR = 1000
