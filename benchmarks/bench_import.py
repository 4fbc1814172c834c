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
import gc, json, time, importlib

inside = []  # (generation, ms) of every collection that runs inside a timed window
_started = [0.0]

def _count(phase, info):
    if phase == "start":
        _started[0] = time.perf_counter()
    else:
        inside.append((info["generation"], (time.perf_counter() - _started[0]) * 1000))

def window(load):
    # One full collection first, outside the window: otherwise whichever import happens to cross Python's
    # threshold pays for collecting all of Airflow's heap (about 95 ms on 2 cores) and the figure measures
    # the collector's timing, not our imports. Collections that still run inside the window are reported.
    gc.collect()
    inside.clear()
    gc.callbacks.append(_count)
    started = time.perf_counter()
    load()
    elapsed = (time.perf_counter() - started) * 1000
    gc.callbacks.remove(_count)
    return elapsed, list(inside)

t0 = time.perf_counter()
import airflow.sdk
import airflow.dag_processing.processor
processor_ms = (time.perf_counter() - t0) * 1000
ours_ms, ours_gc = window(lambda: [importlib.import_module(name) for name in {modules!r}])
hooks_ms, hooks_gc = window(lambda: [getattr(importlib.import_module(m), c) for m, c in {hook_classes!r}])
print(json.dumps({{"processor_ms": processor_ms, "ours_ms": ours_ms, "hooks_ms": hooks_ms,
                  "ours_gc": ours_gc, "hooks_gc": hooks_gc}}))
"""


def collections_note(samples: list[list[list[float]]]) -> str:
    """The collections that ran inside the timed windows: count per generation and the time they took."""
    runs = [len(s) for s in samples]
    per_generation = {g: sum(1 for s in samples for gen, _ in s if gen == g) for g in (0, 1, 2)}
    slowest = max((ms for s in samples for _, ms in s), default=0.0)
    counts = ", ".join(f"gen{g} {n}" for g, n in per_generation.items())
    return (f"collections inside the window ({len(samples)} runs, after a gc.collect() before it): "
            f"{counts}; median {median(runs):g} per run, slowest {slowest:.1f} ms")


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
            note=collections_note([s["ours_gc"] for s in samples]),
        ),
        Result(
            name="hook_classes_ms",
            value=hooks,
            unit="ms",
            reference=f"import_cost_ms above; then the {len(HOOK_CLASSES)} hook classes named at module level",
            reference_value=ours,
            ratio=None,
            target="none (paid once by a task that runs a hook)",
            note=collections_note([s["hooks_gc"] for s in samples]),
        ),
    ]
