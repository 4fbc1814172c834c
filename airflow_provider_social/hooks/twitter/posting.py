"""Posting: validation against X's rules, posts, threads, the no-double-post protection, delete."""

from __future__ import annotations

import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import (
    ServerError,
    ValidationError,
    input_error,
)
from airflow_provider_social.core.rendered import as_list, rendered_value
from airflow_provider_social.hooks.twitter.media import check_media_file
from airflow_provider_social.hooks.twitter.policy import SERVICE, DuplicateTweetError
from airflow_provider_social.hooks.twitter.values import (
    DEDUPE_WINDOW_MINUTES,
    MAX_WEIGHTED_LENGTH,
    TWEET_FIELDS,
    RecentPosts,
    TweetSpec,
    _Found,
    _id,
    tweet_url,
    weighted_length,
)

if TYPE_CHECKING:
    import requests
    from typing_extensions import Unpack

    from airflow_provider_social.hooks.twitter.account import TwitterAccount
    from airflow_provider_social.hooks.twitter.calls import TwitterClient
    from airflow_provider_social.hooks.twitter.media import TwitterMedia
    from airflow_provider_social.hooks.twitter.values import TweetFields

#: What a thread item may say: a post's fields but ``reply_to`` (the items reply to each other).
_THREAD_ITEM_KEYS = (TWEET_FIELDS - {"reply_to"}) | {"text"}


def validate_tweet(text: str | None = None, **fields: Unpack[TweetFields]) -> TweetSpec:
    """Check one post against X's rules and return it ready to send; raises ValidationError naming the field.

    Rules (reference sections 3-5): weighted length <= 280; up to 4 images, or 1 GIF, or 1 video; a poll has
    2-4 options of 1-25 characters and lasts 5-10080 minutes; media, poll and quote exclude each other; text
    may be empty only when media is attached.

    :param text: the post's text (may be empty with media).
    :param fields: the post's other fields (:class:`~.values.TweetFields`, each optional):

        * ``media_paths``: media to upload (up to 4 images, or 1 GIF, or 1 video): local paths,
          ``ObjectStoragePath`` or storage URLs, http(s) URLs, bytes or binary file objects;
        * ``media_ids``: media already uploaded;
        * ``poll_options``: 2-4 poll options; ``poll_duration_minutes``: how long the poll runs (5-10080);
        * ``reply_to``: the post it replies to; ``quote_tweet_id``: the post it quotes.
    """
    unknown = sorted(set(fields) - TWEET_FIELDS)
    if unknown:
        raise input_error(unknown[0], f"not a field of a post; one of {sorted(TWEET_FIELDS)}", service=SERVICE)
    if text is not None and not isinstance(text, str):
        raise input_error("text", f"must be text, got {type(text).__name__} {_shown(text)}", service=SERVICE)
    media_paths = as_list(fields.get("media_paths"), "media_paths", service=SERVICE)
    media_ids = as_list(fields.get("media_ids"), "media_ids", service=SERVICE)
    poll_options = _poll_options(fields.get("poll_options"))
    poll_duration_minutes = _minutes(fields.get("poll_duration_minutes"))
    reply_to, quote_tweet_id = fields.get("reply_to"), fields.get("quote_tweet_id")
    for number, path in enumerate(media_paths):
        # A media item is a path, a URL, an ObjectStoragePath, bytes or a file object (check_media_file reads it);
        # a number, a flag, a nested list or dict, None or blank text is no file at all.
        if path is None or isinstance(path, (bool, int, float, list, tuple, dict)) or (
                isinstance(path, str) and not path.strip()):
            raise input_error("media_paths", f"item {number} is not a file path: {_shown(path)}", service=SERVICE)
    text = unicodedata.normalize("NFC", text or "")
    media = tuple(check_media_file(p) for p in media_paths)
    ids = tuple(_id(m, "media_ids") for m in media_ids)
    count = len(media) + len(ids)
    if count > 4:
        raise input_error("media_paths", f"{count} media given; a post takes at most 4 images", service=SERVICE)
    moving = [m for m in media if m.kind in ("gif", "video")]
    if moving and count > 1:
        raise input_error("media_paths", f"{moving[0].name} is a {moving[0].kind}: a post takes up to 4 "
                          "images, or 1 GIF, or 1 video", service=SERVICE)
    if not text and not count:
        raise input_error("text", "is required unless media is attached", service=SERVICE)
    _check_unicode(text, "text")
    for option in poll_options or ():
        _check_unicode(str(option), "poll_options")
    if text:
        length = weighted_length(text)
        if length > MAX_WEIGHTED_LENGTH:
            raise input_error("text", f"weighted length {length} is over {MAX_WEIGHTED_LENGTH} (each URL counts "
                              "23, CJK characters and emoji count 2)", service=SERVICE)
        from .weighted_text import INVALID_CHARACTERS

        if INVALID_CHARACTERS.intersection(text):
            raise input_error("text", "contains characters X does not accept", service=SERVICE)
    options: tuple[str, ...] = ()
    if poll_options is not None or poll_duration_minutes is not None:
        options = tuple(unicodedata.normalize("NFC", str(o)) for o in poll_options or ())
        if not 2 <= len(options) <= 4:
            raise input_error("poll_options", f"a poll has 2 to 4 options, got {len(options)}", service=SERVICE)
        for option in options:
            if not 1 <= len(option) <= 25:
                raise input_error("poll_options", f"option {option!r} has {len(option)} characters; 1-25 allowed",
                                  service=SERVICE)
        if len(set(options)) != len(options):
            raise input_error("poll_options", "options must differ", service=SERVICE)
        if (isinstance(poll_duration_minutes, bool) or not isinstance(poll_duration_minutes, int)
                or not 5 <= poll_duration_minutes <= 10080):
            raise input_error("poll_duration_minutes", f"must be an integer from 5 to 10080 (7 days), got "
                              f"{poll_duration_minutes!r}", service=SERVICE)
    reply = _id(reply_to, "reply_to") if reply_to not in (None, "") else None
    quote = _id(quote_tweet_id, "quote_tweet_id") if quote_tweet_id not in (None, "") else None
    exclusive = [name for name, present in (("media", count), ("poll", options), ("quote_tweet_id", quote))
                 if present]
    if len(exclusive) > 1:
        raise input_error(exclusive[1], f"cannot be combined with {exclusive[0]} in one post (X allows one of "
                          "media, poll, quote)", service=SERVICE)
    return TweetSpec(text, media, ids, options, poll_duration_minutes if options else None, reply, quote)


