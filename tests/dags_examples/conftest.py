"""Loading an example DAG file as a module (dags_examples/ is not a package: Airflow reads it as a DAG folder)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parents[2] / "dags_examples"


def load_example(file_name: str) -> ModuleType:
    """``dags_examples/<file_name>`` executed as a fresh module."""
    spec = importlib.util.spec_from_file_location(f"{Path(file_name).stem}_example", EXAMPLES / file_name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
