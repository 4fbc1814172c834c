"""What the X sandbox's read endpoints need beside the posts: their metrics, the key that signs pagination tokens,
and seeding (``TwitterState.history``; the endpoints are in :mod:`.reads`).

Seeding (``POST /_control/state/twitter``): ``{"seed": {"posts": 5000, "mentions": 300, "start"?: <unix time>,
"step"?: 600}}`` adds the sandbox user's posts and a second user's mentions of them, dated ``step`` apart and
ending now, with metrics that differ post by post. ``non_public_metrics``/``organic_metrics`` are given only for
the caller's own posts of the last 30 days; others get a per-post entry in ``errors`` (its wording UNCONFIRMED).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
from typing import Any, Protocol

from ..clock import SandboxClock
from ..oauth_server import SANDBOX_USER_ID
from .records import Principal, Tweet
from .responses import _Reject, invalid_request

PRIVATE_DAYS = 30
PRIVATE = ("non_public_metrics", "organic_metrics")
FRIEND_ID = "1000000000000000002"
FRIEND_USERNAME = "sandbox_friend"
#: The sandbox's second user (another user of the same app; the author of seeded mentions).
FRIEND = {"id": FRIEND_ID, "name": "Sandbox Friend", "username": FRIEND_USERNAME}


class XWorld(Protocol):
    """What the history reads and writes of the X sandbox's state (``TwitterState``)."""

    users: dict[str, dict[str, str]]
    tweets: dict[str, Tweet]
    clock: SandboxClock
    _lock: threading.RLock

    def new_id(self) -> str: ...


class ReadHistory:
    """Metrics of posts and the key that signs pagination tokens (``TwitterState.history``)."""

    KNOWN = frozenset({"seed"})

    def __init__(self, service: XWorld) -> None:
        self.service = service
        self.metrics: dict[str, dict[str, dict[str, int]]] = {}
        self.token_key = secrets.token_bytes(16)

    def configure(self, data: dict[str, Any]) -> None:
        if "seed" in data:
            self.seed(data["seed"])

    def seed(self, spec: Any) -> None:
        if not isinstance(spec, dict) or set(spec) - {"posts", "mentions", "start", "step"}:
            raise ValueError("'seed' must be {posts?, mentions?, start?, step?}")
        counts = {name: spec.get(name, 0) for name in ("posts", "mentions", "step", "start")}
        if any(isinstance(v, bool) or not isinstance(v, int) or v < 0 for v in counts.values()):
            raise ValueError("'seed' values must be integers >= 0")
        service, step = self.service, counts["step"] or 600
        me = service.users[SANDBOX_USER_ID]["username"]
        service.users.setdefault(FRIEND_ID, dict(FRIEND))
        total = max(counts["posts"], counts["mentions"])
        start = counts["start"] or int(service.clock.now()) - step * total
        records = [(start + i * step, SANDBOX_USER_ID, f"Seeded post {i} #airflow") for i in range(counts["posts"])]
        records += [(start + i * step + step // 2, FRIEND_ID, f"@{me} seeded question {i}")
                    for i in range(counts["mentions"])]
        with service._lock:
            for created, author, text in sorted(records):
                tweet = Tweet(id=service.new_id(), author_id=author, text=text, created_at=float(created))
                service.tweets[tweet.id] = tweet
                n = int(tweet.id) % 1000
                self.metrics[tweet.id] = {
                    "public_metrics": {"retweet_count": n % 7, "reply_count": n % 5, "like_count": n % 97,
                                       "quote_count": n % 3, "bookmark_count": n % 11, "impression_count": 100 + n},
                    "non_public_metrics": {"impression_count": 100 + n, "url_link_clicks": n % 13,
                                           "user_profile_clicks": n % 17},
                    "organic_metrics": {"impression_count": 100 + n, "like_count": n % 97, "reply_count": n % 5,
                                        "retweet_count": n % 7, "url_link_clicks": n % 13,
                                        "user_profile_clicks": n % 17},
                }

    def view(self, tweet: Tweet, fields: set[str], who: Principal, now: float, errors: list[dict[str, Any]]
             ) -> dict[str, Any]:
        out = tweet.view(fields)
        metrics = self.metrics.get(tweet.id) or _zero_metrics()
        if "public_metrics" in fields:
            out["public_metrics"] = dict(metrics["public_metrics"])
        for name in PRIVATE:
            if name not in fields:
                continue
            if tweet.author_id == who.user_id and tweet.created_at >= now - PRIVATE_DAYS * 86400:
                out[name] = dict(metrics[name])
            else:
                errors.append({"value": tweet.id, "detail": f"Sorry, you are not authorized to access '{name}' on "
                               f"the Tweet with ids {tweet.id}.", "title": "Field Authorization Error",
                               "resource_type": "tweet", "parameter": name, "resource_id": tweet.id,
                               "type": "https://api.x.com/2/problems/not-authorized-for-field"})
        return out

    def token(self, scope: str, last_id: str) -> str:
        mac = hmac.new(self.token_key, f"{scope}|{last_id}".encode(), hashlib.sha256).hexdigest()[:12]
        return base64.b32encode(f"{last_id}.{mac}".encode()).decode().rstrip("=").lower()

    def untoken(self, scope: str, token: str, name: str) -> str:
        try:
            last_id = base64.b32decode(token.upper() + "=" * (-len(token) % 8)).decode().split(".")[0]
        except (ValueError, UnicodeDecodeError):
            last_id = ""
        if not last_id.isdigit() or not hmac.compare_digest(self.token(scope, last_id), token):
            raise _Reject(invalid_request(f"The `{name}` query parameter value [{token}] is not valid", name,
                                          [token]))
        return last_id


def _zero_metrics() -> dict[str, dict[str, int]]:
    counts = ("impression_count", "url_link_clicks", "user_profile_clicks")
    return {"public_metrics": dict.fromkeys(("retweet_count", "reply_count", "like_count", "quote_count",
                                             "bookmark_count", "impression_count"), 0),
            "non_public_metrics": dict.fromkeys(counts, 0),
            "organic_metrics": dict.fromkeys(("like_count", "reply_count", "retweet_count", *counts), 0)}


__all__ = ["FRIEND_ID", "FRIEND_USERNAME", "ReadHistory"]
