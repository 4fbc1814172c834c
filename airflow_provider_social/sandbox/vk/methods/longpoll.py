"""groups.getLongPollSettings, groups.setLongPollSettings, groups.getLongPollServer (the Bots Long Poll API;
its state, history and ``a_check`` are :mod:`..longpoll`)."""

from __future__ import annotations

from typing import Any

from ..errors import VkError, invalid
from ..longpoll import EVENT_TYPES, NOT_ENABLED, PREFIX
from .common import acting_group
from .registry import Call, method


def _community(call: Call) -> int:
    gid = acting_group(call, call.params.int("group_id", lo=1))
    if not gid:
        raise invalid("group_id")
    return gid


@method("groups.getLongPollSettings", ("user", "community"), scope="groups", community_scope="manage")
def get_long_poll_settings(call: Call) -> dict[str, Any]:
    return call.vk.longpoll.community(_community(call)).settings()


@method("groups.setLongPollSettings", ("user", "community"), scope="groups", community_scope="manage")
def set_long_poll_settings(call: Call) -> int:
    gid = _community(call)
    p = call.params
    spec: dict[str, Any] = {}
    if p.has("enabled"):
        spec["enabled"] = p.flag("enabled")
    version = p.str("api_version")
    if version is not None:
        spec["api_version"] = version
    community = call.vk.longpoll.community(gid)
    chosen = set(community.events)
    for name in EVENT_TYPES:
        if p.has(name):
            (chosen.add if p.flag(name) else chosen.discard)(name)
    spec["events"] = sorted(chosen)
    with call.vk.lock:
        call.vk.longpoll._set(gid, spec)
    return 1


@method("groups.getLongPollServer", ("user", "community"), scope="groups", community_scope="manage")
def get_long_poll_server(call: Call) -> dict[str, Any]:
    gid = _community(call)
    longpoll = call.vk.longpoll
    if not longpoll.community(gid).enabled:
        raise VkError(100, f"One of the parameters specified was missing or invalid: {NOT_ENABLED}")
    answer = longpoll.new_key(gid)
    # lp.vk.com is another host than api.vk.ru: the server is on the storage listener, which never sees tokens.
    return {"key": answer["key"], "server": f"{call.base_url}{PREFIX}/wh{gid}", "ts": answer["ts"]}
