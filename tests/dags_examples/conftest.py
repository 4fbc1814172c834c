"""Loading an example DAG file as a module (dags_examples/ is not a package: Airflow reads it as a DAG folder)."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "dags_examples"


def load_example(file_name: str) -> ModuleType:
    """``dags_examples/<file_name>`` executed as a fresh module."""
    spec = importlib.util.spec_from_file_location(f"{Path(file_name).stem}_example", EXAMPLES / file_name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture
def demo_connections(sandbox, monkeypatch, tmp_path):
    """The connections `make demo` gives the DAGs (one per sandbox service) as ``AIRFLOW_CONN_*`` variables; Airflow's
    cache of attached stores is emptied around the test (a ``yadisk://`` store keeps its hook and token store)."""
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from tests.fs.conftest import _forget_stores

    sandbox.control.configure("yandex_disk", upload_throttle_time_scale=0, operation_duration=0)
    conns = sandbox_connections(sandbox.base_url, sandbox.control)
    for conn_id, conn in conns.items():
        conn["extra"]["token_store"] = f"file:{tmp_path / 'tokens'}"
        monkeypatch.setenv(f"AIRFLOW_CONN_{conn_id.upper()}", json.dumps(conn))
    _forget_stores()
    yield conns
    _forget_stores()
