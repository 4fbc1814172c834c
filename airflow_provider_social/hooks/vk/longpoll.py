"""Community events through VK's Bots Long Poll API: the community's settings, a server key, ``a_check``.

``groups.getLongPollServer`` hands out ``key``, ``server`` and ``ts``; ``GET {server}?act=a_check&key=&ts=&wait=``
answers ``{"ts", "updates"}`` (held open up to ``wait`` seconds when there is nothing yet) or ``{"failed": n}``:
1 -> go on from the answer's ``ts`` (the history went out of date: events before it are gone), 2 -> the key
expired (get a new key, keep ``ts``), 3 -> the information was lost (get a new key and ``ts``; events in between
may be lost). What a failure means for a watcher is the trigger's to decide (:mod:`..triggers.vk_events`); here are
the calls and the check of the settings, which names exactly what to switch on.

The Long Poll server is another host than the API (``lp.vk.com``) and is reached with the key alone: no token is
sent there, and the key (a credential for the community's events) is registered with the masker and never logged.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import SocialApiError, input_error
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.policy import JsonBodyPolicy
from airflow_provider_social.hooks.vk.concern import CommunityConcern
from airflow_provider_social.hooks.vk.events import DEFAULT_WAIT, check_event_types, check_wait
from airflow_provider_social.hooks.vk.policy import SERVICE

#: Seconds the HTTP read may take beyond ``wait`` before the check counts as lost (then it is simply repeated).
READ_MARGIN = 15.0
SETTINGS_PATH = "Manage -> API usage -> Long Poll API"


class LongPollDisabled(SocialApiError):
    """The community's Long Poll settings do not send what a watcher needs; the message says what to switch on."""


class LongPollServerPolicy(JsonBodyPolicy):
    """The Long Poll server answers JSON without VK's envelope: updates, or ``failed`` (read by the caller)."""

    answered_by = "the VK Long Poll server"


CHECK = ApiCall("long poll check", "GET", "", token=None, idempotent=True, signed_url=True,
                policy=LongPollServerPolicy())


@dataclass(frozen=True)
class LongPollServer:
    """What ``groups.getLongPollServer`` answered. The key is a credential: never in repr or logs.

    :param server: the Long Poll server's URL.
    :param key: the session key.
    :param ts: the number of the next event.
    """

    server: str
    key: str = field(repr=False)
    ts: str


class VkLongPoll(CommunityConcern):
    """The Bots Long Poll calls of one connection.

    :param api: the VK API client (its transport sends the checks too, with no token).
    :param group: resolves a ``group_id`` argument (None: the connection's) to the community id.
    """

    def settings(self, group_id: Any = None) -> dict[str, Any]:
        """``groups.getLongPollSettings``: ``is_enabled``, ``api_version``, ``events`` (type -> 0/1).

        :param group_id: the community; default: the connection's.
        """
        return dict(self.api.call("groups.getLongPollSettings", group_id=self.group(group_id)))

    def check_settings(self, event_types: Sequence[str], *, group_id: Any = None) -> dict[str, Any]:
        """Read the community's settings and fail, naming what to switch on, unless Long Poll is on, sends events
        in the connection's API version and sends every type in ``event_types``.

        :param event_types: the types a watcher needs.
        :param group_id: the community; default: the connection's.
        """
        types = check_event_types(event_types)
        gid = self.group(group_id)
        settings = self.settings(gid)
        problems = []
        if not settings.get("is_enabled"):
            problems.append("Long Poll API is off: switch it on")
        version = str(settings.get("api_version") or "")
        if version != self.api.version:
            problems.append(f"it sends events in API version {version or '(none)'}, the connection reads "
                            f"{self.api.version}: choose {self.api.version}")
        known = settings.get("events") or {}
        unknown = [t for t in types if t not in known]
        if unknown:
            raise input_error("event_types", f"VK's Long Poll has no event types {unknown}; it knows "
                              f"{sorted(known)}", service=SERVICE)
        off = [t for t in types if not known.get(t)]
        if off:
            problems.append(f"event types off: {', '.join(off)} (tab 'Event types')")
        if problems:
            raise LongPollDisabled(
                f"VK community club{gid} does not send the events this watcher needs: {'; '.join(problems)}",
                service=SERVICE, operation="check Long Poll settings",
                hint=f"in the community's settings ({SETTINGS_PATH}), or call groups.setLongPollSettings with "
                     f"enabled=1, api_version={self.api.version} and {'=1, '.join(types)}=1",
            )
        return settings

    def server(self, group_id: Any = None) -> LongPollServer:
        """``groups.getLongPollServer``: a key, the server and the current ``ts``.

        :param group_id: the community; default: the connection's.
        """
        answer = self.api.call("groups.getLongPollServer", group_id=self.group(group_id))
        register_secret(answer.get("key"), "long poll key")
        return LongPollServer(server=str(answer["server"]), key=str(answer["key"]), ts=str(answer["ts"]))

    def check(self, server: LongPollServer, ts: str, *, wait: int = DEFAULT_WAIT) -> dict[str, Any]:
        """One ``a_check``: ``{"ts", "updates"}`` or ``{"failed", "ts"?}`` as the server answered.

        :param server: from :meth:`server`.
        :param ts: the number of the first event wanted.
        :param wait: seconds the server may hold the check open when there is nothing yet (1-90).
        """
        wait = check_wait(wait)
        connect, _ = self.api.transport.timeout
        body = self.api.send(CHECK, url=server.server,
                             params={"act": "a_check", "key": server.key, "ts": ts, "wait": wait},
                             timeout=(connect, wait + READ_MARGIN))
        if not isinstance(body, dict):
            raise SocialApiError("the VK Long Poll server answered something else than an object", service=SERVICE,
                                 operation=CHECK.name)
        return body


__all__ = ["LongPollDisabled", "LongPollServer", "VkLongPoll"]
