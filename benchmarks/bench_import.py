"""import_cost_ms: what importing every hook, operator, sensor, trigger, link and notifier module adds to a DAG
processor.

DAG parsing pays this on every parse, so heavy imports (requests, oauthlib, the transport and token machinery)
must stay lazy: operators name their hooks only when they run, and hook packages load their classes on first use.
Each sample is a fresh interpreter that first loads what a DAG processor has loaded before it reads a DAG file
(`airflow.sdk` and `airflow.dag_processing.processor`, which brings Airflow's trigger base and this provider's
`get_provider_info`), timed as the reference; then our modules are imported on top of it.

`hook_classes_ms` (no target) is what a DAG file pays on top of that if it names every hook class at module level
(`from airflow_provider_social.hooks.vk import VkHook`): the transport, policies, token store and each service's
calls. A task pays it once when it runs a hook.
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


HOOK_CLASSES = (
    ("airflow_provider_social.hooks.yandex_disk", "YandexDiskHook"),
    ("airflow_provider_social.hooks.twitter", "TwitterHook"),
    ("airflow_provider_social.hooks.vk", "VkHook"),
    ("airflow_provider_social.hooks.ok", "OkHook"),
    ("airflow_provider_social.hooks.vk_vision", "VkVisionHook"),
)

PROBE = """
import json, time, importlib
t0 = time.perf_counter()
import airflow.sdk
import airflow.dag_processing.processor
t1 = time.perf_counter()
for name in {modules!r}:
    importlib.import_module(name)
t2 = time.perf_counter()
for module, cls in {hook_classes!r}:
    getattr(importlib.import_module(module), cls)
t3 = time.perf_counter()
print(json.dumps({{"processor_ms": (t1 - t0) * 1000, "ours_ms": (t2 - t1) * 1000, "hooks_ms": (t3 - t2) * 1000}}))
"""


def measure() -> list[Result]:
    modules = user_facing_modules()
    # Deployed DAG parsing reads cached bytecode. Compile ours first: with PYTHONDONTWRITEBYTECODE set (as on some
    # machines) nothing would ever be cached and we would time the compiler instead of the import.
    compileall.compile_dir(str(ROOT / "airflow_provider_social"), quiet=1)
    probe = PROBE.format(modules=modules, hook_classes=HOOK_CLASSES)
    run_python(probe)  # warm the OS file cache; not counted
    samples = [json.loads(run_python(probe)) for _ in range(SAMPLES)]
    ours = median([s["ours_ms"] for s in samples])
    hooks = median([s["hooks_ms"] for s in samples])
    processor = median([s["processor_ms"] for s in samples])
    return [
        Result(
            name="import_cost_ms",
            value=ours,
            unit="ms",
            reference=f"a DAG processor's own imports (airflow.sdk + airflow.dag_processing.processor); "
            f"{len(modules)} modules of ours on top, median of {SAMPLES} fresh interpreters",
            reference_value=processor,
            ratio=ours / processor if processor else None,
            target="<= 30 ms",
        ),
        Result(
            name="hook_classes_ms",
            value=hooks,
            unit="ms",
            reference=f"import_cost_ms above; then the {len(HOOK_CLASSES)} hook classes named at module level",
            reference_value=ours,
            ratio=None,
            target="none (paid once by a task that runs a hook)",
        ),
    ]
