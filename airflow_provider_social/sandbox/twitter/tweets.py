"""``/2/tweets`` and ``/2/users``: create (validated as X does), delete, read."""

from __future__ import annotations

import unicodedata

from starlette.requests import Request
from starlette.responses import Response

from .constants import _ID_RE, NAME, POST_FIELDS
from .records import Principal, Tweet
from .responses import _json, _json_body, forbidden, invalid_request, not_found
from .state import TwitterState


def _weighted_length(text: str) -> int:
    # The rules X enforces; the hooks check posts with the same module before sending them.
    from airflow_provider_social.hooks.twitter.weighted_text import parse_text

    return parse_text(text).weighted_length


async def create_tweet(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    data = _json_body(request, body)
    unknown = set(data) - POST_FIELDS
    if unknown:
        name = sorted(unknown)[0]
        return invalid_request(f"The `{name}` field is not valid", name)
    text = data.get("text")
    if text is not None and not isinstance(text, str):
        return invalid_request("`text` must be a string", "text", [text])
    text = unicodedata.normalize("NFC", text or "")
    exclusive = [name for name in ("media", "poll", "quote_tweet_id", "card_uri") if data.get(name) is not None]
    if len(exclusive) > 1:
        return invalid_request(f"The fields {', '.join(exclusive)} are mutually exclusive", exclusive[0])
    media_ids: list[str] = []
    now = service.clock.now()
    if data.get("media") is not None:
        media = data["media"]
        if not isinstance(media, dict) or set(media) - {"media_ids", "tagged_user_ids"}:
            return invalid_request("`media` must be an object with media_ids", "media")
        media_ids = media.get("media_ids")  # type: ignore[assignment]
        if not isinstance(media_ids, list) or not 1 <= len(media_ids) <= 4:
            return invalid_request("`media.media_ids` must hold 1 to 4 ids", "media.media_ids", media_ids or [])
        if any(not isinstance(m, str) or not _ID_RE.match(m) for m in media_ids):
            return invalid_request("media ids must be numeric strings", "media.media_ids", media_ids)
        if len(set(media_ids)) != len(media_ids):
            return invalid_request("media ids must be distinct", "media.media_ids", media_ids)
        tagged = media.get("tagged_user_ids", [])
        if not isinstance(tagged, list) or len(tagged) > 10:
            return invalid_request("`media.tagged_user_ids` holds at most 10 ids", "media.tagged_user_ids")
        kinds = []
        for media_id in media_ids:
            record = service.media.get(media_id)
            if record is None or record.owner != who.user_id:
                return invalid_request(f"Your media IDs are invalid: {media_id}", "media.media_ids", [media_id])
            why = record.usable(now)
            if why:
                return invalid_request(f"Media {media_id} cannot be attached: {why}", "media.media_ids", [media_id])
            kinds.append(record.kind)
        if ("gif" in kinds or "video" in kinds) and len(kinds) > 1:
            return invalid_request("A post takes up to 4 images, or 1 GIF, or 1 video", "media.media_ids", media_ids)
    elif not text:
        return invalid_request("Post text is required unless media is attached", "text")
    if text and _weighted_length(text) > 280:
        return forbidden("Your Tweet text is too long. For more information on how X determines text length, "
                         "see https://github.com/twitter/twitter-text.")
    poll = data.get("poll")
    if poll is not None:
        if not isinstance(poll, dict) or set(poll) - {"options", "duration_minutes", "reply_settings"}:
            return invalid_request("`poll` must be an object with options and duration_minutes", "poll")
        options = poll.get("options")
        if not isinstance(options, list) or not 2 <= len(options) <= 4:
            return invalid_request("`poll.options` must hold 2 to 4 options", "poll.options", options or [])
        if any(not isinstance(o, str) or not 1 <= len(o) <= 25 for o in options):
            return invalid_request("each poll option must be 1 to 25 characters", "poll.options", options)
        minutes = poll.get("duration_minutes")
        if isinstance(minutes, bool) or not isinstance(minutes, int) or not 5 <= minutes <= 10080:
            return invalid_request("`poll.duration_minutes` must be 5 to 10080", "poll.duration_minutes", [minutes])
    reply_to = None
    if data.get("reply") is not None:
        reply = data["reply"]
        if not isinstance(reply, dict) or "in_reply_to_tweet_id" not in reply:
            return invalid_request("`reply.in_reply_to_tweet_id` is required", "reply.in_reply_to_tweet_id")
        reply_to = reply["in_reply_to_tweet_id"]
        if not isinstance(reply_to, str) or not _ID_RE.match(reply_to):
            return invalid_request("`reply.in_reply_to_tweet_id` must be a numeric string",
                                   "reply.in_reply_to_tweet_id", [reply_to])
        target = service.tweets.get(reply_to)
        if target is None or target.deleted:
            return forbidden("You attempted to reply to a Tweet that is deleted or not visible to you.")
    quote_of = data.get("quote_tweet_id")
    if quote_of is not None:
        if not isinstance(quote_of, str) or not _ID_RE.match(quote_of):
            return invalid_request("`quote_tweet_id` must be a numeric string", "quote_tweet_id", [quote_of])
        target = service.tweets.get(quote_of)
        if target is None or target.deleted:
            return forbidden("You attempted to quote a Tweet that is deleted or not visible to you.")
    with service._lock:
        if text and any(t.author_id == who.user_id and not t.deleted and t.text == text
                        for t in service.tweets.values()):
            return forbidden("You are not allowed to create a Tweet with duplicate content.")
        tweet = Tweet(id=service.new_id(), author_id=who.user_id, text=text, created_at=now, media_ids=media_ids,
                      poll=poll, reply_to=reply_to, quote_of=quote_of)
        service.tweets[tweet.id] = tweet
    service.sandbox.record(NAME, "tweet", id=tweet.id, text=text, media_ids=media_ids, poll=poll,
                           reply_to=reply_to, quote_of=quote_of, auth=who.kind)
    # Only the required id and text: whether live responses say edit_history_tweet_ids or edit_history_post_ids
    # is UNCONFIRMED, so a client that relies on either fails here first.
    return _json({"data": {"id": tweet.id, "text": text}}, 201)


async def delete_tweet(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    tweet_id = request.path_params["id"]
    with service._lock:
        tweet = service.tweets.get(tweet_id)
        if tweet is None or tweet.deleted:
            return not_found(f"Could not find tweet with id: [{tweet_id}].", value=tweet_id)
        if tweet.author_id != who.user_id:
            return forbidden("You are not authorized to delete this Tweet.")
        tweet.deleted = True
    service.sandbox.record(NAME, "delete", id=tweet_id)
    return _json({"data": {"deleted": True}})


async def users_me(service: TwitterState, request: Request, body: bytes, who: Principal) -> Response:
    return _json({"data": dict(service.users[who.user_id])})


# -- media, shared by both APIs --------------------------------------------------------------------------------
