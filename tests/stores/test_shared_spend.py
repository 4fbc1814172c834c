"""The X spending ledger is shared through the token store's backend: concurrent workers, each with its own store
object (its own connection), never reserve together more than the budget, and all see one count."""

from __future__ import annotations

import threading
import uuid

import pytest

from airflow_provider_social.core.spending import Budget, PricedCall, SpendLedger
from airflow_provider_social.core.tokens.selection import store_for_setting

pytestmark = pytest.mark.slow

WORKERS = 8
TRIES = 3
CALL = PricedCall("content_create", 0.015)


@pytest.fixture(params=["file", "redis", "postgres"])
def setting(request, tmp_path):
    if request.param == "file":
        return f"file:{tmp_path}"
    return f"{request.param}:{request.getfixturevalue('tokens_' + ('pg' if request.param == 'postgres' else 'redis'))}"


def test_concurrent_workers_never_pass_the_budget_together(setting):
    conn_id = f"x_{uuid.uuid4().hex[:8]}"
    budget = Budget.parse("$0.075")  # five posts
    granted: list[bool] = []
    start = threading.Barrier(WORKERS)

    def worker() -> None:
        ledger = SpendLedger(store_for_setting(setting).spend_documents(), "X", conn_id)
        start.wait()
        for _ in range(TRIES):
            reserved, _ = ledger.reserve(CALL, budget)
            if reserved:
                ledger.settle(CALL, None)
            granted.append(reserved)

    threads = [threading.Thread(target=worker) for _ in range(WORKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert granted.count(True) == 5 and len(granted) == WORKERS * TRIES
    today = SpendLedger(store_for_setting(setting).spend_documents(), "X", conn_id).today()
    assert today["calls"] == 5 and today["usd"] == pytest.approx(0.075)
    assert today["kinds"]["content_create"] == {"calls": 5, "units": 5, "usd": pytest.approx(0.075)}
