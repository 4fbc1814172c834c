"""Parsing a DAG must not load a service's transport: operators import their hook on first use, and the hook
packages' ``__init__`` import their modules on first attribute access (PEP 562)."""

from __future__ import annotations

import json
import os
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import airflow_provider_social

# Each test imports the provider in a fresh interpreter (what a DAG processor sees).
pytestmark = pytest.mark.slow

HEAVY = ("requests", "oauthlib", "emoji", "airflow_provider_social.hooks.twitter.weighted_text")


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

PACKAGE_DIR = Path(airflow_provider_social.__file__).parent
PARSE_TIME_PACKAGES = ("hooks", "operators", "sensors", "triggers", "links", "notifications")

# Loaded only when a hook does its first piece of work.
RUNTIME_ONLY = (
    "requests",
    "oauthlib",
    "requests_oauthlib",
    "emoji",
    "airflow_provider_social.hooks.twitter.weighted_text",
    "airflow_provider_social.core.http",
    "airflow_provider_social.core.tokens",
    "airflow_provider_social.core.policy",
    "airflow_provider_social.core.ratelimit",
    "airflow_provider_social.core.oauth",
    "airflow_provider_social.core.uploads",
)


def parse_time_modules() -> list[str]:
    names = []
    for package in PARSE_TIME_PACKAGES:
        for info in pkgutil.iter_modules([str(PACKAGE_DIR / package)]):
            names.append(f"airflow_provider_social.{package}.{info.name}")
    return names


def test_importing_every_parse_time_module_loads_no_runtime_machinery():
    probe = (
        "import importlib, json, sys\n"
        f"for name in {parse_time_modules()!r}:\n"
        "    importlib.import_module(name)\n"
        f"print(json.dumps(sorted(m for m in {RUNTIME_ONLY!r} if m in sys.modules)))\n"
    )
    env = dict(os.environ, PYTHONPATH=str(PACKAGE_DIR.parent))
    out = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True, env=env).stdout
    assert json.loads(out.strip().splitlines()[-1]) == []
