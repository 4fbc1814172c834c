from __future__ import annotations

import pytest


@pytest.fixture
def disk_conn(yandex_sandbox_connection, tmp_path):
    """A yandex_disk connection to the sandbox whose tokens rotate through a file store (no Variables needed)."""
    conn_id, _ = yandex_sandbox_connection("yandex_disk_default", token_store=f"file:{tmp_path / 'tokens'}")
    return conn_id


class FakeTI:
    def __init__(self) -> None:
        self.xcom: dict[str, object] = {}

    def xcom_push(self, key: str, value: object) -> None:
        self.xcom[key] = value


@pytest.fixture
def context():
    return {"ti": FakeTI()}


def run_announcing(operator_class, context, **arguments):
    """Run an operator whose one outlet is an AssetAlias; its result and the (URI, extra) of each event it added."""
    from airflow.sdk import AssetAlias
    from airflow.sdk.execution_time.context import OutletEventAccessors

    alias = AssetAlias(f"{arguments['task_id']}_announced")
    context = {**context, "outlet_events": OutletEventAccessors()}
    result = operator_class(outlets=[alias], **arguments).execute(context)
    return result, [(e.dest_asset_key.uri, e.extra) for e in context["outlet_events"][alias].asset_alias_events]
