"""Odnoklassniki (OK.ru): signed API calls, photo uploads, group posting. See :class:`OkHook`.

The hook class loads lazily (``from airflow_provider_social.hooks.ok import OkHook``) so that the provider's
metadata can read :mod:`.connection` without importing Airflow.
"""

from __future__ import annotations

from typing import Any

__all__ = ["OkHook"]


def __getattr__(name: str) -> Any:
    if name == "OkHook":
        from airflow_provider_social.hooks.ok.hook import OkHook

        return OkHook
    raise AttributeError(name)
