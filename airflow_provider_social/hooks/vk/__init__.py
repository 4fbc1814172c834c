"""VK (ВКонтакте): the community wall, media, stories, polls, messages and statistics; VK ID tokens; ``execute``.

Facts and sources: shared/reference/vk_ok_vision.md section 1 and VK's schema (``VKCOM/vk-api-schema``, 5.199).
Where the reference says UNCONFIRMED the client takes the tolerant reading and says so in place.

The hook is a package split by concern: :class:`VkHook` is thin, over one API client and one object per concern:

* :mod:`.connection` -- the declaration (Connection form, `airflow social auth vk`, VK ID flow), defaults, group ids;
  :mod:`.cli` and :mod:`.authorize` -- that command and the UI's Authorize, over :meth:`VkHook.for_authorization`
* :mod:`.hook` -- :class:`VkHook`: connection, transport, credentials; builds the client and the concerns, and
  keeps the public methods (each hands over to its concern)
* :mod:`.policy` -- the error table (VK answers HTTP 200 with ``{"error": ...}``), the API and upload-host policies
* :mod:`.auth` -- token kinds (user: static or VK ID refreshed; community) and which field fills each
* :mod:`.methods` -- the method table (token kinds per method), declared once, complete and read-only
* :mod:`.calls` -- :class:`~.calls.VkApi`: ``call(method, **params)`` and ``batch`` over ``execute``
* :mod:`.batch` -- ``execute``'s script, 25 calls per request, per-call results and errors
* :mod:`.uploads`, :mod:`.files` -- three-step uploads (``hook.uploads``) and local checks
* :mod:`.wall`, :mod:`.media`, :mod:`.messages`, :mod:`.stats`, :mod:`.market`, :mod:`.market_catalog`,
  :mod:`.ads` -- the user's actions (``hook.wall``, ``hook.media``, ...); :mod:`.products` -- the product type
* :mod:`.keys` -- guid / random_id derived from the task instance (no double posts)
* :mod:`.keyboard` -- :class:`~.keyboard.Keyboard`, the bot keyboard builder, and the check every keyboard passes
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk.batch import BatchCall, BatchResult
    from airflow_provider_social.hooks.vk.hook import VkHook
    from airflow_provider_social.hooks.vk.keyboard import Keyboard
    from airflow_provider_social.hooks.vk.policy import CaptchaRequired, UploadRejected
    from airflow_provider_social.hooks.vk.wall import post_url

# Imported on first use: get_provider_info reads .connection at every Airflow start-up and must not pull in
# Airflow's SDK, requests and the rest through this package's __init__.
_LAZY = {
    "hook": ("VkHook",),
    "batch": ("BatchCall", "BatchResult"),
    "policy": ("CaptchaRequired", "UploadRejected"),
    "wall": ("post_url",),
    "keyboard": ("Keyboard",),
}


__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = ["BatchCall", "BatchResult", "CaptchaRequired", "Keyboard", "UploadRejected", "VkHook", "post_url"]
