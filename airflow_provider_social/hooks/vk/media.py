"""Albums and photos of the community (user token): create and delete albums, delete photos.

Uploads themselves live in :mod:`.uploads`.
"""

from __future__ import annotations

from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.hooks.vk.concern import CommunityConcern
from airflow_provider_social.hooks.vk.policy import SERVICE

PRIVACY = ("all", "friends", "friends_of_friends", "only_me")


class VkMedia(CommunityConcern):
    """Albums and photos of the community.

    :param api: the VK API client.
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def create_album(self, title: str, *, description: str | None = None, group_id: Any = None,
                     upload_by_admins_only: bool | None = None, comments_disabled: bool | None = None
                     ) -> dict[str, Any]:
        """Create a photo album in the community; returns the album (``id``, ``owner_id``, ``title``, ...).

        :param title: the title.
        :param description: the description.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        :param upload_by_admins_only: only the community's admins may upload.
        :param comments_disabled: no comments on the album.
        """
        if not isinstance(title, str) or not 2 <= len(title.strip()) <= MAX_ALBUM_TITLE:
            raise input_error("title", f"an album title is text of 2 to {MAX_ALBUM_TITLE} characters, got "
                              f"{title!r:.60}", service=SERVICE)
        if description is not None and (not isinstance(description, str) or len(description) > MAX_ALBUM_TEXT):
            raise input_error("description", f"text of at most {MAX_ALBUM_TEXT} characters, got {description!r:.60}",
                              service=SERVICE)
        gid = self.group(group_id)
        album = self.api.call("photos.createAlbum", title=title, group_id=gid, description=description,
                          upload_by_admins_only=upload_by_admins_only, comments_disabled=comments_disabled)
        return {**album, "url": f"https://vk.com/album-{gid}_{album.get('id')}"}

    def delete_album(self, album_id: int | str, *, group_id: Any = None) -> bool:
        """Delete a community photo album (user token).

        :param album_id: the album to delete.
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        gid = self.group(group_id)
        return bool(self.api.call("photos.deleteAlbum", album_id=_id(album_id, "album_id"), group_id=gid))

    def delete_photo(self, photo_id: int | str, *, owner_id: int | None = None, group_id: Any = None) -> bool:
        """Delete a photo of the community (``owner_id`` defaults to the community's, negative).

        :param photo_id: the photo's id.
        :param owner_id: the photo's owner (default: the community, negative).
        :param group_id: the community (123456, -123456 or club123456); default: the connection's.
        """
        owner = owner_id if owner_id is not None else -self.group(group_id)
        return bool(self.api.call("photos.delete", owner_id=owner, photo_id=_id(photo_id, "photo_id")))


MAX_ALBUM_TITLE = 100  # photos.createAlbum title (the sandbox's limit too)
MAX_ALBUM_TEXT = 1024  # photos.createAlbum description


def _id(value: Any, field: str) -> int:
    text = str(value).strip()
    if not text.isdigit() or int(text) <= 0:
        raise input_error(field, f"expected a positive numeric id, got {value!r}", service=SERVICE)
    return int(text)


__all__ = ["VkMedia"]
