"""The upload hash: what an upload server hands back and a save method verifies (a hash from another upload, or
for other fields, is refused)."""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol


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
