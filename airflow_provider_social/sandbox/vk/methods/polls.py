"""polls.create, polls.getPhotoUploadServer, polls.savePhoto (a poll's background photo: :mod:`..poll_photos`)."""

from __future__ import annotations

from typing import Any

from ..errors import invalid
from ..poll_photos import public, save_poll_photo
from ..uploads import new_upload
from .common import acting_group
from .registry import Call, method

# polls.create background_id: the schema's enum (polls/methods.json); VK's ready-made backgrounds.
BACKGROUND_IDS = frozenset({1, 2, 3, 4, 6, 8, 9})


def _owner(call: Call) -> int:
    """``owner_id`` (a community's, negative, checked; default the user's own)."""
    owner_id = call.params.int("owner_id")
    if owner_id is not None and owner_id < 0:
        acting_group(call, -owner_id)
    return owner_id if owner_id is not None else (call.user_id or 0)


@method("polls.getPhotoUploadServer", ("user",), scope="wall")
def polls_get_photo_upload_server(call: Call) -> dict[str, str]:
    owner_id = _owner(call)
    return {"upload_url": new_upload(call, "poll_photo", -owner_id if owner_id < 0 else None, owner_id=owner_id)}


@method("polls.savePhoto", ("user",), scope="wall")
def polls_save_photo(call: Call) -> dict[str, Any]:
    return save_poll_photo(call)


@method("polls.create", ("user",), scope="wall")
def polls_create(call: Call) -> dict[str, Any]:
    p, vk = call.params, call.vk
    question = p.str("question", required=True, max_len=255)
    answers = p.json("add_answers", required=True)
    if (not isinstance(answers, list) or not 1 <= len(answers) <= 10
            or not all(isinstance(a, str) and a.strip() for a in answers)):
        raise invalid("add_answers", "is invalid: a JSON array of 1 to 10 non-empty strings expected")
    owner_id = _owner(call)
    end_date = p.int("end_date", lo=0) or 0
    now = int(vk.clock.now())
    if end_date and end_date <= now:
        raise invalid("end_date")
    background_id = p.int("background_id")
    if background_id is not None and background_id not in BACKGROUND_IDS:
        raise invalid("background_id")
    photo_id = p.int("photo_id", lo=0)
    with vk.lock:
        photo = vk.poll_photos.get(photo_id) if photo_id else None
        # A background saved for another owner (or by another user) is not this poll's to use (UNCONFIRMED how VK
        # answers; the sandbox refuses it).
        if photo_id and (photo is None or photo["_owner_id"] != owner_id or photo["_user_id"] != call.user_id):
            raise invalid("photo_id", "is invalid: no poll photo saved with polls.savePhoto for this owner")
        poll_id = vk.next_id("poll")
        answer_ids = range(poll_id * 100 + 1, poll_id * 100 + 1 + len(answers))
        poll: dict[str, Any] = {
            "id": poll_id, "owner_id": owner_id, "author_id": call.user_id, "created": now,
            "question": question, "votes": 0,
            "answers": [{"id": i, "text": text, "votes": 0, "rate": 0}
                        for i, text in zip(answer_ids, answers, strict=True)],
            "anonymous": p.flag("is_anonymous"), "multiple": p.flag("is_multiple"), "end_date": end_date,
            "closed": False, "is_board": False, "can_edit": True, "can_vote": True, "can_report": False,
            "can_share": True, "disable_unvote": p.flag("disable_unvote"), "answer_ids": [],
        }
        if photo is not None:
            poll["photo"] = public(photo)
        elif background_id is not None:
            poll["background"] = {"id": background_id, "type": "gradient"}
        vk.polls[(owner_id, poll_id)] = poll
    if vk.sandbox is not None:
        vk.sandbox.record("vk", "poll", owner_id=owner_id, poll_id=poll_id)
    return dict(poll)
