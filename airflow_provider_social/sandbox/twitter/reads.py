"""Reads of the X sandbox: ``GET /2/users/:id/tweets``, ``/2/users/:id/mentions``, ``/2/tweets/search/recent``,
with ``next_token`` paging, windows, metrics, and the seeded history behind them.

From X's docs (docs.x.com: pagination, timelines, recent search) and recorded clients (tweepy's ``Paginator``
sends ``pagination_token`` to timelines and ``next_token`` to search; twapi-v2's endpoint specs):

- newest first; ``max_results`` 5..100 for timelines and mentions, 10..100 for search (default 10);
- ``meta``: ``result_count``, ``newest_id``, ``oldest_id`` and ``next_token`` while more remain; no ``data`` key
  on an empty page;
- a user's timeline reaches the 3,200 most recent posts, mentions the 800 most recent, search the last 7 days:
  ``start_time`` earlier than that and an ``end_time`` less than 10 s before the request are refused (400);
- ``since_id``/``until_id`` are exclusive; ``start_time`` inclusive, ``end_time`` exclusive;
- ``non_public_metrics``/``organic_metrics`` only for the caller's own posts of the last 30 days: others get a
  per-post entry in ``errors`` and no such field (the entry's exact wording is UNCONFIRMED).

The token is opaque, bound to the endpoint and its query, and names the last post served, so posts published
while paging shift nothing (a cursor, as X's are). X's token lifetime is not documented; the sandbox's do not
expire. Search understands words (all must appear), ``from:``, ``@name`` and ``-is:retweet`` (the sandbox has
no retweets); any other operator is refused as X refuses an unknown one.

Seeding (``POST /_control/state/twitter``): ``{"seed": {"posts": 5000, "mentions": 300, "start"?: <unix time>,
"step"?: 600}}`` adds the sandbox user's posts and a second user's mentions of them, dated ``step`` apart and
ending now, with metrics that differ post by post.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from ..oauth_server import SANDBOX_USER_ID
from .constants import TWEET_READ_FIELDS
from .records import Principal, Tweet, _iso, _parse_iso
from .responses import _json, _Reject, invalid_request, not_found
from .state import TwitterState

TIMELINE_CAP = 3200
MENTIONS_CAP = 800
SEARCH_DAYS = 7
PRIVATE_DAYS = 30
MAX_QUERY = 512
READ_FIELDS = TWEET_READ_FIELDS | {"public_metrics", "non_public_metrics", "organic_metrics"}
PRIVATE = ("non_public_metrics", "organic_metrics")
COMMON_PARAMS = {"max_results", "start_time", "end_time", "since_id", "until_id", "tweet.fields", "expansions",
                 "media.fields", "place.fields", "poll.fields", "user.fields"}
FRIEND_ID = "1000000000000000002"
FRIEND_USERNAME = "sandbox_friend"
_OPERATOR_RE = re.compile(r"^-?([a-z_0-9]+):")


class ReadHistory:
    """Metrics of posts and the key that signs pagination tokens (``TwitterState.history``)."""

    KNOWN = frozenset({"seed"})

    def __init__(self, service: TwitterState) -> None:
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
        service.users.setdefault(FRIEND_ID, {"id": FRIEND_ID, "name": "Sandbox Friend", "username": FRIEND_USERNAME})
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


def history_of(service: TwitterState) -> ReadHistory:
    return service.history  # type: ignore[no-any-return]


def _int(query: Any, name: str, default: int, lo: int, hi: int) -> int:
    raw = query.get(name)
    try:
        value = default if raw is None else int(raw)
    except ValueError:
        raise _Reject(invalid_request(f"The `{name}` query parameter value [{raw}] is not a number", name)) from None
    if not lo <= value <= hi:
        raise _Reject(invalid_request(f"The `{name}` query parameter value [{value}] is not between {lo} and {hi}",
                                      name, [value]))
    return value


def _page(service: TwitterState, request: Request, who: Principal, candidates: Callable[[], list[Tweet]], *,
          known: set[str], min_results: int, token_names: tuple[str, ...], days: int | None = None) -> Response:
    """One page of ``candidates`` (newest first) after the query's window, fields and token."""
    query = request.query_params
    for name in query:
        if name not in known:
            return invalid_request(f"The query parameter [{name}] is not one of {sorted(known)}", name)
    size = _int(query, "max_results", 10, min_results, 100)
    fields = set(filter(None, query.get("tweet.fields", "").split(",")))
    if fields - READ_FIELDS:
        bad = sorted(fields - READ_FIELDS)[0]
        return invalid_request(f"The `tweet.fields` value [{bad}] is not one of the allowed values", "tweet.fields")
    now = service.clock.now()
    start = _parse_iso(query["start_time"]) if "start_time" in query else None
    end = _parse_iso(query["end_time"]) if "end_time" in query else None
    if start is not None and end is not None and end <= start:
        return invalid_request("The `end_time` query parameter value must be after `start_time`", "end_time")
    if days is not None:
        floor = now - days * 86400
        if start is not None and start < floor:
            return invalid_request(f"Invalid 'start_time':'{query['start_time']}'. 'start_time' must be on or after "
                                   f"{_iso(floor)}", "start_time")
        if end is not None and end > now - 10:
            return invalid_request(f"Invalid 'end_time':'{query['end_time']}'. 'end_time' must be a minimum of 10 "
                                   "seconds prior to the request time.", "end_time")
        start = floor if start is None else start
    scope = f"{request.url.path}|" + "&".join(f"{k}={v}" for k, v in sorted(query.items())
                                             if k not in token_names and k != "max_results")
    history = history_of(service)
    before = None
    for name in token_names:
        if name in query:
            before = int(history.untoken(scope, query[name], name))
    with service._lock:
        tweets = candidates()
    tweets = [t for t in tweets if (start is None or t.created_at >= start) and (end is None or t.created_at < end)
              and ("since_id" not in query or int(t.id) > int(query["since_id"]))
              and ("until_id" not in query or int(t.id) < int(query["until_id"]))
              and (before is None or int(t.id) < before)]
    page = tweets[:size]
    if not page:
        return _json({"meta": {"result_count": 0}})
    errors: list[dict[str, Any]] = []
    body: dict[str, Any] = {"data": [history.view(t, fields, who, now, errors) for t in page]}
    meta: dict[str, Any] = {"result_count": len(page), "newest_id": page[0].id, "oldest_id": page[-1].id}
    if len(tweets) > size:
        meta["next_token"] = history.token(scope, page[-1].id)
    if errors:
        body["errors"] = errors
    body["meta"] = meta
    return _json(body)


