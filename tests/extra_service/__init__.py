"""A service that exists only in the test tree, declared the way the README's "How to add a service" says and
registered by ``services.register`` (``tests/test_extra_service.py``): its package mirrors ``hooks/<service>/``
(connection.py, hook.py, cli.py, authorize.py) and ``sandbox/<service>/`` (declaration.py)."""

from __future__ import annotations

from tests.extra_service.hook import ExampleHook

__all__ = ["ExampleHook"]
