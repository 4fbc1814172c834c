"""Credential set-up shared by every service's ``airflow social auth`` command and the UI's "Authorize".

Each service writes its own set-up beside its hook (``hooks/<service>/cli.py``, ``hooks/<service>/authorize.py``)
on these pieces, which sit below the hooks so that a hook package never imports ``cli/`` or ``plugins/``:
``connections.py`` reads and saves stored connections, ``terminal.py`` is the terminal side of the authorization-code
flow (loopback listener, paste prompt), ``ui.py`` the adapters the credentials page runs. The CLI layer hands each
command its :class:`Overrides` (``--sandbox``, ``--oauth-base-url``, ``--api-base-url``), computed there.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Overrides:
    """What the command line sets before the stored connection's values: extras (endpoints, the sandbox app's
    settings) and, for ``--sandbox``, the sandbox app's secret (a connection's password).

    :param extra: extras that win over the stored connection's.
    :param password: a password that wins over the stored one (None: keep it).
    """

    extra: dict[str, Any] = field(default_factory=dict)
    password: str | None = None

    def apply(self, stored: dict[str, Any]) -> dict[str, Any]:
        """The stored extras with these on top.

        :param stored: the stored connection's extras (empty for a new connection).
        """
        return {**stored, **self.extra}


#: A command run without endpoint options.
NO_OVERRIDES = Overrides()

__all__ = ["NO_OVERRIDES", "Overrides"]
