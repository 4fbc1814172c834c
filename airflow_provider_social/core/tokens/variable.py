"""The default store: an Airflow Variable per connection, written where this process can write it.

Who may write a Variable depends on the process. A task writes through the Task SDK (its supervisor relays to the
API server). A process with Airflow's metadata database (the CLI, the API server, a script on a machine with a
configured Airflow) writes through the ORM. A plain process with neither (a script, a notebook on a laptop)
cannot write at all: ``airflow.sdk.Variable.set`` raises there, after the refresh had already spent the single-use
refresh token. So the way is chosen before any refresh, and a process with no way refuses to refresh, with an error
naming the stores it could use instead.
"""

from __future__ import annotations

import sys
from typing import Any

from airflow_provider_social.core.tokens.model import TokenSet
from airflow_provider_social.core.tokens.stores import Persist, TokenStore, TokenStoreError

VARIABLE_PREFIX = "social_token_"  # "token" in the key makes Airflow mask the Variable's value
DESCRIPTION = "Rotating OAuth tokens kept by airflow-provider-social. Do not edit by hand."

TASK = "task"  # inside a task: the Task SDK
DATABASE = "database"  # the metadata database through the ORM


def in_task_runner() -> bool:
    """True inside an Airflow task (or a triggerer / DAG processor child), where the Task SDK reaches the API."""
    runner = sys.modules.get("airflow.sdk.execution_time.task_runner")
    return getattr(runner, "SUPERVISOR_COMMS", None) is not None


class VariableTokenStore(TokenStore):
    """One Airflow Variable per connection, JSON, Fernet-encrypted by Airflow (see the module docstring).

    Tasks may write Variables in Airflow 3 (they may not write Connections). Variables have no compare-and-swap,
    so refreshes are serialised per host by a file lock and across hosts only by the re-read on ``invalid_grant``.

    :param prefix: the Variable name's prefix (the connection id follows).
    """

    def __init__(self, prefix: str = VARIABLE_PREFIX) -> None:
        self.prefix = prefix
        self._way: str | None = None
        self._why_not = ""

    def variable_key(self, key: str) -> str:
        """The Variable's name for ``key``.

        :param key: the credential's key (the connection id).
        """
        return f"{self.prefix}{key}"

    def describe(self, key: str) -> str:
        """The Variable that holds the set of ``key``.

        :param key: the credential's key (the connection id).
        """
        return f"the Airflow Variable {self.variable_key(key)!r}"

    # -- which way this process reads and writes ---------------------------------------------------------------
    def way(self) -> str | None:
        """``"task"``, ``"database"``, or None when this process can write no Variable (then ``why_not`` says why)."""
        if in_task_runner():
            return TASK
        if self._way is None:
            try:
                from airflow.models.variable import Variable
                from airflow.utils.session import create_session
                from sqlalchemy import select

                with create_session() as session:
                    session.execute(select(Variable.key).limit(1)).all()
                self._way = DATABASE
            except Exception as exc:  # no configured or no migrated metadata database
                first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                self._why_not = f"{type(exc).__name__}: {first[:200]}"
                return None
        return self._way

    def load(self, key: str) -> TokenSet | None:
        """The stored set of ``key``, read the way this process can (Task SDK, metadata database, else the secrets
        backends the Task SDK reads outside a task).

        :param key: the credential's key.
        """
        name = self.variable_key(key)
        if self.way() == DATABASE:
            from airflow.models.variable import Variable as OrmVariable

            data: Any = OrmVariable.get(name, default_var=None, deserialize_json=True)
        else:
            from airflow.sdk import Variable

            data = Variable.get(name, default=None, deserialize_json=True)
        return TokenSet.from_json(data) if data else None

    def prepare_save(self, key: str) -> Persist:
        """Choose how the new set will be written, before the refresh; refuse when this process cannot write.

        :param key: the credential's key.
        """
        name = self.variable_key(key)
        way = self.way()
        if way == TASK:
            from airflow.sdk import Variable
            from airflow.sdk.execution_time import context  # noqa: F401 - Variable.set imports it; do it now

            def persist_through_task_sdk(tokens: TokenSet) -> None:
                Variable.set(name, tokens.to_json(), description=DESCRIPTION, serialize_json=True)

            return persist_through_task_sdk
        if way == DATABASE:
            from airflow.models.variable import Variable as OrmVariable

            def persist_through_database(tokens: TokenSet) -> None:
                OrmVariable.set(name, tokens.to_json(), description=DESCRIPTION, serialize_json=True)

            return persist_through_database
        raise TokenStoreError(
            f"not refreshing the token of connection {key!r}: its token store, {self.describe(key)} (the default "
            f"'variable'), cannot be written from this process, which is not an Airflow task and reaches no Airflow "
            f"metadata database ({self._why_not}). A refresh here would spend the single-use refresh token and "
            f"lose its successor",
            operation="refresh token",
            hint=(
                "run this in an Airflow task; or configure this process for Airflow's metadata database "
                "(AIRFLOW__DATABASE__SQL_ALCHEMY_CONN); or set the connection's extra token_store to a store every "
                "process can write: 'file:<directory>' (one host), 'postgres:<connection id>' or "
                "'redis:<connection id>' (several hosts)"
            ),
        )

    def save(self, key: str, tokens: TokenSet) -> None:
        """Write the set of ``key`` (the way :meth:`prepare_save` chooses).

        :param key: the credential's key.
        :param tokens: the set to store.
        """
        self.prepare_save(key)(tokens)
