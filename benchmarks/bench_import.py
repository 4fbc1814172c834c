"""import_cost_ms: what importing every hook, operator, sensor and trigger module adds over `import airflow.sdk`.

DAG parsing pays this on every parse, so heavy imports (requests, oauthlib, twitter-text) must stay lazy.
Each sample is a fresh interpreter: first `import airflow.sdk` is timed, then our modules on top of it.
"""

from __future__ import annotations

import compileall
import json
import pkgutil

from common import ROOT, Result, median, run_python

PACKAGES = ("hooks", "operators", "sensors", "triggers", "links", "notifications")
SAMPLES = 7


def user_facing_modules() -> list[str]:
    modules = []
    for package in PACKAGES:
        path = ROOT / "airflow_provider_social" / package
        if path.is_dir():
            modules += [f"airflow_provider_social.{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
    return modules


PROBE = """
import json, time, importlib
t0 = time.perf_counter()
import airflow.sdk
t1 = time.perf_counter()
for name in {modules!r}:
    importlib.import_module(name)
t2 = time.perf_counter()
print(json.dumps({{"sdk_ms": (t1 - t0) * 1000, "ours_ms": (t2 - t1) * 1000}}))
"""


def measure() -> list[Result]:
    modules = user_facing_modules()
    # Deployed DAG parsing reads cached bytecode. Compile ours first: with PYTHONDONTWRITEBYTECODE set (as on some
    # machines) nothing would ever be cached and we would time the compiler instead of the import.
    compileall.compile_dir(str(ROOT / "airflow_provider_social"), quiet=1)
    run_python(PROBE.format(modules=modules))  # warm the OS file cache; not counted
    samples = [json.loads(run_python(PROBE.format(modules=modules))) for _ in range(SAMPLES)]
    ours = median([s["ours_ms"] for s in samples])
    sdk = median([s["sdk_ms"] for s in samples])
    return [
        Result(
            name="import_cost_ms",
            value=ours,
            unit="ms",
            reference=f"`import airflow.sdk` alone ({len(modules)} modules of ours on top)",
            reference_value=sdk,
            ratio=ours / sdk if sdk else None,
            target="<= 30 ms",
        )
    ]
