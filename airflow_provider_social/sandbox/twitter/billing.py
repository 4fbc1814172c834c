"""What the X sandbox bills, as X's pay-per-use does: per resource read (each post or user once per UTC day), per
request written (a post with a link at the "with URL" price). Only successful answers are billed.

The prices are copied here on purpose rather than imported from the hook's table (hooks/twitter/costs.py): a test
and ``make bench`` compare the hook's own counting with this one, which must not share its code. Which endpoint
group is which kind follows X's own emulator (xdevplatform/playground ``credits.go``).
"""

from __future__ import annotations

import json
import threading
from datetime import datetime, timezone
from typing import Any

#: Endpoint group -> billing kind (groups of sandbox/twitter/routes.py); groups not listed are not billed.
GROUP_KINDS = {
    "users_me": "user_read",
    "users_tweets": "post_read",
    "users_mentions": "post_read",
    "tweets_search_recent": "post_read",
    "tweets_create": "content_create",
    "tweets_delete": "content_manage",
    "media_oneshot": "media_upload",
    "media_chunked": "media_upload",
    "v1_media_upload": "media_upload",
}
#: Kind -> (US dollars per unit, charged per resource returned).
PRICES = {
    "post_read": (0.005, True),
    "user_read": (0.010, True),
    "content_create": (0.015, False),
    "content_create_url": (0.200, False),
    "media_upload": (0.015, False),
    "content_manage": (0.005, False),
}


class Billing:
    """The app's billed usage per UTC day, and the resources already billed each day (deduplication)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.days: dict[str, dict[str, dict[str, float]]] = {}
        self._seen: dict[tuple[str, str], set[str]] = {}

    def bill(self, group: str, now: float, response_body: bytes, *, has_link: bool = False) -> None:
        """Bill one successful answer of an endpoint group.

        :param has_link: a created post's text holds a link.
        """
        kind = GROUP_KINDS.get(group)
        if kind is None:
            return
        if kind == "content_create" and has_link:
            kind = "content_create_url"
        price, per_resource = PRICES[kind]
        day = datetime.fromtimestamp(now, timezone.utc).strftime("%Y-%m-%d")
        with self._lock:
            if per_resource:
                seen = self._seen.setdefault((day, kind), set())
                ids = [i for i in dict.fromkeys(_returned_ids(response_body)) if i not in seen]
                seen.update(ids)
                units = len(ids)
            else:
                units = 1
            line = self.days.setdefault(day, {}).setdefault(kind, {"requests": 0, "units": 0, "usd": 0.0})
            line["requests"] += 1
            line["units"] += units
            line["usd"] = round(line["usd"] + units * price, 6)

    def posts_read(self, month: str) -> int:
        """Posts billed in a UTC month (``YYYY-MM``): what ``GET /2/usage/tweets`` reports as the project's usage."""
        with self._lock:
            return int(sum(day.get("post_read", {}).get("units", 0) for name, day in self.days.items()
                           if name.startswith(month)))

    def dump(self) -> dict[str, Any]:
        with self._lock:
            days = json.loads(json.dumps(self.days))
        return {"days": days, "usd": round(sum(line["usd"] for day in days.values() for line in day.values()), 6)}


def _returned_ids(body: bytes) -> list[str]:
    try:
        data = json.loads(body or b"{}").get("data")
    except (ValueError, AttributeError):
        return []
    items = data if isinstance(data, list) else [data] if isinstance(data, dict) else []
    return [str(item["id"]) for item in items if isinstance(item, dict) and "id" in item]
