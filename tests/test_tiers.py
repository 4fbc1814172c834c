"""The fast tier stays fast by construction: tests/tiers.py refuses processes to tests not marked as slow."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests import tiers


def test_a_fast_test_that_starts_a_process_is_refused_with_the_marker_to_add():
    with tiers.fast_test("tests/x.py::test_y") as refused:
        with pytest.raises(tiers.ProcessInFastTest, match=r"tests/x.py::test_y starts a process .*pytest.mark.slow"):
            subprocess.run([sys.executable, "-c", "pass"], check=False)
    assert len(refused) == 1 and "subprocess.Popen" in refused[0]


def test_outside_a_fast_test_processes_start():
    saved = tiers._Guard.test
    tiers._Guard.test = None
    try:
        assert subprocess.run([sys.executable, "-c", "print(7)"], capture_output=True, text=True).stdout == "7\n"
    finally:
        tiers._Guard.test = saved


def test_a_fixture_that_starts_a_server_marks_its_tests_slow(request):
    class Item:
        fixturenames = ("sandbox", "tokens_redis", "redis_server")
        markers: list = []

        def get_closest_marker(self, name):
            return next((m for m in self.markers if m.name == name), None)

        def add_marker(self, mark):
            self.markers.append(mark.mark)

    item = Item()
    tiers.mark_slow_by_fixture([item])
    assert [m.name for m in item.markers] == ["slow"] and "Redis" in item.markers[0].kwargs["reason"]
    assert not tiers.may_start_processes(request.node)
