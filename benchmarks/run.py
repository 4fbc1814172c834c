"""`make bench`: run every benchmarks/bench_*.py module and write benchmarks/results.json.

Each module exposes ``measure() -> list[Result]``. A result compares our number with a reference measured in the
same run on the same machine (never a stored constant), so ratios stay meaningful on any hardware.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from common import Result  # noqa: E402


def main(argv: list[str]) -> int:
    only = set(argv)
    results: dict[str, dict] = {}
    for path in sorted(HERE.glob("bench_*.py")):
        if only and path.stem not in only:
            continue
        module = importlib.import_module(path.stem)
        started = time.monotonic()
        print(f"• {path.stem}", flush=True)
        for result in module.measure():
            assert isinstance(result, Result)
            results[result.name] = result.as_dict()
            print(f"  {result.describe()}", flush=True)
        print(f"  ({time.monotonic() - started:.0f}s)", flush=True)
    out = HERE / "results.json"
    existing = json.loads(out.read_text()) if only and out.exists() else {}
    existing.update(results)
    out.write_text(json.dumps(existing, indent=2, sort_keys=True) + "\n")
    print(f"wrote {out.relative_to(HERE.parent)}")
    sys.path.insert(0, str(HERE.parent / "scripts"))
    import perf_table

    return perf_table.main([])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
