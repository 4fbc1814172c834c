"""Whether operators and sensors defer by default (one reading of Airflow's setting for every service), and the
scope in which the transport hands long waits to a deferrable operator instead of sleeping them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, ClassVar


def default_deferrable() -> bool:
    """Airflow's ``[operators] default_deferrable`` (False unless the deployment turns deferral on everywhere)."""
    from airflow.sdk import conf

    return conf.getboolean("operators", "default_deferrable", fallback=False)


class SerializedFields:
    """``serialize()`` for a trigger rebuilt from its own attributes: the class path and the attributes named in
    ``FIELDS`` (each an ``__init__`` argument of the same name). A trigger whose state is not plain attributes
    overrides :meth:`arguments`."""

    #: What the trigger is rebuilt from in the triggerer.
    FIELDS: ClassVar[tuple[str, ...]] = ()

    def arguments(self) -> dict[str, Any]:
        """The keyword arguments that rebuild this trigger."""
        return {name: getattr(self, name) for name in self.FIELDS}

    def serialize(self) -> tuple[str, dict[str, Any]]:
        """The trigger's class path and :meth:`arguments` (what Airflow stores and the triggerer rebuilds)."""
        return f"{type(self).__module__}.{type(self).__qualname__}", self.arguments()


_defer_after: ContextVar[float | None] = ContextVar("social_defer_waits_longer_than", default=None)


@contextmanager
def waits_defer_after(seconds: float) -> Iterator[None]:
    """Inside this block the transport raises the service's error with ``resume_at`` set instead of sleeping a
    server-requested, safe-to-repeat wait longer than ``seconds`` (see :mod:`core.wait_deferral`).

    :param seconds: the longest wait still slept in place.
    """
    token = _defer_after.set(seconds)
    try:
        yield
    finally:
        _defer_after.reset(token)


def deferral_bound() -> float | None:
    """The bound of the innermost :func:`waits_defer_after` block, or None outside any (waits are slept)."""
    return _defer_after.get()


def reset_time(moment: float) -> str:
    """An epoch moment as errors and logs show it: ``2026-01-02 03:04:05 UTC``.

    :param moment: epoch seconds.
    """
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


__all__ = ["SerializedFields", "default_deferrable", "deferral_bound", "reset_time", "waits_defer_after"]
