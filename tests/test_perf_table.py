"""The Performance table (docs/performance.md) is generated from benchmarks/results.json, never typed by hand."""

from __future__ import annotations

import datetime
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "scripts"))
import perf_table  # noqa: E402

RESULTS = {
    "b_ratio": {"value": 512.25, "unit": "MB/s", "reference": "curl", "reference_value": 500.0, "ratio": 1.0251,
                "target": ">= 1.0"},
    "a_rss": {"value": 2.5, "unit": "MiB", "reference": "before", "reference_value": None, "ratio": None,
              "target": "flat"},
}


def test_the_table_lists_every_result_with_its_reference_ratio_date_and_cores():
    table = perf_table.render(RESULTS, datetime.datetime(2026, 11, 23, 9, 5), 2)
    lines = table.splitlines()
    assert lines[0] == "Last `make bench`: 2026-11-23 09:05 UTC on 2 cores."
    assert lines[4] == "| `a_rss` | 2.500 MiB | before | - | - | flat |"
    assert lines[5] == "| `b_ratio` | 512.2 MB/s | curl | 500.0 | 1.025 | >= 1.0 |"


def test_only_the_part_between_the_markers_is_rewritten():
    text = f"intro\n{perf_table.START}\nold table\n{perf_table.END}\noutro\n"
    assert perf_table.updated_page(text, "new") == f"intro\n{perf_table.START}\nnew\n{perf_table.END}\noutro\n"
    with pytest.raises(SystemExit, match="markers"):
        perf_table.updated_page("no markers here", "new")


def test_the_performance_page_has_the_markers():
    page = (Path(__file__).resolve().parent.parent / "docs" / "performance.md").read_text()
    assert perf_table.START in page and perf_table.END in page


def _parse_table(table: str) -> tuple[datetime.datetime, int, dict[str, dict]]:
    """The results a rendered table was made from (the inverse of perf_table.render)."""
    lines = table.splitlines()
    head = re.fullmatch(r"Last `make bench`: (\S+ \S+) UTC on (\d+) cores\.", lines[0])
    assert head, lines[0]
    results = {}
    for row in lines[4:]:
        name, value, reference, reference_value, ratio, target = (c.strip() for c in row.strip("|").split(" | "))
        number, unit = value.split(" ", 1)
        results[name.strip("`")] = {
            "value": None if number == "-" else float(number), "unit": unit, "reference": reference,
            "reference_value": None if reference_value == "-" else float(reference_value),
            "ratio": None if ratio == "-" else float(ratio), "target": target,
        }
    return datetime.datetime.strptime(head.group(1), "%Y-%m-%d %H:%M"), int(head.group(2)), results


def test_the_performance_page_holds_a_table_exactly_as_the_script_renders_it():
    """Not typed by hand: re-rendering the results the page's table shows gives the same text."""
    page = (Path(__file__).resolve().parent.parent / "docs" / "performance.md").read_text()
    table = page.split(perf_table.START, 1)[1].split(perf_table.END, 1)[0].strip("\n")
    when, cores, results = _parse_table(table)
    assert len(results) >= 10
    assert perf_table.render(results, when, cores) == table


def test_a_note_goes_beside_its_value():
    results = {"import_cost_ms": {"value": 19.5, "unit": "ms", "reference": "preload", "reference_value": 2500.0,
                                  "ratio": 0.0078, "target": "<= 30 ms",
                                  "note": "collections inside the window: gen2 0"}}
    row = perf_table.render(results, datetime.datetime(2026, 12, 6, 15, 0), 2).splitlines()[4]
    assert row == ("| `import_cost_ms` | 19.5 ms (collections inside the window: gen2 0) | preload | 2500.0 "
                   "| 0.008 | <= 30 ms |")
