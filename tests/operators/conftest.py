from __future__ import annotations

import pytest


@pytest.fixture
def disk_conn(sandbox, make_connection, tmp_path):
    """A yandex_disk connection to the sandbox whose tokens rotate through a file store (no Variables needed)."""
    tokens = sandbox.control.mint_tokens("yandex")
    return make_connection(
        "yandex_disk_default",
        "yandex_disk",
        password=tokens["access_token"],
        refresh_token=tokens["refresh_token"],
        client_id="sandbox-client",
        client_secret="sandbox-secret",
        api_base_url=f"{sandbox.base_url}/yandex-disk",
        oauth_base_url=f"{sandbox.base_url}/yandex-oauth",
        token_store=f"file:{tmp_path / 'tokens'}",
        max_retry_wait=5,
    )


class FakeTI:
    def __init__(self) -> None:
        self.xcom: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


@pytest.fixture
def context():
    return {"ti": FakeTI()}
