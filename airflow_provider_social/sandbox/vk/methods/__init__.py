"""VK methods by area; importing this package registers them all in :data:`METHODS`."""

from __future__ import annotations

from . import (  # noqa: F401 (registration)
    ads,
    longpoll,
    market,
    market_catalog,
    media,
    messages,
    misc,
    photos,
    polls,
    reads,
    wall,
)
from .registry import METHODS, Call, Method, method

__all__ = ["METHODS", "Call", "Method", "method"]
