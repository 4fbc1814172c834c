"""VK `execute` batching against the sandbox, side by side with vk_api in the same run.

* ``vk_batch_requests_for_1000_reads``: HTTP requests our hook makes for 1,000 ``users.get`` reads (one user each)
  through :meth:`VkHook.batch` (target <= 40: 25 calls per ``execute``).
* ``vk_batch_speedup_vs_sequential``: wall time of the same 1,000 reads made one by one by vk_api (its own
  ``method()`` loop, ``RPS_DELAY`` set to the community limit, 20/s) divided by ours (our limiter: 20/s per
  community token). Target >= 10.
* ``vk_rate_limit_violations``: error-6 answers the sandbox counted during our run (target 0); vk_api's run, which
  spaces its calls at exactly the limit, is counted apart as the reference (it once drew one, which this figure
  used to count as ours). The runs are a token window apart.

vk_api posts to a fixed ``https://api.vk.ru``; a requests session rewrites that prefix to the sandbox.
"""

from __future__ import annotations

import json
import sys
import time

from common import ROOT, TOKEN_WINDOW_S, Result, start_sandbox

READS = 1000
COMMUNITY_RPS = 20


def violations(control) -> int:  # type: ignore[no-untyped-def]
    return int(control.state("vk").get("rate_limit_violations") or 0)


def ours(url: str, conn: dict) -> tuple[float, int]:
    from airflow.sdk import Connection

    from airflow_provider_social.hooks.vk import VkHook

    connection = Connection(conn_id="vk_bench", conn_type="vk", extra=json.dumps(conn["extra"]))
    hook = VkHook("vk_bench", connection=connection)
    requests_made = 0

    def count(response, *args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal requests_made
        requests_made += 1

    hook.transport.session.hooks["response"].append(count)
    started = time.perf_counter()
    results = hook.batch([("users.get", {"user_ids": [1]}) for _ in range(READS)], token="community")
    took = time.perf_counter() - started
    assert len(results) == READS and all(r.ok for r in results), [r.error for r in results if not r.ok][:3]
    return took, requests_made


def theirs(url: str, conn: dict) -> float:
    import requests
    import vk_api

    class ToSandbox(requests.Session):
        def request(self, method, target, *args, **kwargs):  # type: ignore[no-untyped-def]
            return super().request(method, target.replace("https://api.vk.ru", f"{url}/vk-api"), *args, **kwargs)

    session = vk_api.VkApi(token=conn["extra"]["community_token"], session=ToSandbox(), api_version="5.199")
    session.RPS_DELAY = 1.0 / COMMUNITY_RPS
    started = time.perf_counter()
    for _ in range(READS):
        session.method("users.get", {"user_ids": 1})
    return time.perf_counter() - started


def measure() -> list[Result]:
    sys.path.insert(0, str(ROOT))
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    proc, url = start_sandbox()
    try:
        control = SandboxControl(url)
        conn = sandbox_connections(url, control)["vk_default"]
        before = violations(control)
        our_time, our_requests = ours(url, conn)
        errors_6 = violations(control) - before  # ours alone: vk_api below sends at exactly the limit, no margin
        time.sleep(TOKEN_WINDOW_S)  # vk_api starts in a window our sends have left
        before = violations(control)
        their_time = theirs(url, conn)
        their_errors_6 = violations(control) - before
    finally:
        proc.terminate()
        proc.wait(10)
    return [
        Result("vk_batch_requests_for_1000_reads", our_requests, "req",
               f"{READS} reads, one request each without execute", READS, READS / our_requests, target="<= 40"),
        Result("vk_batch_speedup_vs_sequential", their_time / our_time, "x",
               f"vk_api one by one at {COMMUNITY_RPS}/s: {their_time:.1f}s vs ours {our_time:.1f}s", their_time,
               their_time / our_time, target=">= 10"),
        Result("vk_rate_limit_violations", errors_6, "err",
               f"error-6 answers the sandbox counted during our run (during vk_api's: {their_errors_6})",
               their_errors_6, None, target="0"),
    ]
