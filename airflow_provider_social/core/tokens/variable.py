"""The default store: an Airflow Variable per connection."""

from __future__ import annotations

from airflow_provider_social.core.tokens.model import TokenSet
from airflow_provider_social.core.tokens.stores import TokenStore

VARIABLE_PREFIX = "social_token_"  # "token" in the key makes Airflow mask the Variable's value


class VariableTokenStore(TokenStore):
    """The default store: one Airflow Variable per connection, JSON, Fernet-encrypted by Airflow.

    Tasks may write Variables in Airflow 3 (they may not write Connections). Variables have no compare-and-swap,
    so refreshes are serialised per host by a file lock and across hosts by the re-read on ``invalid_grant``.
    """

    def __init__(self, prefix: str = VARIABLE_PREFIX) -> None:
        self.prefix = prefix

    def variable_key(self, key: str) -> str:
        return f"{self.prefix}{key}"

    def load(self, key: str) -> TokenSet | None:
        from airflow.sdk import Variable

        data = Variable.get(self.variable_key(key), default=None, deserialize_json=True)
        return TokenSet.from_json(data) if data else None

    def save(self, key: str, tokens: TokenSet) -> None:
        from airflow.sdk import Variable

        Variable.set(
            self.variable_key(key),
            tokens.to_json(),
            description="Rotating OAuth tokens kept by airflow-provider-social. Do not edit by hand.",
            serialize_json=True,
        )
