"""Whether operators and sensors defer by default: one reading of Airflow's setting for every service."""

from __future__ import annotations

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


__all__ = ["SerializedFields", "default_deferrable"]
