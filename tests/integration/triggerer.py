"""A local Airflow with a triggerer, started for a module's DAGs (the real-triggerer tests share it)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

from scripts.local_airflow import CORE_COMPONENTS, LocalAirflow


@contextmanager
def triggerer_cluster(home: Path, dags: Path, env: Mapping[str, str], dag_ids: tuple[str, ...]
                      ) -> Iterator[LocalAirflow]:
    """api-server, scheduler, dag-processor and triggerer on ``dags``, once ``dag_ids`` are parsed; stopped after."""
    cluster = LocalAirflow(home, dags, env)
    try:
        cluster.start((*CORE_COMPONENTS, "triggerer"))
        marks = ", ".join("?" * len(dag_ids))
        cluster.wait_for("the DAGs to be parsed", lambda: len(cluster.query(
            f"select dag_id from dag where dag_id in ({marks})", *dag_ids)) == len(dag_ids))
        yield cluster
    finally:
        cluster.stop()
