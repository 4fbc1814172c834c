"""VK Cloud Vision: image recognition with a service token or an OAuth client (see :mod:`.hook`).

Kept import-free (``get_provider_info`` reads :mod:`.connection`); the hook loads on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["VkVisionHook"]


def __getattr__(name: str) -> Any:
    if name == "VkVisionHook":
        from .hook import VkVisionHook

        return VkVisionHook
    raise AttributeError(name)
