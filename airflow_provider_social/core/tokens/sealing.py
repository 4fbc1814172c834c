"""Token sets at rest on a shared server: JSON, Fernet-encrypted with Airflow's own key when one is configured.

The Variable store gets this from Airflow; the Postgres and Redis stores seal their values here with the same
``[core] fernet_key`` (a comma-separated list rotates keys as Airflow does), so a token set on a shared server is no
easier to read than a Variable. Without a key the value is stored as plain JSON, as Airflow does with Variables.
"""

from __future__ import annotations

import json
from typing import Any

from airflow_provider_social.core.tokens.model import TokenSet

SEALED_PREFIX = "fernet:"


def _fernet_key() -> str:
    try:
        from airflow.sdk.configuration import conf
    except ImportError:  # Airflow before the Task SDK carried its own configuration
        from airflow.configuration import conf  # type: ignore[no-redef]
    key = str(conf.get("core", "fernet_key", fallback="") or "").strip()
    # Without an airflow.cfg the Task SDK answers its template's placeholder "{FERNET_KEY}": no key is set.
    return "" if key.startswith("{") and key.endswith("}") else key


class Sealer:
    """Turns token sets into stored text and back.

    :param key: a Fernet key, or several separated by commas (the first encrypts); None reads Airflow's
        ``[core] fernet_key``; an empty string stores plain JSON.
    """

    def __init__(self, key: str | None = None) -> None:
        key = _fernet_key() if key is None else key
        self._fernet: Any = None
        if key:
            from cryptography.fernet import Fernet, MultiFernet

            self._fernet = MultiFernet([Fernet(part.strip().encode()) for part in key.split(",") if part.strip()])

    def seal(self, tokens: TokenSet) -> str:
        """The stored text of ``tokens``.

        :param tokens: the set to store.
        """
        text = json.dumps(tokens.to_json())
        if self._fernet is None:
            return text
        return SEALED_PREFIX + self._fernet.encrypt(text.encode()).decode()

    def unseal(self, stored: str | bytes | None) -> TokenSet | None:
        """The token set in stored text (sealed or plain JSON), or None for an empty value.

        :param stored: what the store held.
        """
        if stored in (None, "", b""):
            return None
        text = stored.decode() if isinstance(stored, bytes) else str(stored)
        if text.startswith(SEALED_PREFIX):
            if self._fernet is None:
                raise ValueError("the stored token set is encrypted, and Airflow's [core] fernet_key is not set here")
            text = self._fernet.decrypt(text[len(SEALED_PREFIX) :].encode()).decode()
        return TokenSet.from_json(json.loads(text))
