"""Group topics: check a post, post it once (the no-double-post rule in :mod:`.posting`), list, find and delete."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.errors import ServerError, input_error
from airflow_provider_social.hooks.ok.posting import (
    SERVICE,
    GroupPost,
    find_matching_topic,
    possibly_posted,
    topic_url,
    validate_post,
)

if TYPE_CHECKING:
    from typing_extensions import Unpack

    from airflow_provider_social.hooks.ok.client import OkClient
    from airflow_provider_social.hooks.ok.groups import OkGroups
    from airflow_provider_social.hooks.ok.photos import OkPhotos
    from airflow_provider_social.hooks.ok.posting import PostFields


class OkTopics:
    """Posts to groups (``mediatopic.*``), never twice.

    :param client: sends OK's declared calls.
    :param groups: resolves the group (the connection's by default).
    :param photos: uploads a post's local photos.
    :param clock: seconds since the epoch (``publish_at`` must be later; the dedupe window ends now).
    :param dedupe_window_minutes: how far back the no-double-post check looks.
    """

    def __init__(self, client: OkClient, *, groups: OkGroups, photos: OkPhotos, clock: Callable[[], float],
                 dedupe_window_minutes: float) -> None:
        self.client = client
        self.groups = groups
        self.photos = photos
        self.clock = clock
        self.dedupe_window_minutes = dedupe_window_minutes

    def validate_post(self, group_id: Any = None, *, text: str | None = None,
                      **fields: Unpack[PostFields]) -> GroupPost:
        """Check a post before anything is sent (the rules: :func:`.posting.validate_post`).

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param text: the topic's text.
        :param fields: the rest of the post (:class:`.posting.PostFields`): ``photo_paths``, ``photo_tokens``,
            ``link``, ``poll_question``, ``poll_answers``, ``poll_options``, ``publish_at``, ``on_behalf_of_group``."""
        return validate_post(self.groups.group_id(group_id), now=self.clock(), text=text, **fields)

    def post_to_group(self, text: str | None = None, *, group_id: Any = None, dedupe: bool = False,
                      **fields: Unpack[PostFields]) -> dict[str, Any]:
        """Post a topic to a group (``mediatopic.post``, ``type=GROUP_THEME``); returns ``{"topic_id",
        "group_id", "url", "deduplicated", "scheduled_for"}``.

        ``publish_at`` schedules it (an aware datetime, or "YYYY-mm-dd hh:mi:ss" in Moscow time);
        ``on_behalf_of_group`` posts as the group (the user must administer it). ``dedupe`` (task retries)
        first looks for the same post (text, number of photos, link, poll) within the dedupe window and returns it
        instead of posting again (a scheduled post cannot be looked up: see :meth:`publish`).

        :param text: the topic's text.
        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param dedupe: look for the same post within the dedupe window first.
        :param fields: the rest of the post (:class:`.posting.PostFields`): ``photo_paths`` (local image files to
            upload and attach), ``photo_tokens`` (upload tokens of photos uploaded earlier for the same group),
            ``link`` (an http(s) URL shown as a link block), ``poll_question`` with ``poll_answers`` (at least 2),
            ``poll_options`` (``SingleChoice`` and/or ``AnonymousVoting``, a list or a comma string),
            ``publish_at`` (in the future), ``on_behalf_of_group`` (default True)."""
        return self.publish(self.validate_post(group_id, text=text, **fields), dedupe=dedupe)

    def publish(self, post: GroupPost, *, dedupe: bool = False) -> dict[str, Any]:
        """Send a validated post: look for it first (``dedupe``), upload its photos, post; after a lost answer
        (timeout, dropped connection, 5xx) look for it before sending it once more. A scheduled post cannot be
        looked up (OK lists it only once its time has come), so it is never sent again: after a lost answer, and
        on a task retry (``dedupe``), :class:`~.posting.PossiblyPostedError` says "may have been posted; not
        re-sent".

        :param post: a post from :meth:`validate_post`.
        :param dedupe: look for the same post within the dedupe window first."""
        if dedupe:
            if post.publish_at:
                raise possibly_posted("an earlier try may have scheduled this topic, and OK does not list scheduled "
                                      "topics before their time")
            if existing := self.find_earlier_topic(post):
                return existing
        tokens = [u["token"] for u in self.photos.upload(post.photos, post.group_id)] if post.photos else []
        params: dict[str, Any] = {"gid": post.group_id, "type": "GROUP_THEME", "attachment": post.attachment(tokens)}
        try:
            topic_id = self.client.call("mediatopic.post", **params)
        except ServerError as lost:
            if post.publish_at:
                raise possibly_posted(f"the answer was lost ({lost.api_message}), and OK does not list scheduled "
                                      "topics before their time") from lost
            if existing := self.find_earlier_topic(post):
                return existing
            topic_id = self.client.call("mediatopic.post", **params)
        topic_id = str(topic_id)
        return {"topic_id": topic_id, "group_id": post.group_id, "url": topic_url(post.group_id, topic_id),
                "deduplicated": False, "scheduled_for": post.publish_at}

    def find_earlier_topic(self, post: GroupPost) -> dict[str, Any] | None:
        """The group's topic carrying the same post (text, number of photos, link, poll) within the dedupe window,
        as a post result, or None.

        :param post: a post from :meth:`validate_post`."""
        return self._find(post.group_id, signature=post.signature())

    def list_topics(self, group_id: Any = None, *, count: int = 20) -> list[dict[str, Any]]:
        """The group's newest topics (``mediatopic.getTopics``; recorded clients use it, its page is not among
        the retrieved docs: UNCONFIRMED).

        :param group_id: the group (gid); None for the Connection's ``group_id``.
        :param count: how many topics, 1-100."""
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= 100:
            raise input_error("count", f"must be an integer from 1 to 100, got {count!r}", service=SERVICE)
        answer = self.client.call("mediatopic.getTopics", gid=self.groups.group_id(group_id), count=count)
        return list(answer.get("media_topics") or []) if isinstance(answer, dict) else []

    def find_recent_topic(self, text: str, *, group_id: Any = None) -> dict[str, Any] | None:
        """The group's topic with the same text posted within the dedupe window, as a post result, or None.

        :param text: the text to match (spacing and Unicode normalisation aside).
        :param group_id: the group (gid); None for the Connection's ``group_id``."""
        if not text:
            return None
        return self._find(self.groups.group_id(group_id), text=text)

    def _find(self, gid: str, *, text: str | None = None, signature: tuple[Any, ...] | None = None
              ) -> dict[str, Any] | None:
        since_ms = (self.clock() - self.dedupe_window_minutes * 60) * 1000
        found = find_matching_topic(self.list_topics(gid, count=20), text, since_ms=since_ms, signature=signature)
        if found is None:
            return None
        topic_id = str(found["id"])
        return {"topic_id": topic_id, "group_id": gid, "url": topic_url(gid, topic_id), "deduplicated": True,
                "scheduled_for": None}

    def delete_topic(self, topic_id: Any, *, group_id: Any = None) -> bool:
        """``mediatopic.deleteTopic`` (used by recorded clients; UNCONFIRMED by the retrieved docs): the author or
        a group administrator may delete. True when OK reports success.

        :param topic_id: the topic's numeric id.
        :param group_id: the group (gid); None for the Connection's ``group_id``."""
        tid = str(topic_id).strip() if topic_id is not None else ""
        if not tid.isdigit():
            raise input_error("topic_id", f"must be a numeric topic id, got {topic_id!r}", service=SERVICE)
        answer = self.client.call("mediatopic.deleteTopic", gid=self.groups.group_id(group_id), topic_id=tid)
        return bool(answer.get("success")) if isinstance(answer, dict) else bool(answer)
