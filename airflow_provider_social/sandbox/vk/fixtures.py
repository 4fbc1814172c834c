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
