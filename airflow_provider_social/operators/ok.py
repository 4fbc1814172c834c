"""Odnoklassniki (OK.ru) operators: post to a group, upload photos, keep the tokens fresh.

Thin: inputs are checked before any network call (:meth:`OkHook.validate_post`), one hook call does the work,
and the result is small JSON for XCom (ids and URLs; never an access token). On a task retry the post first
looks for the topic an earlier try may have created (the no-double-post rule in :mod:`hooks.ok.posting`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.hook_mixin import ServiceHookMixin
from airflow_provider_social.hooks.ok.connection import CONNECTION_FORM, DEFAULT_CONN_ID
from airflow_provider_social.links.ok import TOPIC_URL_XCOM_KEY, OkTopicLink
from airflow_provider_social.operators.refresh import RefreshCredentialsOperator

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.ok.hook import OkHook  # noqa: F401 - named in OkHookMixin's base

#: The service named in input errors (``hooks/ok/posting.SERVICE``, repeated so that parsing a DAG imports no hook).
SERVICE = "OK"


def _is_retry(context: Context) -> bool:
    ti = context.get("ti") if hasattr(context, "get") else None
    return bool(ti is not None and (getattr(ti, "try_number", 1) or 1) > 1)


def _as_list(value: Any, field: str) -> list[Any] | None:
    """A list field as rendered: a list, one item, or a list rendered as JSON or a Python repr
    (:func:`~airflow_provider_social.core.rendered.as_list`); None when unset."""
    from airflow_provider_social.core.rendered import as_list

    return as_list(value, field, service=SERVICE) or None


class OkHookMixin(ServiceHookMixin["OkHook"]):
    """The OK connection of an operator: ``ok_conn_id`` and its :class:`OkHook` (imported when the task runs)."""

    conn_id_field = "ok_conn_id"
    service = SERVICE
    connection_form = CONNECTION_FORM


class OkBaseOperator(OkHookMixin, BaseOperator):
    """Shared: the connection; ``get_hook()`` gives an :class:`OkHook` for the rendered ``ok_conn_id`` (an empty or
    junk id is an input error, not another connection).

    :param ok_conn_id: the connection (default ``odnoklassniki_default``).
    """

    def __init__(self, *, ok_conn_id: str = DEFAULT_CONN_ID, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.ok_conn_id = ok_conn_id


class OkPostToGroupOperator(OkBaseOperator):
    """Post a topic to an OK group: text, photos (local files or upload tokens), a link, a poll, a schedule.

    Returns ``{"topic_id", "group_id", "url", "deduplicated", "scheduled_for"}`` (pushed to XCom) and shows an
    "OK topic" link to ``https://ok.ru/group/<gid>/topic/<id>``.

    :param text: the post text. Templated.
    :param group_id: the group (gid); default: the connection's ``group_id``. Templated.
    :param photo_paths: local image files to upload and attach. Templated.
    :param photo_tokens: upload tokens from :class:`OkUploadPhotosOperator` (same group). Templated.
    :param link: an http(s) URL shown as a link block. Templated.
    :param poll_question: a poll's question; with ``poll_answers`` (2 or more). Templated.
    :param poll_answers: the poll's answers (a list; rendered as JSON or a Python list repr is read too). Templated.
    :param poll_options: ``SingleChoice`` and/or ``AnonymousVoting``.
    :param publish_at: schedule the topic: an aware datetime, or "YYYY-mm-dd hh:mi:ss" in Moscow time. Templated.
    :param on_behalf_of_group: post as the group (the user must administer it; default True).
    :param dedupe: look for the same post (text, photos, link, poll) within 15 minutes before posting; default: on
        task retries. A scheduled post cannot be looked up: when its answer was lost, or on a retry, the task fails
        for good ("may have been posted; not re-sent") instead of posting it twice.
    :param ok_conn_id: the connection (default ``odnoklassniki_default``).
    """

    template_fields: Sequence[str] = ("text", "group_id", "photo_paths", "photo_tokens", "link", "poll_question",
                                      "poll_answers", "publish_at")
    operator_extra_links = (OkTopicLink(),)

    def __init__(
        self,
        *,
        text: str | None = None,
        group_id: str | int | None = None,
        photo_paths: str | Sequence[str] | None = None,
        photo_tokens: Sequence[str] | None = None,
        link: str | None = None,
        poll_question: str | None = None,
        poll_answers: Sequence[str] | None = None,
        poll_options: Sequence[str] | str | None = None,
        publish_at: datetime | str | None = None,
        on_behalf_of_group: bool = True,
        dedupe: bool | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.text, self.group_id, self.photo_paths, self.photo_tokens = text, group_id, photo_paths, photo_tokens
        self.link, self.poll_question, self.poll_answers = link, poll_question, poll_answers
        self.poll_options, self.publish_at, self.on_behalf_of_group = poll_options, publish_at, on_behalf_of_group
        self.dedupe = dedupe
        self.topic_url: str | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        """Validate, post (or find the earlier try's topic), record the link.

        :param context: the task's Airflow context."""
        from airflow.sdk.exceptions import AirflowFailException

        from airflow_provider_social.core.rendered import rendered_value
        from airflow_provider_social.hooks.ok.posting import POST_FIELDS, PossiblyPostedError

        hook = self.get_hook()
        fields = {name: getattr(self, name) for name in POST_FIELDS}  # the post's parameters are declared once
        lists = ("photo_paths", "photo_tokens", "poll_answers")
        fields.update({name: _as_list(getattr(self, name), name) for name in lists}, publish_at=self.publish_at or None)
        fields["poll_options"] = rendered_value(self.poll_options, "poll_options", service=SERVICE)  # or "a,b"
        post = hook.validate_post(self.group_id, **fields)  # before any network call
        dedupe = _is_retry(context) if self.dedupe is None else self.dedupe
        try:
            result = hook.publish(post, dedupe=dedupe)
        except PossiblyPostedError as unknown:
            # Airflow's retry must not post it again: fail for good, saying what to check.
            raise AirflowFailException(str(unknown)) from unknown
        from airflow_provider_social.core.lineage import announce_post

        self.topic_url = result["url"]
        announce_post(self, context, result["url"])
        ti = context.get("ti") if hasattr(context, "get") else None
        if ti is not None:
            ti.xcom_push(key=TOPIC_URL_XCOM_KEY, value=result["url"])
        self.log.info("%s %s", "Found the earlier try's topic" if result["deduplicated"] else "Posted", result["url"])
        return result


class OkUploadPhotosOperator(OkBaseOperator):
    """Upload photos for a later group topic; returns ``{"group_id", "photos": [{"photo_id", "token"}]}``.

    The upload tokens are single-use references to the uploaded photos (not credentials): pass them to
    :class:`OkPostToGroupOperator` (``photo_tokens``) for the same group. Posting right away with
    ``photo_paths`` is simpler; this operator is for flows that prepare media in one task and post in another.

    :param paths: local image files (JPEG, PNG, GIF, BMP, WebP). Templated.
    :param group_id: the group the photos are for; default: the connection's ``group_id``. Templated.
    :param ok_conn_id: the connection (default ``odnoklassniki_default``).
    """

    template_fields: Sequence[str] = ("paths", "group_id")

    def __init__(self, *, paths: str | Sequence[str], group_id: str | int | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.paths, self.group_id = paths, group_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Upload the photos for the group.

        :param context: the task's Airflow context."""
        hook = self.get_hook()
        gid = hook.group_id(self.group_id)
        photos = hook.upload_photos(_as_list(self.paths, "paths") or [], group_id=gid)
        self.log.info("Uploaded %d photo(s) for group %s", len(photos), gid)
        return {"group_id": gid, "photos": photos}


class OkRefreshTokenOperator(OkBaseOperator, RefreshCredentialsOperator):
    """Keep the connection's session alive ("keep tokens fresh"); schedule it at least weekly.

    With ``LONG_ACCESS_TOKEN`` among the connection's permissions (the default) the access token lives 30 days and
    every call extends it (at most once a day), while the refresh token dies after 30 days: so the task makes one
    cheap call (``users.getCurrentUser``), which keeps the session alive indefinitely. Without it the 30-minute
    access token is refreshed now and persisted in the token store; the refresh token does not rotate, so such a
    connection needs `airflow social auth ok` at least monthly, and this task surfaces a dead grant early.
    Returns ``{"conn_id", "renewed_by": "call"|"refresh", "expires_at"}`` (ISO time, or None for a session that
    lives while used) -- never a token.

    :param ok_conn_id: the connection (default ``odnoklassniki_default``).
    """

    template_fields: Sequence[str] = ("ok_conn_id",)
    result_fields = ("conn_id", "renewed_by", "expires_at")
    renewal_log = "Kept the OK session of {conn_id} fresh ({renewed_by}); expires at {expires_at}"
    lifetime_while_used = "30 days after its last use"

    def renew(self, conn_id: str) -> dict[str, Any]:
        """Extend the session (LONG_ACCESS_TOKEN) or renew and persist the access token.

        :param conn_id: the connection.
        """
        from airflow_provider_social.hooks.ok.hook import OkHook

        return OkHook(conn_id).keep_session_fresh()
