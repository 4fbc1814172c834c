"""Twitter/X operators: post, post a thread, delete, and keep OAuth 2.0 tokens fresh.

Operators are thin: they validate their inputs before any network call (through
:meth:`TwitterHook.validate_tweet`), call the hook, and return small JSON results (ids and URLs, never tokens).
With ``deferrable=True`` they release the worker while X processes a GIF or video
(:class:`~airflow_provider_social.triggers.twitter.TwitterMediaProcessingTrigger`) and while a rate-limit window
is closed. On a task retry they pass ``dedupe=True`` so a post that already landed is found, not repeated.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.deferral import default_deferrable
from airflow_provider_social.core.hook_mixin import ServiceHookMixin
from airflow_provider_social.hooks.twitter.connection import CONNECTION_FORM
from airflow_provider_social.links.twitter import TwitterTweetLink
from airflow_provider_social.operators.refresh import RefreshCredentialsOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.twitter import RecentPosts, TweetSpec, TwitterHook

#: The hook's ``default_conn_name`` and the service its errors name, repeated so that parsing a DAG does not import
#: the hook (and its transport); tests/operators/test_exports.py checks they agree.
DEFAULT_CONN_ID = "twitter_default"
SERVICE = "X"


def _is_retry(context: Context) -> bool:
    ti = context.get("ti") if hasattr(context, "get") else None
    return bool(ti is not None and (getattr(ti, "try_number", 1) or 1) > 1)


class TwitterHookMixin(ServiceHookMixin["TwitterHook"]):
    """The X connection of an operator or sensor: ``twitter_conn_id`` and its :class:`TwitterHook` (imported when
    the task runs: DAG parsing never loads the transport)."""

    conn_id_field = "twitter_conn_id"
    service = SERVICE
    connection_form = CONNECTION_FORM


class TwitterBaseOperator(TwitterHookMixin, BaseOperator):
    """Shared: the connection; ``get_hook()`` gives a :class:`TwitterHook` for the rendered ``twitter_conn_id`` (an
    empty or junk id is an input error, not another connection).

    :param twitter_conn_id: the connection (default ``twitter_default``). Templated.
    """

    template_fields: Sequence[str] = ("twitter_conn_id",)

    def __init__(self, *, twitter_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.twitter_conn_id = twitter_conn_id


class _TwitterOperator(TwitterBaseOperator):
    """Shared plumbing of posting: deferral of media processing and of rate-limit waits."""

    operator_extra_links = (TwitterTweetLink(),)

    def __init__(self, *, deferrable: bool | None = None, poll_interval: float | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.deferrable = default_deferrable() if deferrable is None else deferrable
        self.poll_interval = poll_interval
        self.tweet_url: str | None = None
        self.resumed_after_posting = False
        # This try's one look at the timeline for posts of an earlier try (reused when publishing).
        self.recent: RecentPosts | None = None

    # -- to implement: validated specs, and what to do once media ids are ready
    def specs(self) -> list[TweetSpec]:
        raise NotImplementedError

    def publish(self, context: Context, hook: TwitterHook, media_ids: list[list[str]]) -> Any:
        raise NotImplementedError

    def landed(self, hook: TwitterHook, specs: list[TweetSpec]) -> list[dict[str, Any]]:
        """On a retry: the posts of ``specs`` that landed on an earlier try, as a prefix of the chain."""
        previous, found = specs[0].reply_to, list[dict[str, Any]]()
        if not any(spec.text for spec in specs):
            return found  # media-only posts cannot be matched: no look-up
        recent = self.recent = hook.recent_posts()  # one look-up for the chain, reused by publish()
        for spec in specs:
            existing = recent.find(spec.text, previous)
            if existing is None:
                break
            found.append(existing)
            previous = existing["id"]
        return found

    def result_of_landed(self, specs: list[TweetSpec], landed: list[dict[str, Any]]) -> Any:
        raise NotImplementedError

    # -- flow
    def execute(self, context: Context) -> Any:
        specs = self.specs()  # validation before any network call
        hook = self.get_hook()
        landed: list[dict[str, Any]] = self.landed(hook, specs) if self.dedupe(context) else []
        if landed and len(landed) == len(specs):
            landed_result = self.result_of_landed(specs, landed)  # all landed on an earlier try: nothing is sent
            self._announce(context)
            return landed_result
        # Posts that landed on an earlier try need no media: post_thread(dedupe=True) finds and reuses them.
        uploads = [[] if number < len(landed) else [hook.upload_media(m.path, wait=not self.deferrable)
                                                     for m in spec.media]
                   for number, spec in enumerate(specs)]
        media_ids = [[u["media_id"] for u in group] for group in uploads]
        pending = [u["media_id"] for group in uploads for u in group if u["state"] != "succeeded"]
        if pending:
            from airflow_provider_social.triggers.twitter import TwitterMediaProcessingTrigger

            self.log.info("Waiting in the triggerer for X to process media %s", ", ".join(pending))
            self.defer(
                trigger=TwitterMediaProcessingTrigger(media_ids=pending, groups=media_ids,
                                                      twitter_conn_id=self.twitter_conn_id,
                                                      poll_interval=self.poll_interval),
                method_name="execute_complete",
                kwargs={"media_ids": media_ids},
            )
        return self._publish_or_defer(context, hook, media_ids)

    def execute_complete(self, context: Context, event: dict[str, Any] | None = None,
                         media_ids: list[list[str]] | None = None) -> Any:
        """Resume after the media trigger: fail with its message, or post."""
        if not event or event.get("status") != "success":
            message = (event or {}).get("message") or "no event"
            raise RuntimeError(f"X media processing did not succeed: {message}")
        if media_ids is None:  # resume kwargs are not kept everywhere (airflow dags test): the event carries them
            media_ids = event.get("groups") or []
        return self._publish_or_defer(context, self.get_hook(), media_ids)

    def resume_after_rate_limit(self, context: Context, event: Any = None,
                                media_ids: list[list[str]] | None = None) -> Any:
        """Resume once the rate-limit window has reset. Part of a thread may have been posted before the limit
        hit, so from here on every post is looked up before it is sent."""
        self.resumed_after_posting = True
        if media_ids is None:
            # The resume kwargs were not kept (airflow dags test keeps only the event): start over. Posts that
            # landed are found and reused; media are uploaded again only for the others (unused ids expire).
            return self.execute(context)
        return self._publish_or_defer(context, self.get_hook(), media_ids)

    def _announce(self, context: Context) -> None:
        """The post (the thread's first) as an Asset event for the task's outlets."""
        from airflow_provider_social.core.lineage import announce_post

        announce_post(self, context, self.tweet_url)

    def dedupe(self, context: Context) -> bool:
        """Look for landed posts before sending: on task retries, and after a rate-limit deferral."""
        return self.resumed_after_posting or _is_retry(context)

    def _publish_or_defer(self, context: Context, hook: TwitterHook, media_ids: list[list[str]]) -> Any:
        from airflow_provider_social.core.errors import RateLimitError

        try:
            result = self.publish(context, hook, media_ids)
            self._announce(context)
            return result
        except RateLimitError as exc:
            if not self.deferrable or exc.retry_after is None:
                raise
            from airflow.providers.standard.triggers.temporal import DateTimeTrigger

            moment = datetime.now(timezone.utc) + timedelta(seconds=exc.retry_after + 1)
            self.log.info("X rate limit reached; deferring until %s", moment.isoformat())
            self.defer(trigger=DateTimeTrigger(moment=moment), method_name="resume_after_rate_limit",
                       kwargs={"media_ids": media_ids})


class TwitterCreateTweetOperator(_TwitterOperator):
    """Post one tweet: text, up to 4 images or 1 GIF or 1 video, a poll, a reply, or a quote.

    Returns ``{"id", "text", "url", "media_ids", "deduplicated"}`` (pushed to XCom) and shows an "X post" link.

    :param text: the post text (weighted length <= 280; URLs count 23, CJK and emoji 2). Templated.
    :param media_paths: media to upload and attach, each a local path, an ``ObjectStoragePath`` or storage URL
        (``s3://conn@bucket/key.mp4``), an http(s) URL, bytes or a binary file object; streamed. Templated (a list
        rendered as JSON or as a Python repr is read as the list).
    :param media_ids: ids of media uploaded earlier. Templated.
    :param poll_options: 2-4 options of 1-25 characters; with ``poll_duration_minutes`` (5-10080). Templated.
    :param reply_to: id of the post to reply to. Templated.
    :param quote_tweet_id: id of the post to quote. Templated.
    :param twitter_conn_id: the connection (default ``twitter_default``). Templated.
    :param deferrable: wait for media processing and rate-limit resets in the triggerer; default: the
        ``[operators] default_deferrable`` setting.
    :param poll_interval: seconds between media status polls when deferred (default: X's ``check_after_secs``).
    :param poll_duration_minutes: how long the poll runs (5-10080; rendered digits such as ``"60"`` are read as the
        number). Templated.
    """

    template_fields: Sequence[str] = ("text", "media_paths", "media_ids", "poll_options", "poll_duration_minutes",
                                      "reply_to", "quote_tweet_id", "twitter_conn_id")

    def __init__(
        self,
        *,
        text: str | None = None,
        media_paths: Any = None,
        media_ids: Sequence[str] | None = None,
        poll_options: Sequence[str] | None = None,
        poll_duration_minutes: int | None = None,
        reply_to: str | None = None,
        quote_tweet_id: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.text, self.media_paths, self.media_ids, self.poll_options = text, media_paths, media_ids, poll_options
        self.poll_duration_minutes, self.reply_to, self.quote_tweet_id = poll_duration_minutes, reply_to, quote_tweet_id

    def specs(self) -> list[TweetSpec]:
        """The one post, validated before any network call."""
        from airflow_provider_social.hooks.twitter import TwitterHook

        return [TwitterHook.validate_tweet(
            self.text, media_paths=self.media_paths, media_ids=self.media_ids,
            poll_options=self.poll_options, poll_duration_minutes=self.poll_duration_minutes,
            reply_to=self.reply_to, quote_tweet_id=self.quote_tweet_id,
        )]

    def result_of_landed(self, specs: list[TweetSpec], landed: list[dict[str, Any]]) -> dict[str, Any]:
        """The result when a retry finds the post already landed.

        :param specs: the validated posts.
        :param landed: the posts found on X.
        """
        self.tweet_url = landed[0]["url"]
        return {**landed[0], "media_ids": list(specs[0].media_ids)}

    def publish(self, context: Context, hook: TwitterHook, media_ids: list[list[str]]) -> dict[str, Any]:
        """Post with the uploaded media.

        :param context: the task's Airflow context.
        :param hook: the task's hook.
        :param media_ids: media ids per post.
        """
        spec = self.specs()[0]
        ids = media_ids[0] if media_ids else []
        result = hook.post(spec, ids, dedupe=self.dedupe(context), recent=self.recent)
        self.tweet_url = result["url"]
        self.log.info("Posted %s", result["url"])
        return {**result, "media_ids": [*spec.media_ids, *ids]}


class TwitterThreadOperator(_TwitterOperator):
    """Post a thread: each item a text or a dict (``text``, ``media_paths``, ``media_ids``, ``poll_options``,
    ``poll_duration_minutes``, ``quote_tweet_id``), posted as a reply chain.

    Returns ``{"ids", "urls", "url"}`` (``url`` = the first post, also the "X post" link). A retried task finds
    the posts that already landed and continues the chain after them.

    :param tweets: the thread. Templated.
    :param reply_to: make the whole thread a reply to this post. Templated.
    """

    template_fields: Sequence[str] = ("tweets", "reply_to", "twitter_conn_id")

    def __init__(self, *, tweets: Sequence[str | dict[str, Any]], reply_to: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tweets, self.reply_to = tweets, reply_to

    def specs(self) -> list[TweetSpec]:
        """Every post of the thread, validated before any network call."""
        from airflow_provider_social.hooks.twitter import TwitterHook

        return TwitterHook.validate_thread(self.tweets, reply_to=self.reply_to)

    def result_of_landed(self, specs: list[TweetSpec], landed: list[dict[str, Any]]) -> dict[str, Any]:
        """The result when a retry finds the whole thread already landed.

        :param specs: the validated posts.
        :param landed: the posts found on X.
        """
        self.tweet_url = landed[0]["url"]
        return {"ids": [p["id"] for p in landed], "urls": [p["url"] for p in landed], "url": self.tweet_url}

    def publish(self, context: Context, hook: TwitterHook, media_ids: list[list[str]]) -> dict[str, Any]:
        """Post the thread with the uploaded media.

        :param context: the task's Airflow context.
        :param hook: the task's hook.
        :param media_ids: media ids per post.
        """
        specs = self.specs()
        posted = hook.post_thread(specs, media_ids or [[] for _ in specs], dedupe=self.dedupe(context),
                                  recent=self.recent)
        self.tweet_url = posted[0]["url"]
        self.log.info("Posted a thread of %d: %s", len(posted), self.tweet_url)
        return {"ids": [p["id"] for p in posted], "urls": [p["url"] for p in posted], "url": self.tweet_url}


class TwitterDeleteTweetOperator(TwitterBaseOperator):
    """Delete a post. Returns ``{"id", "deleted"}``.

    :param tweet_id: the post's id. Templated.
    :param missing_ok: succeed when the post does not exist (always so on a retry, when the first try may have
        deleted it).

    :param twitter_conn_id: the connection (default ``twitter_default``). Templated.
    """

    template_fields: Sequence[str] = ("tweet_id", "twitter_conn_id")

    def __init__(self, *, tweet_id: str, missing_ok: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tweet_id, self.missing_ok = tweet_id, missing_ok

    def execute(self, context: Context) -> dict[str, Any]:
        """Delete the post.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.core.errors import NotFoundError
        from airflow_provider_social.hooks.twitter import _id

        tweet_id = _id(self.tweet_id, "tweet_id")
        hook = self.get_hook()
        try:
            deleted = hook.delete_tweet(tweet_id)
        except NotFoundError:
            if not (self.missing_ok or _is_retry(context)):
                raise
            self.log.info("Post %s does not exist (already deleted)", tweet_id)
            return {"id": tweet_id, "deleted": False}
        return {"id": tweet_id, "deleted": deleted}


class TwitterRefreshTokenOperator(TwitterBaseOperator, RefreshCredentialsOperator):
    """Rotate a connection's OAuth 2.0 tokens now and persist them in the token store ("keep tokens fresh").

    X access tokens live 2 hours and refresh tokens are single-use; tasks refresh on their own before expiry, so
    this operator is for connections used rarely: a refresh every couple of hours keeps the grant alive and
    surfaces a revoked grant early. Returns ``{"conn_id", "expires_at", "scope"}`` -- never a token.

    :param twitter_conn_id: the connection (default ``twitter_default``). Templated.
    """

    template_fields: Sequence[str] = ("twitter_conn_id",)
    result_fields = ("conn_id", "expires_at", "scope")
    renewal_log = "Refreshed the X tokens of {conn_id}; the access token expires at {expires_at}"

    def renew(self, conn_id: str) -> dict[str, Any]:
        """Rotate and persist the tokens.

        :param conn_id: the connection.
        """
        from airflow_provider_social.hooks.twitter import TwitterHook

        tokens = TwitterHook(conn_id).refresh_tokens()
        return {"expires_at": tokens.expires_at, "scope": tokens.scope}
