"""VK Cloud Vision: image recognition with a service token or an OAuth client (see :mod:`.hook`).

Kept import-free (``get_provider_info`` reads :mod:`.connection`); the hook loads on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_social.hooks.vk_vision.hook import VkVisionHook

__all__ = ["VkVisionHook"]

__getattr__ = lazy_exports(__name__, {"hook": ("VkVisionHook",)})
