"""VK operators: posts, comments, reposts, albums, stories, videos, messages and a statistics export.

Thin shells over :class:`~airflow_provider_social.hooks.vk.VkHook`: inputs are checked by the hook before any
network call, results are small JSON values for XCom (ids and URLs, never tokens). Posts carry a ``guid`` and
messages a ``random_id`` derived from the task instance, so a retried task never posts or sends twice.
"""

from __future__ import annotations

import csv
import json
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from airflow.sdk import BaseOperator

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.hook_mixin import ServiceHookMixin
from airflow_provider_social.core.rendered import as_list, as_mapping
from airflow_provider_social.hooks.vk.connection import CONNECTION_FORM, SERVICE_NAME
from airflow_provider_social.hooks.vk.keys import message_random_id, post_guid
from airflow_provider_social.links.vk import POST_URL_XCOM_KEY, VkPostLink

if TYPE_CHECKING:
    from airflow.sdk import Context

    from airflow_provider_social.hooks.vk import VkHook  # noqa: F401 - named in VkHookMixin's base

SERVICE = SERVICE_NAME


def _list(value: Any, field: str) -> list[Any]:
    """A list field as rendered (a list, its JSON or Python repr, one item); see :mod:`core.rendered`."""
    return as_list(value, field, service=SERVICE)


def _mapping(value: Any, field: str) -> dict[str, Any] | None:
    return as_mapping(value, field, service=SERVICE)


