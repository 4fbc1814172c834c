"""Airflow's hook lineage collector switched on, as a registered ``HookLineageReader`` plugin switches it on."""

from __future__ import annotations

import pytest


@pytest.fixture
def lineage_collector(monkeypatch):
    """The process's real ``HookLineageCollector`` (not the no-op one), fresh for the test.

    Airflow builds it once per process and only when a plugin registers a lineage reader; the plugin lookup is what
    is replaced here, so the collector is Airflow's own and records what our hooks report."""
    from airflow.sdk import lineage, plugins_manager

    monkeypatch.setattr(plugins_manager, "get_hook_lineage_readers_plugins", lambda: [lineage.HookLineageReader])
    lineage.get_hook_lineage_collector.cache_clear()
    yield lineage.get_hook_lineage_collector()
    lineage.get_hook_lineage_collector.cache_clear()


def flows(collector, by) -> tuple[list[str], list[str]]:
    """The input and output URIs reported by ``by`` (a hook), in order. ``ObjectStoragePath`` reports its own reads
    and writes too, under the path as context; those are left out here."""
    seen = collector.collected_assets
    return ([info.asset.uri for info in seen.inputs if info.context is by],
            [info.asset.uri for info in seen.outputs if info.context is by])


from tests.fs.conftest import disk_conn  # noqa: E402,F401 - the yadisk:// store on the sandbox
from tests.sources.conftest import http_files  # noqa: E402,F401 - (S3 as s3://moto_s3@media: tests/conftest.py)