def validate_thread(tweets: Sequence[str | Mapping[str, Any]], *,
                    reply_to: str | int | None = None) -> list[TweetSpec]:
    """Check every post of a thread (before anything is sent); raises naming the item.

    :param tweets: the posts, texts or dicts.
    :param reply_to: the post the first one replies to.
    """
    tweets = rendered_value(tweets, "tweets", service=SERVICE)
    if isinstance(tweets, (str, Mapping)) or not isinstance(tweets, Sequence) or not tweets:
        raise input_error("tweets", f"must be a non-empty list of texts or dicts, got {_shown(tweets)}",
                          service=SERVICE)
    reply_to = _id(reply_to, "reply_to") if reply_to not in (None, "") else None
    specs = []
    for number, item in enumerate(tweets):
        if not isinstance(item, (str, Mapping)):
            raise input_error(f"tweets[{number}]", f"must be a text or a dict, got {_shown(item)}", service=SERVICE)
        args = {"text": item} if isinstance(item, str) else dict(item)
        unknown = set(args) - _THREAD_ITEM_KEYS
        if unknown:
            raise input_error(f"tweets[{number}]", f"unknown keys {sorted(unknown)}", service=SERVICE)
        try:
            specs.append(validate_tweet(reply_to=reply_to if number == 0 else None, **args))
        except ValidationError as exc:
            raise input_error(f"tweets[{number}]", exc.api_message, service=SERVICE) from None
    return specs


def _poll_options(value: Any) -> list[Any] | None:
    """Poll options as given or rendered (a JSON or Python-repr list string); None when unset."""
    value = rendered_value(value, "poll_options", service=SERVICE)
    if value is None:
        return None
    if isinstance(value, str) and value:
        raise input_error("poll_options", "must be a list of 2-4 strings, not one string", service=SERVICE)
    if value == "":
        return []
    if isinstance(value, Mapping) or not isinstance(value, Sequence):
        raise input_error("poll_options", f"must be a list of 2-4 strings, got {_shown(value)}", service=SERVICE)
    for option in value:
        if isinstance(option, bool) or not isinstance(option, (str, int)):
            raise input_error("poll_options", f"each option is a text, got {_shown(option)}", service=SERVICE)
    return list(value)


