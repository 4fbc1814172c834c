"""Helpers shared by the method modules: owners, communities, admin checks, ``<type><owner>_<id>`` refs."""

from __future__ import annotations

import re

from ..errors import VkError, invalid
from ..state import Group
from .registry import Call

REF_RE = re.compile(r"^(?P<type>[a-z_]+?)(?P<owner>-?\d+)_(?P<id>\d+)(?:_(?P<key>[0-9a-zA-Z]+))?$")


def group_of(call: Call, group_id: int | None, name: str = "group_id") -> Group:
    group = call.vk.groups.get(abs(group_id)) if group_id else None
    if group is None:
        raise invalid(name)
    return group


def acting_group(call: Call, group_id: int | None) -> int | None:
    """The community a call acts for: the token's own community, or ``group_id`` (checked) for user tokens."""
    token = call.token
    if token.kind == "community":
        if group_id and group_id != token.group_id:
            raise VkError(15, "Access denied: no access to this group")
        return token.group_id
    if group_id:
        require_admin(call, group_of(call, group_id), 203, "Access to group denied")
    return group_id


def require_admin(call: Call, group: Group, code: int, msg: str) -> None:
    if call.token.kind == "community":
        if call.token.group_id != group.id:
            raise VkError(code, msg)
        return
    if call.user_id not in group.admins:
        raise VkError(code, msg)


def can_manage_owner(call: Call, owner_id: int) -> bool:
    """Whether the caller may write to ``owner_id``'s wall (own user wall or a community it administers)."""
    token = call.token
    if owner_id < 0:
        group = call.vk.groups.get(-owner_id)
        if group is None:
            return False
        if token.kind == "community":
            return token.group_id == group.id
        return call.user_id in group.admins
    return token.kind == "user" and owner_id == call.user_id


def owner_exists(call: Call, owner_id: int) -> bool:
    return (-owner_id in call.vk.groups) if owner_id < 0 else (owner_id in call.vk.users)


def parse_ref(value: str, expected_type: str | None = None) -> tuple[str, int, int, str | None] | None:
    match = REF_RE.match(value.strip())
    if match is None or (expected_type and match["type"] != expected_type):
        return None
    return match["type"], int(match["owner"]), int(match["id"]), match["key"]
