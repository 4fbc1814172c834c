"""Reads of X, paged with ``next_token`` within a read budget: a user's posts, mentions, recent search.

Every read is a :class:`~airflow_provider_social.core.reads.ReadStream` of posts (``id``, ``text``,
``created_at``, ``author_id``, ``conversation_id``, ``public_metrics``; ``non_public_metrics`` and
``organic_metrics`` on request for the account's own posts). Pages are 100 posts (the endpoints' ``max_results``
maximum), fewer when the budget has fewer left: X bills reads per post under pay-per-use, so ``max_reads`` (default
:data:`DEFAULT_MAX_READS`) stops a read there, says so and reports what it read.

Rate windows: the transport keeps what each answer's ``x-rate-limit-remaining`` and ``x-rate-limit-reset`` say
(:mod:`~airflow_provider_social.core.ratelimit.windows`, shared through the token store). When a window is spent and
more pages are wanted, the next page waits for the reset if the wait fits in ``max_retry_wait``; otherwise the read
fails before X would refuse, naming the reset time. The last answer's window per endpoint is also kept here
(:attr:`TwitterReads.windows`): event triggers pace their polls by it.

What X documents and the sandbox enforces: a user's timeline reaches its 3,200 most recent posts, mentions the
800 most recent; recent search covers the last 7 days (``start_time`` not earlier, ``end_time`` at least 10 s
before the request) with a query of at most 512 characters; ``start_time`` <= created_at < ``end_time``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.reads import ReadStream, check_bound
from airflow_provider_social.hooks.twitter.policy import SERVICE

if TYPE_CHECKING:
    from airflow_provider_social.hooks.twitter.account import TwitterAccount
    from airflow_provider_social.hooks.twitter.calls import TwitterClient

log = logging.getLogger(__name__)

DEFAULT_MAX_READS = 500
PAGE_SIZE = 100
#: ``max_results`` minimum per call key (users/:id/tweets and mentions 5, recent search 10).
MIN_RESULTS = {"user posts": 5, "mentions": 5, "search recent": 10}
PUBLIC_FIELDS = "created_at,author_id,conversation_id,public_metrics"
PRIVATE_FIELDS = ",non_public_metrics,organic_metrics"
SEARCH_DAYS = 7
PRIVATE_METRICS_DAYS = 30
MAX_QUERY = 512
EXCLUDES = ("retweets", "replies")


def rfc3339(value: datetime | int | float | str, *, field: str) -> tuple[str, float]:
    """An aware datetime, unix time or RFC 3339 string as X's ``YYYY-MM-DDTHH:MM:SSZ`` and its unix time."""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise input_error(field, f"expected an RFC 3339 time such as 2026-01-31T00:00:00Z, got {value!r}",
                              service=SERVICE) from None
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise input_error(field, "give a timezone-aware datetime", service=SERVICE)
        stamp = value.timestamp()
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        stamp = float(value)
    else:
        raise input_error(field, f"expected a datetime, unix time or RFC 3339 text, got {value!r}", service=SERVICE)
    return datetime.fromtimestamp(stamp, tz=timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"), stamp


def _numeric_id(value: Any, field: str) -> str:
    text = str(value).strip()
    if not text.isdigit() or len(text) > 19:
        raise input_error(field, f"expected a numeric X id, got {value!r}", service=SERVICE)
    return text


class TwitterReads:
    """Paged reads of X for the connection's account.

    :param client: sends the declared calls.
    :param account: the authorised account (whose posts and mentions are read by default).
    :param clock: the current time (epoch seconds).
    """

    def __init__(self, client: TwitterClient, *, account: TwitterAccount, clock: Callable[[], float]) -> None:
        self.client = client
        self.account = account
        self.clock = clock
        #: Call key -> (remaining, reset) of its last answer's ``x-rate-limit-*`` headers.
        self.windows: dict[str, tuple[int, float]] = {}

    # ---------------------------------------------------------------------------------------------- reads
    def read_posts(self, user_id: str | int | None = None, *, since_id: str | int | None = None,
                   start_time: datetime | int | str | None = None, end_time: datetime | int | str | None = None,
                   exclude: tuple[str, ...] = (), private_metrics: bool = False,
                   max_reads: int | None = DEFAULT_MAX_READS,
                   fail_at_limit: bool = False) -> ReadStream[dict[str, Any]]:
        """A user's posts, newest first (``GET /2/users/:id/tweets``; the 3,200 most recent are reachable).

        :param user_id: whose posts (default: the authorised account's).
        :param since_id: only posts newer than this id.
        :param start_time: only posts created at or after this (aware datetime, unix time or RFC 3339).
        :param end_time: only posts created before this.
        :param exclude: ``retweets`` and/or ``replies`` to leave out.
        :param private_metrics: add ``non_public_metrics`` and ``organic_metrics`` (own posts of the last 30 days).
        :param max_reads: the read budget in posts (None: no bound); the read stops there and reports it.
        :param fail_at_limit: raise :class:`~airflow_provider_social.core.reads.ReadLimitReached` at the budget
            instead of stopping quietly.
        """
        bad = sorted(set(exclude) - set(EXCLUDES))
        if bad:
            raise input_error("exclude", f"must be drawn from {', '.join(EXCLUDES)}, got {bad}", service=SERVICE)
        me = str(self.account.get_me()["id"])
        uid = _numeric_id(user_id, "user_id") if user_id is not None else me
        params = self._window(since_id, start_time, end_time, days=None)
        if private_metrics:
            if uid != me:
                raise input_error("private_metrics", "X gives non_public_metrics and organic_metrics only for the "
                                  "authorised account's own posts", service=SERVICE)
            self._within_days(params, PRIVATE_METRICS_DAYS, "private_metrics")
        if exclude:
            params["exclude"] = ",".join(exclude)
        params["tweet.fields"] = PUBLIC_FIELDS + (PRIVATE_FIELDS if private_metrics else "")
        return self._stream("user posts", f"posts of user {uid}", {"user_id": uid}, params, "pagination_token",
                            max_reads, fail_at_limit)

    def read_mentions(self, user_id: str | int | None = None, *, since_id: str | int | None = None,
                      start_time: datetime | int | str | None = None, end_time: datetime | int | str | None = None,
                      max_reads: int | None = DEFAULT_MAX_READS,
                      fail_at_limit: bool = False) -> ReadStream[dict[str, Any]]:
        """Posts mentioning a user, newest first (``GET /2/users/:id/mentions``; the 800 most recent).

        :param user_id: who is mentioned (default: the authorised account).
        :param since_id: only posts newer than this id.
        :param start_time: only posts created at or after this (aware datetime, unix time or RFC 3339).
        :param end_time: only posts created before this.
        :param max_reads: the read budget in posts (None: no bound); the read stops there and reports it.
        :param fail_at_limit: raise at the budget instead of stopping quietly.
        """
        uid = _numeric_id(user_id, "user_id") if user_id is not None else str(self.account.get_me()["id"])
        params = self._window(since_id, start_time, end_time, days=None)
        params["tweet.fields"] = PUBLIC_FIELDS
        return self._stream("mentions", f"mentions of user {uid}", {"user_id": uid}, params, "pagination_token",
                            max_reads, fail_at_limit)

    def search_recent(self, query: str, *, since_id: str | int | None = None,
                      start_time: datetime | int | str | None = None, end_time: datetime | int | str | None = None,
                      max_reads: int | None = DEFAULT_MAX_READS,
                      fail_at_limit: bool = False) -> ReadStream[dict[str, Any]]:
        """Posts of the last 7 days matching ``query`` (``GET /2/tweets/search/recent``), newest first.

        :param query: X's search query (at most 512 characters), e.g. ``from:airflow -is:retweet``.
        :param since_id: only posts newer than this id.
        :param start_time: only posts created at or after this (not earlier than 7 days ago).
        :param end_time: only posts created before this (at least 10 seconds ago).
        :param max_reads: the read budget in posts (None: no bound); the read stops there and reports it.
        :param fail_at_limit: raise at the budget instead of stopping quietly.
        """
        if not isinstance(query, str) or not query.strip():
            raise input_error("query", "a search query is required", service=SERVICE)
        if len(query) > MAX_QUERY:
            raise input_error("query", f"at most {MAX_QUERY} characters, got {len(query)}", service=SERVICE)
        params = self._window(since_id, start_time, end_time, days=SEARCH_DAYS)
        params.update({"query": query, "tweet.fields": PUBLIC_FIELDS})
        return self._stream("search recent", f"recent posts matching {query!r}", {}, params, "next_token",
                            max_reads, fail_at_limit)

    # ---------------------------------------------------------------------------------------------- paging
    def _window(self, since_id: Any, start_time: Any, end_time: Any, *, days: int | None) -> dict[str, Any]:
        params: dict[str, Any] = {}
        if since_id is not None:
            params["since_id"] = _numeric_id(since_id, "since_id")
        start = end = None
        if start_time is not None:
            params["start_time"], start = rfc3339(start_time, field="start_time")
        if end_time is not None:
            params["end_time"], end = rfc3339(end_time, field="end_time")
        if start is not None and end is not None and end < start:
            raise input_error("end_time", f"must not be before start_time ({params['start_time']})", service=SERVICE)
        if days is not None and not (start is not None and start == end):  # an empty window is never sent
            self._within_days(params, days, "start_time")
            if end is not None and end > self.clock() - 10:
                raise input_error("end_time", "must be at least 10 seconds before now (X refuses later ones)",
                                  service=SERVICE)
        return params

    def _within_days(self, params: Mapping[str, Any], days: int, field: str) -> None:
        if "start_time" not in params:
            return
        _, start = rfc3339(params["start_time"], field="start_time")
        if start < self.clock() - days * 86400:
            raise input_error(field, f"X answers this for the last {days} days only; start_time "
                              f"{params['start_time']} is older", service=SERVICE)

    def _stream(self, key: str, resource: str, path: dict[str, str], params: dict[str, Any], token_param: str,
                max_reads: int | None, fail_at_limit: bool) -> ReadStream[dict[str, Any]]:
        limit = check_bound(max_reads, field="max_reads", service=SERVICE)

        def pages(stream: ReadStream[dict[str, Any]]) -> Iterator[dict[str, Any]]:
            if "start_time" in params and params.get("start_time") == params.get("end_time"):
                return  # an empty window (a manual run's data interval): X would refuse it, nothing to read
            token = None
            while not stream.spent():
                remaining = stream.remaining
                size = PAGE_SIZE if remaining is None else max(MIN_RESULTS[key], min(PAGE_SIZE, remaining))
                query = {**params, "max_results": size, **({token_param: token} if token else {})}
                response = self.client.call(key, path_params=path or None, params=query)
                stream.requests += 1
                self._note_window(key, response.headers)
                body = response.json()
                if body.get("errors"):
                    log.warning("X: %s: %d partial errors, e.g. %s", resource, len(body["errors"]),
                                body["errors"][0].get("detail") or body["errors"][0].get("title"))
                yield from body.get("data") or []
                token = (body.get("meta") or {}).get("next_token")
                if not token:
                    return

        return ReadStream(SERVICE, resource, pages, limit=limit, limit_name="max_reads", fail_at_limit=fail_at_limit)

    def _note_window(self, key: str, headers: Mapping[str, str]) -> None:
        try:
            self.windows[key] = (int(headers["x-rate-limit-remaining"]), float(headers["x-rate-limit-reset"]))
        except (KeyError, ValueError):
            self.windows.pop(key, None)


__all__ = ["DEFAULT_MAX_READS", "TwitterReads", "rfc3339"]
