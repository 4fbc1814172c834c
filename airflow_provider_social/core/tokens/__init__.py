"""Token lifecycle: ``TokenSet``, pluggable ``TokenStore`` backends and the refresh protocol (``TokenManager``).

Modules by concern: ``model`` (the token set), ``stores`` (the protocol, memory and file stores, the host lock),
``variable`` (the default Airflow Variable store), ``postgres`` and ``redis_store`` (stores shared by several hosts,
imported only when a Connection selects them), ``manager`` (the refresh protocol).
"""

from __future__ import annotations

from airflow_provider_social.core.tokens.manager import Refresher, TokenManager
from airflow_provider_social.core.tokens.model import DEFAULT_REFRESH_SKEW, InvalidGrantError, TokenSet
from airflow_provider_social.core.tokens.stores import FileTokenStore, MemoryTokenStore, TokenStore, host_lock
from airflow_provider_social.core.tokens.variable import VARIABLE_PREFIX, VariableTokenStore

__all__ = [
    "DEFAULT_REFRESH_SKEW",
    "VARIABLE_PREFIX",
    "FileTokenStore",
    "InvalidGrantError",
    "MemoryTokenStore",
    "Refresher",
    "TokenManager",
    "TokenSet",
    "TokenStore",
    "VariableTokenStore",
    "host_lock",
]
