"""VK methods by area; importing this package registers them all in :data:`METHODS`."""

from __future__ import annotations

from . import ads, longpoll, market, market_catalog, media, messages, misc, photos, reads, wall  # noqa: F401  (registration)
from .registry import METHODS, Call, Method, method

__all__ = ["METHODS", "Call", "Method", "method"]