def _minutes(value: Any) -> Any:
    """A poll duration as given or rendered (``"60"``): digits become the number; None or "" when unset."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return int(value.strip())
    return value  # checked with the poll (an int of 5-10080), named in the error if it is not one


def _check_unicode(text: str, field: str) -> None:
    """Refuse text that cannot be sent: a lone surrogate (``\\ud800``) has no UTF-8 form."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise input_error(field, f"{text[:40]!r} is not valid Unicode (a lone surrogate)", service=SERVICE) from None


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:59] + '…'}"


@dataclass(eq=False)
class TwitterPosting:
    """Posts and threads, validated before anything is sent, never posted twice.

    :param client: sends the declared calls.
    :param account: the authorised account, whose timeline the no-double-post check reads.
    :param media: uploads the posts' media.
    :param dedupe_window_minutes: how far back the no-double-post check looks (checked when it first looks).
    :param clock: seconds since the epoch (the hook's, injectable).
    """

    client: TwitterClient
    account: TwitterAccount
    media: TwitterMedia
    clock: Callable[[], float]
    dedupe_window_minutes: Any = DEDUPE_WINDOW_MINUTES

    @property
    def dedupe_window(self) -> timedelta:
        """How far back the no-double-post check looks, or an error naming ``dedupe_window_minutes``."""
        minutes: Any = self.dedupe_window_minutes
        try:
            value = float(minutes)
        except (TypeError, ValueError):
            value = -1.0
        if value < 0:
            raise input_error("dedupe_window_minutes", f"must be a number of minutes >= 0, got {minutes!r}",
                              service=SERVICE)
        return timedelta(minutes=value)

    # ---------------------------------------------------------------------------------------------- posting
    def create_tweet(self, text: str | None = None, *, dedupe: bool = False,
                     **fields: Unpack[TweetFields]) -> dict[str, Any]:
        """Post one tweet; returns ``{"id", "text", "url", "deduplicated"}``.

        Everything is validated first; then files are uploaded (waiting for GIF/video processing), then the post
        is created. ``dedupe=True`` (set by operators on task retries) first looks for an identical post of this
        account within the dedupe window and returns it instead of posting again. Whatever ``dedupe`` says, a
        create that timed out or failed with 5xx is followed by that look-up before it is sent a second time.

        :param text: the post's text.
        :param dedupe: look for an identical recent post first.
        :param fields: ``media_paths``, ``media_ids``, ``poll_options``, ``poll_duration_minutes``, ``reply_to``,
            ``quote_tweet_id``, as :func:`validate_tweet` takes them.
        """
        spec = validate_tweet(text, **fields)
        recent = self.recent_posts() if dedupe and spec.text else None
        if recent is not None and (existing := recent.find(spec.text, spec.reply_to)):
            return existing  # found before uploading anything again
        uploaded = [self.media.upload_media(m.path)["media_id"] for m in spec.media]
        return self.post(spec, uploaded, dedupe=dedupe, recent=recent)  # one look-up per post: done above

    def post(
        self, spec: TweetSpec, media_ids: Sequence[str] = (), *, dedupe: bool = False,
        recent: RecentPosts | None = None,
    ) -> dict[str, Any]:
        """Send a validated post (media already uploaded and processed) with the no-double-post protection.

        ``dedupe`` looks for an identical recent post first. A create that failed in a way that may have landed
        (timeout, dropped connection, 5xx) is looked up before it is sent once more; if X then refuses the
        resend as a duplicate (its timeline lagged behind the create), the post is looked up again and returned.

        :param spec: the validated post (:func:`validate_tweet`).
        :param media_ids: its uploaded media.
        :param dedupe: look for an identical recent post first.
        :param recent: a look at the timeline already made (by the caller): matched instead of looking again.
        """
        if dedupe and spec.text:
            recent = recent if recent is not None else self.recent_posts()
            if existing := recent.find(spec.text, spec.reply_to):
                return existing
        body = spec.body(media_ids)

        def send(maybe_landed: bool) -> requests.Response:
            try:
                return self.client.call("create tweet", json=body)
            except DuplicateTweetError:
                if maybe_landed and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
                    raise _Found(existing) from None
                raise

        try:
            try:
                response = send(maybe_landed=dedupe)
            except ServerError:
                # Timed out, connection dropped, or 5xx: the post may have landed. Look before sending it again.
                if spec.text and (existing := self.find_recent_tweet(spec.text, reply_to=spec.reply_to)):
                    return existing
                response = send(maybe_landed=True)
        except _Found as found:
            return found.tweet
        data = response.json()["data"]
        # x.com/i/web/status/<id> opens any post without knowing the username (which would cost a users/me call).
        return {"id": str(data["id"]), "text": data.get("text", spec.text), "url": tweet_url(str(data["id"])),
                "deduplicated": False}

    def find_recent_tweet(self, text: str, *, reply_to: str | None = None) -> dict[str, Any] | None:
        """This account's post with the same text (URLs, entities and spacing aside) and reply target, posted
        within the dedupe window, or None. X's timeline can lag a few seconds behind a create (a limit).

        :param text: the post's text (media-only posts cannot be matched: None is returned without a call).
        :param reply_to: the post it replies to, if any.
        """
        if not text:
            return None  # media-only posts cannot be matched by text
        return self.recent_posts().find(text, reply_to)

    def recent_posts(self, *, since: float | None = None) -> RecentPosts:
        """One look at this account's posts of the dedupe window (``GET /2/users/{id}/tweets``, up to 100), to match
        every post of a thread against without a request per post.

        :param since: look back at least to this moment (epoch seconds): a task resumed after a long wait looks
            back to before it started posting, however far that is.
        """
        me = self.account.get_me()
        since_time = min(self.clock() - self.dedupe_window.total_seconds(),
                         self.clock() if since is None else since)
        since_moment = datetime.fromtimestamp(since_time, tz=timezone.utc)
        response = self.client.call(
            "recent posts", path_params={"user_id": me["id"]},
            params={"max_results": 100, "start_time": since_moment.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    "tweet.fields": "created_at,referenced_tweets"},
        )
        return RecentPosts(response.json().get("data") or [])

    def create_thread(self, tweets: Sequence[str | Mapping[str, Any]], *, dedupe: bool = False,
                      reply_to: str | int | None = None) -> list[dict[str, Any]]:
        """Post ``tweets`` as a reply chain and return every post (``id``, ``text``, ``url``), in order.

        Each item is a text or a dict of :meth:`create_tweet` arguments (``text``, ``media_paths``, ``poll_options``,
        ``poll_duration_minutes``, ...). All items are validated, then all media uploaded and processed, before the
        first post. With ``dedupe=True`` (task retries) posts already made are found and reused, so a retried
        thread continues where it stopped.

        :param tweets: the posts, texts or dicts of :meth:`create_tweet` arguments.
        :param dedupe: find posts of an earlier try and continue after them.
        :param reply_to: the post the thread's first post replies to.
        """
        specs = validate_thread(tweets, reply_to=reply_to)
        uploaded = [[self.media.upload_media(m.path)["media_id"] for m in spec.media] for spec in specs]
        return self.post_thread(specs, uploaded, dedupe=dedupe)

    def post_thread(self, specs: Sequence[TweetSpec], media_ids: Sequence[Sequence[str]], *,
                    dedupe: bool = False, recent: RecentPosts | None = None) -> list[dict[str, Any]]:
        """Post validated specs as a reply chain (media already uploaded).

        :param specs: the posts, from :func:`validate_thread`.
        :param media_ids: each post's uploaded media ids.
        :param dedupe: find posts that landed on an earlier try and continue after them (one look-up in all).
        :param recent: a look at the timeline the caller already made (an operator on retry), used instead.
        """
        if dedupe and recent is None and any(spec.text for spec in specs):
            recent = self.recent_posts()
        posted: list[dict[str, Any]] = []
        previous = specs[0].reply_to if specs else None
        for spec, ids in zip(specs, media_ids, strict=True):
            spec = replace(spec, reply_to=previous)
            existing = recent.find(spec.text, previous) if recent is not None else None
            result = existing or self.post(spec, ids, dedupe=dedupe, recent=recent)
            posted.append(result)
            previous = result["id"]
        return posted

    def delete_tweet(self, tweet_id: str | int) -> bool:
        """``DELETE /2/tweets/{id}``; True when X reports it deleted.

        :param tweet_id: the post.
        """
        tweet_id = _id(tweet_id, "tweet_id")
        response = self.client.call("delete tweet", path_params={"tweet_id": tweet_id})
        return bool(response.json().get("data", {}).get("deleted"))
