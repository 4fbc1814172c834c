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

Metrics, token signing and seeding: :mod:`.history`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from .constants import TWEET_READ_FIELDS
from .history import ReadHistory
from .records import Principal, Tweet, _iso, _parse_iso
from .responses import _json, _Reject, invalid_request, not_found
from .state import TwitterState

TIMELINE_CAP = 3200
MENTIONS_CAP = 800
SEARCH_DAYS = 7
MAX_QUERY = 512
READ_FIELDS = TWEET_READ_FIELDS | {"public_metrics", "non_public_metrics", "organic_metrics"}
COMMON_PARAMS = {"max_results", "start_time", "end_time", "since_id", "until_id", "tweet.fields", "expansions",
                 "media.fields", "place.fields", "poll.fields", "user.fields"}
_OPERATOR_RE = re.compile(r"^-?([a-z_0-9]+):")


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


__all__ = ["search_recent", "user_mentions", "user_tweets"]
