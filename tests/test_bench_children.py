"""The transfer benchmarks time their children as an Airflow task would run them: Airflow's plugins loaded first.

A task's process has loaded them (the task runner's listener manager) before the operator runs; a bare process
loads them at the first hook-lineage report, inside the timed window (about 1 s and 40 MiB), which once made a
1 GiB upload to the sink look four times slower than it is.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

import common  # noqa: E402


@pytest.mark.parametrize("module", ["bench_yandex", "bench_yandex_throttle", "bench_yadisk_fs_copy"])
def test_each_child_loads_the_plugins_before_anything_is_timed(module):
    child = __import__(module).CHILD
    assert common.AS_IN_A_TASK in child
    assert child.index(common.AS_IN_A_TASK) < child.index("perf_counter()")


def test_the_warm_up_is_what_the_task_runner_does():
    from airflow.sdk.execution_time import task_runner

    assert "get_listener_manager" in common.AS_IN_A_TASK and hasattr(task_runner, "get_listener_manager")


@pytest.mark.slow  # starts a process
def test_a_childs_peak_is_its_own_not_its_parents():
    """``ru_maxrss`` would report at least this process's 200 MiB in the child; ``VmHWM`` is the child's own."""
    import subprocess

    grown = bytearray(200 * 1024 * 1024)
    grown[::4096] = bytes(len(range(0, len(grown), 4096)))  # every page written, so it is resident
    out = subprocess.run([sys.executable, "-c", common.PEAK_RSS + "print(peak_rss_mib())"], capture_output=True,
                         text=True, check=True)
    del grown
    assert 1 < float(out.stdout) < 100, out.stdout


@pytest.mark.parametrize("module", ["bench_yandex", "bench_yadisk_fs_copy", "bench_twitter"])
def test_no_child_reads_its_peak_from_ru_maxrss(module):
    source = (Path(__file__).resolve().parents[1] / "benchmarks" / f"{module}.py").read_text()
    assert "ru_maxrss" not in source and "peak_rss_mib()" in source
