"""Odnoklassniki (OK.ru): signed API calls, photo uploads, group posting. See :class:`OkHook`.

The hook class loads lazily (``from airflow_provider_social.hooks.ok import OkHook``) so that the provider's
metadata can read :mod:`.connection` without importing Airflow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_social.hooks.ok.hook import OkHook

__all__ = ["OkHook"]

__getattr__ = lazy_exports(__name__, {"hook": ("OkHook",)})
