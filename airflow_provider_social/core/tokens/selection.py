"""Which token store a Connection's ``token_store`` extra names (the hooks and the credentials health page agree)."""

from __future__ import annotations

import os
import re

from airflow_provider_social.core.errors import ValidationError
from airflow_provider_social.core.tokens.stores import FileTokenStore, TokenStore

TOKEN_STORE_FIELD = "token_store"


def store_for_setting(setting: str | None, *, service: str = "airflow-provider-social") -> TokenStore:
    """The store a ``token_store`` setting names: ``variable`` (the default), ``file:<directory>``,
    ``postgres:<connection id>`` or ``redis:<connection id>``.

    :param setting: the extra's value; None or empty means the default.
    :param service: the service named in the error for a setting no store matches.
    """
    setting = str(setting or "variable")
    scheme, _, target = setting.partition(":")
    if setting == "variable":
        from airflow_provider_social.core.tokens.variable import VariableTokenStore

        return VariableTokenStore()
    if scheme == "file" and target:
        if not os.path.isabs(target):
            # A relative directory would follow each process's working directory: workers would not share it.
            raise ValidationError(
                f"{TOKEN_STORE_FIELD}: 'file:' needs an absolute directory (every worker must find the same one), "
                f"got {setting!r}",
                service=service,
            )
        return FileTokenStore(target)
    # Stores shared by several hosts; their modules (and psycopg / redis-py) load only when selected.
    if scheme in ("postgres", "redis") and re.fullmatch(r"[\w.-]{1,250}", target):
        if scheme == "postgres":
            from airflow_provider_social.core.tokens.postgres import PostgresTokenStore

            return PostgresTokenStore(target)
        from airflow_provider_social.core.tokens.redis_store import RedisTokenStore

        return RedisTokenStore(target)
    # No "memory" option here on purpose: a process-local store would drop rotated tokens between tasks.
    raise ValidationError(
        f"{TOKEN_STORE_FIELD}: expected 'variable', 'file:<directory>', 'postgres:<connection id>' or "
        f"'redis:<connection id>', got {setting!r}",
        service=service,
    )
