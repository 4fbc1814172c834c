"""Parsing a DAG must not load a service's transport: operators import their hook on first use, and the hook
packages' ``__init__`` import their modules on first attribute access (PEP 562)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

HEAVY = ("requests", "oauthlib", "twitter_text")


def _loaded_after(statement: str, watched: tuple[str, ...]) -> list[str]:
    probe = (
        f"import sys, json; {statement}; "
        f"print(json.dumps(sorted(n for n in {watched!r} if n in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_twitter_operators_do_not_import_the_hook_at_parse_time():
    watched = ("airflow_provider_social.hooks.twitter.hook", *HEAVY)
    assert _loaded_after("import airflow_provider_social.operators.twitter", watched) == []


@pytest.mark.parametrize("package", ["twitter", "yandex_disk"])
def test_hook_packages_import_their_modules_on_first_use(package):
    name = f"airflow_provider_social.hooks.{package}"
    watched = (f"{name}.hook", f"{name}.policy", *HEAVY)
    assert _loaded_after(f"import {name}; from {name} import connection", watched) == []
    loaded = _loaded_after(f"from {name} import SERVICE, connection", watched)
    assert f"{name}.policy" in loaded and f"{name}.hook" not in loaded