def _newest_first(tweets: list[Tweet], cap: int | None = None) -> list[Tweet]:
    ordered = sorted((t for t in tweets if not t.deleted), key=lambda t: int(t.id), reverse=True)
    return ordered[:cap] if cap is not None else ordered


async def user_tweets(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    user_id = request.path_params["id"]
    if user_id not in service.users:
        return not_found(f"Could not find user with id: [{user_id}].", "user", user_id)
    exclude = set(filter(None, request.query_params.get("exclude", "").split(",")))
    if exclude - {"retweets", "replies"}:
        return invalid_request("The `exclude` query parameter value must be retweets and/or replies", "exclude")

    def candidates() -> list[Tweet]:
        own = _newest_first([t for t in service.tweets.values() if t.author_id == user_id], TIMELINE_CAP)
        return [t for t in own if not ("replies" in exclude and t.reply_to)]

    return _page(service, request, who, candidates, known=COMMON_PARAMS | {"exclude", "pagination_token"},
                 min_results=5, token_names=("pagination_token",))


async def user_mentions(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    user_id = request.path_params["id"]
    user = service.users.get(user_id)
    if user is None:
        return not_found(f"Could not find user with id: [{user_id}].", "user", user_id)
    handle = re.compile(rf"(?<![\w@])@{re.escape(user['username'])}\b", re.IGNORECASE)

    def candidates() -> list[Tweet]:
        return _newest_first([t for t in service.tweets.values() if t.author_id != user_id and handle.search(t.text)],
                             MENTIONS_CAP)

    return _page(service, request, who, candidates, known=COMMON_PARAMS | {"pagination_token"}, min_results=5,
                 token_names=("pagination_token",))


def _matcher(service: TwitterState, query: str) -> Callable[[Tweet], bool]:
    checks: list[Callable[[Tweet], bool]] = []
    for term in query.split():
        operator = _OPERATOR_RE.match(term)
        if term == "-is:retweet":
            continue
        if operator and operator.group(1) == "from" and not term.startswith("-"):
            name = term.split(":", 1)[1].lstrip("@").lower()
            ids = {uid for uid, u in service.users.items() if u["username"].lower() == name}
            checks.append(lambda t, ids=ids: t.author_id in ids)  # type: ignore[misc]
        elif operator:
            raise _Reject(invalid_request("There were errors processing your request: Reference to invalid "
                                          f"operator '{operator.group(1)}'", "query", [query]))
        else:
            word = term.lower()
            checks.append(lambda t, word=word: word in t.text.lower())  # type: ignore[misc]
    return lambda tweet: all(check(tweet) for check in checks)


async def search_recent(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    query = request.query_params.get("query", "")
    if not query.strip():
        return invalid_request("The `query` query parameter can not be empty", "query")
    if len(query) > MAX_QUERY:
        return invalid_request(f"The `query` query parameter value is longer than {MAX_QUERY} characters", "query")
    matches = _matcher(service, query)

    def candidates() -> list[Tweet]:
        return _newest_first([t for t in service.tweets.values() if matches(t)])

    return _page(service, request, who, candidates,
                 known=COMMON_PARAMS | {"query", "next_token", "pagination_token", "sort_order"}, min_results=10,
                 token_names=("next_token", "pagination_token"), days=SEARCH_DAYS)


__all__ = ["ReadHistory", "search_recent", "user_mentions", "user_tweets"]
