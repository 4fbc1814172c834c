"""The strict VK sandbox: VK API (``/vk-api``), VK ID (``/vk-id``), legacy OAuth (``/vk-oauth``), uploads
(``/vk-upload``, on the storage listener: VK's upload hosts are not api.vk.ru and need no token).

Modules: :mod:`.routes` (method router and envelopes), :mod:`.state` (users, the community, walls, media,
messages), :mod:`.rules` (tokens, token kinds, rate limits, captcha/flood, guid), :mod:`.methods` (one module
per area), :mod:`.uploads` and :mod:`.images` (upload servers), :mod:`.execute` and :mod:`.vkscript` (the
VKScript subset), :mod:`.history` (seeded history, read indexes), :mod:`.vk_id` and
:mod:`.legacy_oauth`, :mod:`.longpoll` (Bots Long Poll, ``/vk-lp`` on the storage listener) and :mod:`.events`
(the objects of its events).
"""

from __future__ import annotations

from ..state import ServiceSpec
from . import execute as _execute  # noqa: F401  (registers the execute method)
from . import legacy_oauth, longpoll, routes, uploads, vk_id
from .state import ADMIN_USER_ID, APP_ID, GROUP_ID, GROUP_NAME, GROUP_SCREEN_NAME, VkState

NAME = routes.NAME
OAUTH_NAME = vk_id.OAUTH_NAME

SERVICE = ServiceSpec(name=NAME, prefix=routes.PREFIX, routes=routes._routes, state_factory=VkState,
                      description="VK API (api.vk.ru)")
VK_ID_SERVICE = vk_id.SERVICE
LEGACY_OAUTH_SERVICE = legacy_oauth.SERVICE
UPLOAD_SERVICE = ServiceSpec(name=uploads.NAME, prefix=uploads.PREFIX, routes=uploads._routes,
                             description="VK upload servers (pu.vk.com)", listener="storage")
# lp.vk.com: another host than the API, reached with the Long Poll key only (never a token).
LONGPOLL_SERVICE = ServiceSpec(name=longpoll.NAME, prefix=longpoll.PREFIX, routes=longpoll._routes,
                               description="VK Bots Long Poll servers (lp.vk.com)", listener="storage")

__all__ = [
    "ADMIN_USER_ID", "APP_ID", "GROUP_ID", "GROUP_NAME", "GROUP_SCREEN_NAME", "LEGACY_OAUTH_SERVICE",
    "LONGPOLL_SERVICE", "NAME", "OAUTH_NAME", "SERVICE", "UPLOAD_SERVICE", "VK_ID_SERVICE", "VkState",
]
