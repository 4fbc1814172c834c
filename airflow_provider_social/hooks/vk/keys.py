"""No-double-post keys derived from the task instance: the same on every try of one task instance.

``wall.post`` takes a ``guid`` and ``messages.send`` a ``random_id``; VK does not repeat a post or a message that
carries one it has seen. Deriving them from (dag, task, run, map index) makes a task retried after a lost answer
post once, while a new run (or another mapped instance) posts anew.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any


def task_instance_key(context: Mapping[str, Any], purpose: str = "") -> str | None:
    """``dag|task|run|map_index|purpose`` of the running task, or None outside a task."""
    ti = context.get("ti") or context.get("task_instance")
    if ti is None:
        return None
    parts = [getattr(ti, "dag_id", ""), getattr(ti, "task_id", ""), getattr(ti, "run_id", ""),
             str(getattr(ti, "map_index", -1)), purpose]
    return "|".join(str(p) for p in parts)


def post_guid(context: Mapping[str, Any], purpose: str = "post") -> str | None:
    """A ``guid`` for ``wall.post`` / ``wall.createComment`` (32 hex characters)."""
    key = task_instance_key(context, purpose)
    return hashlib.sha256(key.encode()).hexdigest()[:32] if key else None


def message_random_id(context: Mapping[str, Any], purpose: str = "message") -> int | None:
    """A positive 31-bit ``random_id`` for ``messages.send``."""
    key = task_instance_key(context, purpose)
    return int(hashlib.sha256(key.encode()).hexdigest()[:8], 16) & 0x7FFFFFFF if key else None


__all__ = ["message_random_id", "post_guid", "task_instance_key"]
