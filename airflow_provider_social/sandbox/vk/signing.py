"""The upload hash: what an upload server hands back and a save method verifies (a hash from another upload, or
for other fields, is refused), and the save checks of the photo uploads whose answer is one opaque string."""

from __future__ import annotations

import hashlib
import hmac
from typing import TYPE_CHECKING, Protocol

from .errors import VkError

if TYPE_CHECKING:
    from .state import Upload


class HasUploadSecret(Protocol):
    """The VK sandbox state, as far as signing needs it."""

    @property
    def upload_secret(self) -> bytes: ...


def sign(vk: HasUploadSecret, *parts: object) -> str:
    """The hash of ``parts`` under the sandbox's upload secret (32 hex characters).

    :param vk: the VK sandbox state.
    :param parts: what the hash binds together (kind, upload id, server, photo).
    """
    message = "|".join(str(part) for part in parts).encode()
    return hmac.new(vk.upload_secret, message, hashlib.sha256).hexdigest()[:32]


def save_signed_photo(vk: HasUploadSecret, upload: Upload, kind: str, data: str, given: str | None, *,
                      user_id: int | None, same_server: bool = True) -> Upload:
    """Mark a photo upload saved after a save method's checks (under the VK lock): a hash that is not this upload's
    (or from another server), an upload saved before or another user's 121; a file the host refused 129.

    :param vk: the VK sandbox state.
    :param upload: the upload the save names.
    :param kind: the upload's kind (part of its hash).
    :param data: what the upload host answered and the save passed back (part of the hash).
    :param given: the hash the save passed.
    :param user_id: the user making the save.
    :param same_server: whether the save named the upload's own server.
    """
    expected = sign(vk, kind, upload.id, upload.server, data)
    if (not same_server or not given or not hmac.compare_digest(given, expected) or upload.saved
            or upload.user_id != user_id):
        raise VkError(121, "Invalid hash")
    assert upload.result is not None
    problems = [f["problem"] for f in upload.result["files"] if f.get("problem")]
    if problems:
        raise VkError(129, f"Invalid photo: {problems[0]}")
    upload.saved = True
    return upload
