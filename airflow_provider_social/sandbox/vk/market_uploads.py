"""The product-photo upload of the VK market: ``market.getProductPhotoUploadServer`` -> POST ``file`` ->
``market.saveProductPhoto(upload_response)``.

Field ``file`` (vk-io's ``marketProductPhoto`` uploads with ``fieldName: "file"``). What the upload host answers
is not documented and is UNCONFIRMED: clients pass the whole answer back unchanged as ``upload_response`` (vk-io
``JSON.stringify(uploaded)``; the seed library and recorded scripts pass the upload body text). The sandbox
answers an opaque object ``{"server", "photo", "group_id", "hash"}`` and ``market.saveProductPhoto`` verifies it:
unparseable or not from an upload 100 (VK's wording for a missing one is "upload_response is undefined", quoted by
a client), a hash that is not this upload's, a foreign user or an upload saved before 121, a refused file 129.

Photo limits: the sandbox applies the wall-photo limits (reference 1.7) plus VK's long-documented product
minimum of 400 x 400 px (the former market.add page; UNCONFIRMED for the current upload host).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from .errors import invalid, missing
from .images import image_info, image_problem
from .signing import save_signed_photo, sign

if TYPE_CHECKING:
    from .methods.registry import Call
    from .state import Upload, VkState

MARKET_PHOTO_MAX = 50 * 1024 * 1024
MARKET_PHOTO_MIN_SIDE = 400


def market_photo_problem(head: bytes, size: int) -> str | None:
    problem = image_problem(head, size, MARKET_PHOTO_MAX)
    if problem is None:
        info = image_info(head)
        if info is not None and min(info[1], info[2]) < MARKET_PHOTO_MIN_SIDE:
            problem = (f"image is {info[1]}x{info[2]} px, a product photo needs at least "
                       f"{MARKET_PHOTO_MIN_SIDE}x{MARKET_PHOTO_MIN_SIDE}")
    return problem


def market_photo_answer(vk: VkState, upload: Upload) -> dict[str, Any]:
    photo = f"{upload.id}:0"
    return {"server": upload.server, "photo": photo, "group_id": upload.group_id,
            "hash": sign(vk, "market_photo", upload.id, upload.server, photo)}


def claim_market_photo(call: Call) -> Upload:
    """The upload behind ``upload_response``, verified and marked saved (under the VK lock)."""
    raw = call.params.str("upload_response")
    if raw is None:
        raise missing("upload_response")
    try:
        answer = json.loads(raw)
        server, photo, given = int(answer["server"]), str(answer["photo"]), str(answer["hash"])
    except (ValueError, KeyError, TypeError):
        raise invalid("upload_response") from None
    vk = call.vk
    upload = vk.uploads.get(photo.split(":")[0])
    if upload is None or upload.kind != "market_photo" or upload.result is None:
        raise invalid("upload_response")
    return save_signed_photo(vk, upload, "market_photo", photo, given, user_id=call.user_id,
                             same_server=upload.server == server)
