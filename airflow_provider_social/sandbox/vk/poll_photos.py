"""A poll's background photo: ``polls.getPhotoUploadServer(owner_id)`` -> POST ``photo`` (vksdk) or ``file``
(vk-io) -> ``polls.savePhoto(photo, hash)`` -> ``polls.create(photo_id)``.

The upload host answers ``{"photo", "hash"}`` (vksdk's ``PollsPhotoUploadResponse``), both passed to
``polls.savePhoto`` unchanged; the save answers a poll background (schema ``polls_background``: ``id``, ``color``,
``images``) whose ``id`` is ``polls.create``'s ``photo_id``. The save verifies the upload: a ``photo`` that is not
from an upload 129 (the only error the schema lists for it), a hash that is not this upload's, another user's
upload or one saved before 121, a refused file 129.

Limits: JPG, PNG or GIF, at most 50 MB, width + height at most 14000 px, sides at least 1:20 (vksdk's README,
"Загрузка фоновой фотографии в опрос"), at least 795 x 200 px (vksdk's ``UploadPollsPhoto``: "minimum photo
size 795x200px ... Recommended size: 1590x400px"). VK's own pages give no minimum that this project could read
(UNCONFIRMED; the 510 x 200 some guides mention was found in no source).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import VkError, missing
from .images import image_info, image_problem
from .signing import save_signed_photo, sign

if TYPE_CHECKING:
    from .methods.registry import Call
    from .state import Upload, VkState

POLL_PHOTO_MAX = 50 * 1000 * 1000  # the stricter reading of "50 MB", as for wall photos
POLL_PHOTO_MIN_WIDTH = 795
POLL_PHOTO_MIN_HEIGHT = 200
FIELDS = ("photo", "file")


def poll_photo_problem(head: bytes, size: int) -> str | None:
    """Why VK would refuse this poll background (None when it is fine)."""
    problem = image_problem(head, size, POLL_PHOTO_MAX)
    info = image_info(head)
    if problem is None and info is not None and (info[1] < POLL_PHOTO_MIN_WIDTH or info[2] < POLL_PHOTO_MIN_HEIGHT):
        problem = (f"image is {info[1]}x{info[2]} px, a poll photo needs at least "
                   f"{POLL_PHOTO_MIN_WIDTH}x{POLL_PHOTO_MIN_HEIGHT}")
    return problem


def poll_photo_answer(vk: VkState, upload: Upload) -> dict[str, Any]:
    """What the upload host answers: an opaque ``photo`` and its ``hash``."""
    photo = f"{upload.id}.{upload.server}"
    return {"photo": photo, "hash": sign(vk, "poll_photo", upload.id, upload.server, photo)}


def claim_poll_photo(call: Call) -> Upload:
    """The upload behind ``photo``/``hash``, verified and marked saved (under the VK lock)."""
    photo, given = call.params.str("photo"), call.params.str("hash")
    if photo is None:
        raise missing("photo")
    if given is None:
        raise missing("hash")
    vk = call.vk
    upload = vk.uploads.get(photo.split(".")[0])
    if upload is None or upload.kind != "poll_photo" or upload.result is None:
        raise VkError(129, "Invalid photo")
    return save_signed_photo(vk, upload, "poll_photo", photo, given, user_id=call.user_id)


def save_poll_photo(call: Call) -> dict[str, Any]:
    """``polls.savePhoto``: a saved poll background owned by the upload's owner."""
    vk = call.vk
    with vk.lock:
        upload = claim_poll_photo(call)
        assert upload.result is not None
        item = upload.result["files"][0]
        photo_id = vk.next_id("poll_photo")
        background = {
            "id": photo_id, "type": "tile", "color": "8c9aa7", "width": item["width"], "height": item["height"],
            "images": [{"url": f"https://sun9-1.userapi.com/poll_photo{photo_id}.jpg", "width": item["width"],
                        "height": item["height"]}],
            "_owner_id": upload.extra["owner_id"], "_user_id": call.user_id,
        }
        vk.poll_photos[photo_id] = background
    if vk.sandbox is not None:
        vk.sandbox.record("vk", "poll_photo", owner_id=background["_owner_id"], photo_id=photo_id)
    return public(background)


def public(background: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in background.items() if not k.startswith("_")}
