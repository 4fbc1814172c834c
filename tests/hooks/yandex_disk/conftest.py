"""A YandexDiskHook on the sandbox whose waits move the sandbox clock (shared by this folder's tests)."""

from __future__ import annotations

import pytest

from airflow_provider_social.hooks.yandex_disk import YandexDiskHook


class SandboxSleep:
    """The hook's sleep: records waits and moves the sandbox clock instead of sleeping."""

    def __init__(self, sandbox) -> None:
        self.sandbox = sandbox
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
        self.sandbox.state.clock.advance(seconds)


@pytest.fixture
def sleep(sandbox):
    return SandboxSleep(sandbox)


@pytest.fixture
def hook(yandex_conn, token_store, sleep, sandbox):
    conn_id, _ = yandex_conn
    return YandexDiskHook(conn_id, token_store=token_store, sleep=sleep, clock=sandbox.state.clock.now)
