"""Write the Performance table of the documentation site from benchmarks/results.json (the last `make bench`),
never by hand.

Usage: ``python scripts/perf_table.py [--check]``. The table goes between the ``perf-table`` markers of
docs/performance.md, with the date of the results and the machine's core count; ``--check`` exits 1 if the page is
out of date. The markers are also pymdownx.snippets section markers, so another page (the Russian edition)
includes the same table with ``--8<-- "docs/performance.md:perf-table"`` instead of a copy.
"""

from __future__ import annotations

import datetime
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results.json"
PAGE = ROOT / "docs" / "performance.md"
START = "<!-- --8<-- [start:perf-table] scripts/perf_table.py writes this part from benchmarks/results.json -->"
END = "<!-- --8<-- [end:perf-table] -->"


def _number(value: float | None) -> str:
    if value is None:
        return "-"
    return f"{value:.3f}" if abs(value) < 10 else f"{value:.1f}"


def _note(result: dict) -> str:
    """A measurement's note goes beside its value (e.g. the garbage collections inside a timed window)."""
    return f" ({result['note']})" if result.get("note") else ""


def render(results: dict[str, dict], when: datetime.datetime, cores: int) -> str:
    lines = [
        f"Last `make bench`: {when:%Y-%m-%d %H:%M} UTC on {cores} cores.",
        "",
        "| name | value | reference (measured in the same run) | reference value | ratio | target |",
        "|---|---|---|---|---|---|",
    ]
    for name in sorted(results):
        r = results[name]
        lines.append(
            f"| `{name}` | {_number(r['value'])} {r['unit']}{_note(r)} | {r['reference']} "
            f"| {_number(r['reference_value'])} | {_number(r['ratio'])} | {r['target']} |"
        )
    return "\n".join(lines)


def updated_page(text: str, table: str) -> str:
    if START not in text or END not in text:
        raise SystemExit(f"{PAGE.relative_to(ROOT)} has no perf-table markers ({START!r} ... {END!r})")
    head, rest = text.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{table}\n{END}{tail}"


def main(argv: list[str]) -> int:
    if not RESULTS.exists():
        print("no benchmarks/results.json: run `make bench` first", file=sys.stderr)
        return 1
    results = json.loads(RESULTS.read_text())
    when = datetime.datetime.fromtimestamp(RESULTS.stat().st_mtime, tz=datetime.timezone.utc)
    table = render(results, when, os.cpu_count() or 1)
    text = PAGE.read_text()
    new = updated_page(text, table)
    if "--check" in argv:
        return 0 if new == text else 1
    PAGE.write_text(new)
    print(f"{PAGE.relative_to(ROOT)} Performance table: {len(results)} entries from {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
