"""Twenty processes sending with ONE VK community token (20/s), 100 ``users.get`` each, against the sandbox in its
own process (real clock, error 6 past 20 requests in any second of the token).

* ``vk_shared_token_20_workers_error6``: error-6 answers the sandbox counted with the Redis token store (the
  limiter's slots shared through Redis); reference: the same run with per-process limiters (the Variable store:
  each process keeps its own 20/s). Target 0.
* ``vk_shared_token_throughput_vs_limit``: calls per second the 20 processes made together with the shared
  limiter, against the token's 20/s. Target ratio >= 0.9.

redis-server is the one the store tests start (tests/stores/servers.py: Debian's package, which ``make test``
installs).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from common import PYTHON, ROOT, Result, start_sandbox

PROCESSES = 20
CALLS = 100
COMMUNITY_RPS = 20

CHILD = """
import sys
from airflow_provider_social.hooks.vk import VkHook

hook = VkHook("vk_bench_shared")
hook.call("users.get", user_ids=[1])  # imports, connections and the limiter's backend ready before the race
print("ready", flush=True)
sys.stdin.readline()
failed = 0
for _ in range(int(sys.argv[1])):
    try:
        hook.call("users.get", user_ids=[1])
    except Exception:
        failed += 1
print("done", failed, flush=True)
"""


def _next_line(child: subprocess.Popen[str], word: str) -> str:
    assert child.stdout is not None
    for line in child.stdout:  # Airflow's log lines (a retry's warning) share stdout
        if line.startswith(word):
            return line.strip()
    raise RuntimeError(f"a sender exited: {child.communicate(timeout=60)[1][-2000:]}")


def race(env: dict[str, str], control) -> tuple[int, float, int]:  # type: ignore[no-untyped-def]
    """Start the senders, let them go at once: (error-6 answers, seconds from go to the last done, failed calls)."""
    children = [subprocess.Popen([PYTHON, "-c", CHILD, str(CALLS)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, env=env) for _ in range(PROCESSES)]
    try:
        for child in children:
            _next_line(child, "ready")
        control.vk_configure(reset_violations=True)
        started = time.monotonic()
        for child in children:
            assert child.stdin is not None
            child.stdin.write("go\n")
            child.stdin.flush()
        failed = sum(int(_next_line(child, "done").split()[1]) for child in children)
        took = time.monotonic() - started
        return int(control.state("vk")["rate_limit_violations"]), took, failed
    finally:
        for child in children:
            if child.stdin is not None:
                child.stdin.close()
            child.wait(120)


def measure() -> list[Result]:
    sys.path.insert(0, str(ROOT))
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl
    from tests.stores.servers import start_redis

    proc, url = start_sandbox()
    redis = start_redis()
    try:
        control = SandboxControl(url)
        control.vk_configure(rate_limits={"user": 3, "community": 20})
        extra = sandbox_connections(url, control)["vk_default"]["extra"]

        def env_for(store: str | None) -> dict[str, str]:
            settings = {**extra, "max_retry_wait": 600, **({"token_store": store} if store else {})}
            return dict(os.environ, PYTHONPATH=str(ROOT),
                        AIRFLOW_CONN_VK_BENCH_SHARED=json.dumps({"conn_type": "vk", "extra": settings}),
                        AIRFLOW_CONN_BENCH_REDIS=json.dumps({"conn_type": "redis", "host": redis.host,
                                                             "port": redis.port}))

        shared_errors, shared_took, shared_failed = race(env_for("redis:bench_redis"), control)
        local_errors, local_took, local_failed = race(env_for(None), control)
    finally:
        redis.stop()
        proc.terminate()
        proc.wait(10)
    rate = PROCESSES * CALLS / shared_took
    return [
        Result("vk_shared_token_20_workers_error6", shared_errors, "err",
               f"{PROCESSES} processes x {CALLS} calls, one community token, Redis token store; reference: the same "
               f"run with per-process limiters (Variable store), {local_errors} error 6, {local_failed} calls "
               f"failed after retries, {local_took:.0f} s", local_errors, None, target="0",
               note=f"{shared_failed} calls failed; {shared_took:.0f} s"),
        Result("vk_shared_token_throughput_vs_limit", rate, "req/s",
               f"the token's limit ({COMMUNITY_RPS}/s); the {PROCESSES} processes together with the shared limiter",
               COMMUNITY_RPS, rate / COMMUNITY_RPS, target=">= 0.9"),
    ]
