"""What the stores on a shared server (PostgreSQL, Redis) have in common: the Airflow Connection naming the server,
the sealing of values, the time a waiter gives a refresh in progress elsewhere."""

from __future__ import annotations

import math
from typing import Any

from airflow_provider_social.core.errors import input_error
from airflow_provider_social.core.masking import register_secret
from airflow_provider_social.core.tokens.sealing import Sealer
from airflow_provider_social.core.tokens.stores import TokenStore

DEFAULT_LOCK_TIMEOUT = 120.0  # seconds a worker waits for a refresh in progress elsewhere
MAX_LOCK_TIMEOUT = 3600.0


class SharedServerStore(TokenStore):
    """A store on a server every host reaches, named by an Airflow Connection id.

    :param conn_id: the Airflow Connection of the server (read on first use, not when the hook is built).
    :param connection: an Airflow Connection already loaded (tests, the CLI); None reads ``conn_id``.
    :param sealer: how values are sealed; None uses Airflow's ``[core] fernet_key``.
    :param lock_timeout: seconds to wait for another worker's refresh; None: the Connection extra
        ``token_lock_timeout``, else 120.
    """

    scheme = ""

    def __init__(
        self,
        conn_id: str,
        *,
        connection: Any = None,
        sealer: Sealer | None = None,
        lock_timeout: float | None = None,
    ) -> None:
        self.conn_id = conn_id
        self._connection = connection
        self._sealer = sealer
        self._lock_timeout = lock_timeout

    @property
    def connection(self) -> Any:
        """The Airflow Connection of the server (its password registered with the masker)."""
        if self._connection is None:
            from airflow.sdk import BaseHook
            from airflow.sdk.exceptions import AirflowNotFoundException

            try:
                self._connection = BaseHook.get_connection(self.conn_id)
            except AirflowNotFoundException:
                raise input_error(
                    "token_store",
                    f"'{self.scheme}:{self.conn_id}' names connection {self.conn_id!r}, which does not exist; create "
                    f"it (the {self.scheme} server's host, port, login and password) or change token_store",
                    operation="token store",
                ) from None
        register_secret(self._connection.password, "password")
        return self._connection

    def check_setting(self) -> None:
        """The server's Connection exists (loading it names ``token_store`` when it does not)."""
        self.connection  # noqa: B018 - loading it is the check

    @property
    def extras(self) -> dict[str, Any]:
        return dict(self.connection.extra_dejson or {})

    @property
    def sealer(self) -> Sealer:
        if self._sealer is None:
            self._sealer = Sealer()
        return self._sealer

    def number_extra(self, name: str, default: float, *, minimum: float, maximum: float) -> float:
        """A numeric extra of the server's Connection, checked (the error names the field and the range).

        :param name: the extra's name.
        :param default: its value when unset.
        :param minimum: the smallest value accepted.
        :param maximum: the largest value accepted.
        """
        value = self.extras.get(name)
        if value in (None, ""):
            return default
        try:
            if isinstance(value, bool):
                raise ValueError
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number) or not minimum <= number <= maximum:
            raise input_error(
                f"connection {self.conn_id!r}, field {name}",
                f"expected a number from {minimum:g} to {maximum:g}, got {value!r}",
                operation="token store",
            )
        return number

    @property
    def lock_timeout(self) -> float:
        if self._lock_timeout is None:
            self._lock_timeout = self.number_extra(
                "token_lock_timeout", DEFAULT_LOCK_TIMEOUT, minimum=1, maximum=MAX_LOCK_TIMEOUT
            )
        return self._lock_timeout

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.scheme}:{self.conn_id})"
