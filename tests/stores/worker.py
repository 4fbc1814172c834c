"""One worker process of the store tests: a hook call through a chosen token store, against the sandbox, with a
fault injected at one step of its first refresh.

``python -m tests.stores.worker <service> <conn id> <store> <step>``

* service: ``twitter`` (``get_me``) or ``yandex`` (``get_disk_info``);
* store: ``variable``, ``file:<directory>``, ``postgres:<conn id>`` or ``redis:<conn id>`` (a 1 s lease);
* step: where the first refresh is interrupted: ``none``; ``before_request`` (SIGKILL right before the token
  request: ``prepare_save`` runs there, under the store's lock); ``after_issue`` (SIGKILL after the server issued the
  new set, before it is written); ``after_save`` (SIGKILL after the write, before the set is used); ``pause``
  (print ``PREPARED`` when the lock is held and the stored set read, then read one line from stdin: ``go``
  continues, ``die`` refreshes and is killed before the write). Later refreshes (after a 401) run unhindered.

Prints ``RESULT ok`` or ``RESULT <exception type> <message>`` when not killed. The clock is the sandbox's; the
store's re-read waits do not sleep (the manager bounds them by count).
"""

from __future__ import annotations

import os
import signal
import sys
from typing import Any

STEPS = ("none", "before_request", "after_issue", "after_save", "pause")


def die() -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def make_store(spec: str) -> Any:
    kind, _, target = spec.partition(":")
    if kind == "variable":
        from airflow_provider_social.core.tokens.variable import VariableTokenStore

        return VariableTokenStore()
    if kind == "file":
        from airflow_provider_social.core.tokens import FileTokenStore

        return FileTokenStore(target)
    if kind == "postgres":
        from airflow_provider_social.core.tokens.postgres import PostgresTokenStore

        return PostgresTokenStore(target)
    if kind == "redis":
        from airflow_provider_social.core.tokens.redis_store import RedisTokenStore

        return RedisTokenStore(target, lease_seconds=1)
    raise SystemExit(f"unknown store {spec!r}")


def inject(store: Any, step: str) -> None:
    """Wrap ``store.prepare_save`` (called under the lock, after the read, right before the token request)."""
    prepare = store.prepare_save
    first = [True]

    def prepare_save(key: str) -> Any:
        if not first[0]:
            return prepare(key)
        first[0] = False
        if step == "before_request":
            die()
        persist = prepare(key)
        order = ""
        if step == "pause":
            print("PREPARED", flush=True)
            order = sys.stdin.readline().strip()

        def persisting(tokens: Any) -> None:
            if step == "after_issue" or order == "die":
                die()  # the server issued the new set; it was not written
            persist(tokens)
            if step == "after_save":
                die()  # written, never used

        return persisting

    store.prepare_save = prepare_save


def main() -> None:
    service, conn_id, spec, step = sys.argv[1:5]
    assert step in STEPS, step
    from airflow_provider_social.sandbox.control import SandboxControl

    control = SandboxControl(os.environ["SANDBOX_URL"])
    store = make_store(spec)
    inject(store, step)
    try:
        if service == "twitter":
            from airflow_provider_social.hooks.twitter import TwitterHook

            TwitterHook(conn_id, token_store=store, clock=control.now, sleep=lambda s: None).get_me()
        else:
            from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

            YandexDiskHook(conn_id, token_store=store, clock=control.now, sleep=lambda s: None).get_disk_info()
        print("RESULT ok", flush=True)
    except Exception as exc:
        print("RESULT", type(exc).__name__, str(exc).replace("\n", " "), flush=True)


if __name__ == "__main__":
    main()