def _optional_text(value: Any, field: str) -> str | None:
    """A single-value text field (a path, a URL, a key): None when empty; a list, a dict or a number is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, os.PathLike):
        return os.fspath(value)  # type: ignore[return-value]
    if not isinstance(value, str):
        raise input_error(field, f"expected text, got {type(value).__name__} {value!r:.60}", service=SERVICE)
    return value


def _optional_source(value: Any, field: str) -> Any:
    """A single media field: None when empty; a path, a storage or http(s) URL, an ``ObjectStoragePath``, bytes or a
    binary file object as given (the hook checks it); a list, a dict or a number is refused."""
    if value is None or value == "":
        return None
    if isinstance(value, (list, tuple, dict, int, float)):
        raise input_error(field, f"expected one file (a path, a URL, bytes or a file object), got "
                          f"{type(value).__name__} {value!r:.60}", service=SERVICE)
    return value


def _record_post_link(operator: Any, context: Context, url: str | None) -> None:
    """The "VK post" link: on the operator (read when the task ends) and in XCom (the link's fallback)."""
    from airflow_provider_social.core.lineage import announce_post

    operator.post_url = url
    announce_post(operator, context, url)
    ti = context.get("ti") if hasattr(context, "get") else None
    if url and ti is not None and hasattr(ti, "xcom_push"):
        ti.xcom_push(key=POST_URL_XCOM_KEY, value=url)


class VkHookMixin(ServiceHookMixin["VkHook"]):
    """The VK connection of an operator, sensor or notifier: ``vk_conn_id`` and its :class:`VkHook`."""

    conn_id_field = "vk_conn_id"
    service = SERVICE
    connection_form = CONNECTION_FORM


class VkBaseOperator(VkHookMixin, BaseOperator):
    """Shared: the connection (``vk_conn_id``, default ``vk_default``) and the community (``group_id``; default
    the connection's); ``get_hook()`` gives a :class:`VkHook` for the rendered ``vk_conn_id``.

    :param vk_conn_id: the Connection ID (type ``vk``), default ``vk_default``. Templated.
    :param group_id: the community (123456, -123456, club123456); default: the connection's. Templated.
    """

    template_fields: Sequence[str] = ("vk_conn_id", "group_id")
    ui_color = "#4a76a8"

    def __init__(self, *, vk_conn_id: str = "vk_default", group_id: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.vk_conn_id, self.group_id = vk_conn_id, group_id


class VkCreatePostOperator(VkBaseOperator):
    """Post to the community wall: text, photos, a video, a poll, a link, existing attachments; scheduled.

    Returns ``{"post_id", "owner_id", "url", "attachments"}`` and shows a "VK post" link.

    :param message: the text. Templated.
    :param photos: images (JPG/PNG/GIF, <= 50 MB, width + height <= 14000): local paths, storage or http(s)
        URLs, ``ObjectStoragePath``, bytes or file objects. Templated.
    :param video: a video file from any of those sources. Templated.
    :param poll: ``{"question", "answers": [...], "is_anonymous", "is_multiple", "end_date", "photo"}`` (``photo``:
        the poll's background image, any of the sources above). Templated.
    :param link: one external link. Templated.
    :param attachments: existing objects such as ``photo-1_2``, ``poll-1_4``. Templated.
    :param from_group: post as the community (default True).
    :param publish_date: schedule: an aware datetime or unix time in the future. Templated.
    :param copyright: source link shown under the post. Templated.
    :param mark_as_ads: label the post "advertising" (only with ``from_group``, VK's rule; checked before any
        request).
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "message", "photos", "video", "poll", "link",
                                      "attachments", "publish_date", "copyright")
    operator_extra_links = (VkPostLink(),)

    def __init__(self, *, message: str | None = None, photos: Any = None, video: str | None = None,
                 poll: Mapping[str, Any] | None = None, link: str | None = None, attachments: Any = None,
                 from_group: bool = True, publish_date: Any = None, copyright: str | None = None,
                 mark_as_ads: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.message, self.photos, self.video, self.poll, self.link = message, photos, video, poll, link
        self.attachments, self.from_group, self.publish_date = attachments, from_group, publish_date
        self.copyright, self.mark_as_ads = copyright, mark_as_ads
        self.post_url: str | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        photos, attachments = _list(self.photos, "photos"), _list(self.attachments, "attachments")
        video, poll = _optional_text(self.video, "video"), _mapping(self.poll, "poll")
        post = self.get_hook().create_post(
            self.message, photos=photos, video=video, poll=poll or None, link=self.link or None,
            attachments=attachments, group_id=self.group_id, from_group=self.from_group,
            publish_date=None if self.publish_date in (None, "") else self.publish_date,
            copyright=self.copyright or None, guid=post_guid(context), mark_as_ads=self.mark_as_ads,
        )
        _record_post_link(self, context, post["url"])
        self.log.info("Posted %s", self.post_url)
        return post


class VkCreateCompositePostOperator(VkCreatePostOperator):
    """A post made only of objects that already exist (``attachments``, e.g. from earlier tasks' XCom)."""

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        if not _list(self.attachments, "attachments"):
            raise input_error("attachments", "a composite post needs existing attachments", service=SERVICE)
        return super().execute(context)


class VkDeletePostOperator(VkBaseOperator):
    """Delete a community post. Returns ``{"post_id", "deleted"}``.

    :param post_id: the post to delete. Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "post_id")

    def __init__(self, *, post_id: int | str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.post_id = post_id

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.vk.checks import positive_id

        post_id = positive_id(self.post_id, "post_id")
        return {"post_id": post_id, "deleted": self.get_hook().delete_post(post_id, group_id=self.group_id)}


class VkRepostOperator(VkBaseOperator):
    """Share a post (``wall-1_123``) to the community. Returns VK's answer plus ``url``.

    :param object_id: what to share, e.g. ``wall-1_123``. Templated.
    :param message: a comment shown with the repost. Templated.
    :param mark_as_ads: label the repost "advertising".
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "object_id", "message")
    operator_extra_links = (VkPostLink(),)

    def __init__(self, *, object_id: str, message: str | None = None, mark_as_ads: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.object_id, self.message, self.mark_as_ads = object_id, message, mark_as_ads
        self.post_url: str | None = None

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        result = self.get_hook().repost(self.object_id, message=self.message, group_id=self.group_id,
                                        mark_as_ads=self.mark_as_ads)
        _record_post_link(self, context, result.get("url"))
        return result


class VkCreateCommentOperator(VkBaseOperator):
    """Comment on a community post (as the community by default). Returns ``{"comment_id", "post_id", ...}``.

    :param post_id: the community post to comment on. Templated.
    :param message: the comment's text. Templated.
    :param attachments: existing objects to attach. Templated.
    :param from_group: post or comment as the community (default True).
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "post_id", "message", "attachments")

    def __init__(self, *, post_id: int | str, message: str | None = None, attachments: Any = None,
                 from_group: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.post_id, self.message, self.attachments, self.from_group = post_id, message, attachments, from_group

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        return self.get_hook().create_comment(
            self.post_id, self.message, attachments=_list(self.attachments, "attachments"), group_id=self.group_id,
            from_group=self.from_group, guid=post_guid(context, "comment"))


class VkCreateAlbumOperator(VkBaseOperator):
    """Create a photo album and optionally upload photos into it. Returns ``{"album_id", "url", "photos"}``.

    :param title: the album's title. Templated.
    :param description: the album's description. Templated.
    :param photos: photos to upload into the new album (any source, as for ``VkUploadPhotosOperator``). Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "title", "description", "photos")

    def __init__(self, *, title: str, description: str | None = None, photos: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.title, self.description, self.photos = title, description, photos

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.vk.files import check_photo

        # every file is checked before the album is created; the upload reads the checked sources
        photos = [check_photo(photo, field="photos").source for photo in _list(self.photos, "photos")]
        hook = self.get_hook()
        album = hook.create_album(self.title, description=self.description, group_id=self.group_id)
        uploaded = hook.upload_album_photos(album["id"], photos, group_id=self.group_id) if photos else []
        return {"album_id": album["id"], "url": album["url"], "photos": [p["attachment"] for p in uploaded]}


class VkUploadPhotosOperator(VkBaseOperator):
    """Upload photos into an existing album (5 per request). Returns ``{"album_id", "photos"}``.

    :param album_id: the album to upload into. Templated.
    :param photos: images (JPG/PNG/GIF, at most 50 MB, width + height at most 14000): local paths, storage or
        http(s) URLs, ``ObjectStoragePath``, bytes or file objects. Templated.
    :param caption: a caption for each photo. Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "album_id", "photos", "caption")

    def __init__(self, *, album_id: int | str, photos: Any, caption: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.album_id, self.photos, self.caption = album_id, photos, caption

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.vk.checks import positive_id

        album_id = positive_id(self.album_id, "album_id")
        caption = _optional_text(self.caption, "caption")
        uploaded = self.get_hook().upload_album_photos(album_id, _list(self.photos, "photos"), group_id=self.group_id,
                                                       caption=caption)
        return {"album_id": album_id, "photos": [p["attachment"] for p in uploaded]}


class VkCreateStoryOperator(VkBaseOperator):
    """Publish an image story in the community, optionally with a link button. Returns ``{"story_id", ...}``.

    :param path: the image (at most 10 MB): a local path, a storage or http(s) URL, bytes or a file object.
        Templated.
    :param link_text: the story button's text key (``learn_more``, ``open``, ...); needs ``link_url``. Templated.
    :param link_url: where the story button goes. Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "path", "link_text", "link_url")

    def __init__(self, *, path: str, link_text: str | None = None, link_url: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path, self.link_text, self.link_url = path, link_text, link_url

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        return self.get_hook().create_story(_optional_source(self.path, "path") or "", group_id=self.group_id,
                                            link_text=_optional_text(self.link_text, "link_text"),
                                            link_url=_optional_text(self.link_url, "link_url"))


class VkUploadVideoOperator(VkBaseOperator):
    """Upload a video (or register an external ``link``). Returns ``{"video_id", "owner_id", "attachment"}``.

    :param path: the video file: a local path, a storage or http(s) URL, bytes or a file object. Templated.
    :param link: an external video link instead of a file. Templated.
    :param name: the video's name. Templated.
    :param description: the video's description. Templated.
    :param wallpost: also post the video to the community wall.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "path", "link", "name", "description")

    def __init__(self, *, path: str | None = None, link: str | None = None, name: str | None = None,
                 description: str | None = None, wallpost: bool = False, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.path, self.link, self.name, self.description, self.wallpost = path, link, name, description, wallpost

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        video = self.get_hook().upload_video(_optional_source(self.path, "path"),
                                             link=_optional_text(self.link, "link"),
                                             name=_optional_text(self.name, "name"),
                                             description=_optional_text(self.description, "description"),
                                             group_id=self.group_id, wallpost=self.wallpost)
        return {k: video.get(k) for k in ("video_id", "owner_id", "attachment", "access_key")}


class VkSendMessageOperator(VkBaseOperator):
    """Send a message from the community (community token), optionally with a keyboard.

    The ``random_id`` comes from the task instance: a retried task does not send twice.

    :param peer_id: the user (or chat peer) id. Templated.
    :param message: the text. Templated.
    :param keyboard: an optional bot keyboard: a :class:`~airflow_provider_social.hooks.vk.keyboard.Keyboard`
        (``Keyboard.from_labels(["Yes", "No"])``) or its dict (a dict rendered as JSON or a Python repr is read),
        checked against VK's limits before sending. Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "peer_id", "message", "keyboard")

    def __init__(self, *, peer_id: int | str, message: str, keyboard: Mapping[str, Any] | Any = None,
                 **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.peer_id, self.message, self.keyboard = peer_id, message, keyboard

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.hooks.vk.keyboard import Keyboard

        keyboard = self.keyboard if isinstance(self.keyboard, Keyboard) else _mapping(self.keyboard, "keyboard")
        if self.group_id not in (None, ""):
            from airflow_provider_social.hooks.vk.connection import parse_group_id

            parse_group_id(self.group_id)  # not sent (the community token sends as its community), but not garbage
        return self.get_hook().send_message(self.peer_id, self.message, keyboard=keyboard or None,
                                            random_id=message_random_id(context))


class VkExportStatsOperator(VkBaseOperator):
    """Export community statistics (``stats.get``) and, with ``post_ids``, post reach (through ``execute``) to a
    JSON or CSV file, local or in any store Airflow's object storage knows, written atomically. Returns
    ``{"path", "rows", "reach_rows"}``.

    :param date_from: start (aware datetime or unix time). Templated.
    :param date_to: end. Templated.
    :param output_path: ``.json`` or ``.csv`` file: a local path, or an ``ObjectStoragePath`` or storage URL
        (``s3://conn@bucket/stats/{{ ds }}.csv``). For CSV the reach goes to ``<name>_reach.csv``. Templated.
    :param interval: ``day``, ``week``, ``month``, ``year`` or ``all``.
    :param post_ids: posts whose reach is exported too (through ``execute``). Templated.
    """

    template_fields: Sequence[str] = (*VkBaseOperator.template_fields, "date_from", "date_to", "output_path",
                                      "post_ids")

    def __init__(self, *, date_from: Any, output_path: str, date_to: Any = None, interval: str = "day",
                 post_ids: Any = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.date_from, self.date_to, self.output_path, self.interval = date_from, date_to, output_path, interval
        self.post_ids = post_ids

    def execute(self, context: Context) -> dict[str, Any]:
        """Do what the class docstring says; the returned dict goes to XCom.

        :param context: the task's Airflow context.
        """
        from airflow_provider_social.core.targets import is_storage_target, storage_target, write_atomically
        from airflow_provider_social.hooks.vk.checks import unix_time
        from airflow_provider_social.hooks.vk.stats import check_post_ids

        stored = is_storage_target(self.output_path)
        output = self.output_path if stored else _optional_text(self.output_path, "output_path")
        path: Any = storage_target(output, field="output_path", service=SERVICE) if stored else Path(output or "")
        if path.suffix.lower() not in (".json", ".csv"):
            raise input_error("output_path", f"must end in .json or .csv, got {path.name!r}", service=SERVICE)
        if not stored and path.is_dir():
            raise input_error("output_path", f"{str(path)!r} is a directory, a file is expected", service=SERVICE)
        ids = _list(self.post_ids, "post_ids")
        if ids:
            check_post_ids(ids)  # before stats.get: a bad id must not cost a request
        # Checked here too (the hook checks them again) so that a bad date fails before the connection is read.
        date_from = unix_time(self.date_from, field="date_from")
        date_to = None if self.date_to in (None, "") else unix_time(self.date_to, field="date_to")
        hook = self.get_hook()
        stats = hook.get_community_stats(date_from, date_to, interval=self.interval, group_id=self.group_id)
        reach = hook.get_post_reach(ids, group_id=self.group_id) if ids else []
        if path.suffix.lower() == ".json":
            write_atomically([json.dumps({"stats": stats, "reach": reach}, ensure_ascii=False, indent=2).encode()],
                             path)
        else:
            write_atomically([csv_bytes(stats)], path)
            if reach:
                write_atomically([csv_bytes(reach)], path.with_name(f"{path.stem}_reach.csv"))
        from airflow_provider_social.core.lineage import announce_output

        announce_output(self, path, {"rows": len(stats), "reach_rows": len(reach)}, context)
        return {"path": str(path), "rows": len(stats), "reach_rows": len(reach)}


def csv_bytes(rows: Sequence[Any]) -> bytes:
    """Rows of (possibly nested) dicts as UTF-8 CSV; nested values are written as JSON."""
    import io

    flat = [{k: json.dumps(v, ensure_ascii=False) if isinstance(v, (dict, list)) else v for k, v in dict(r).items()}
            for r in rows if isinstance(r, Mapping)]
    columns = list(dict.fromkeys(k for row in flat for k in row))
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=columns)
    writer.writeheader()
    writer.writerows(flat)
    return text.getvalue().encode("utf-8")


__all__ = [
    "VkBaseOperator",
    "VkCreateAlbumOperator",
    "VkCreateCommentOperator",
    "VkCreateCompositePostOperator",
    "VkCreatePostOperator",
    "VkCreateStoryOperator",
    "VkDeletePostOperator",
    "VkExportStatsOperator",
    "VkRepostOperator",
    "VkSendMessageOperator",
    "VkUploadPhotosOperator",
    "VkUploadVideoOperator",
]
