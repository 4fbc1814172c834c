"""Parsing a DAG must not load a service's transport: operators import their hook on first use."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ("requests", "oauthlib", "twitter_text")


def _loaded_after(statement: str, watched: tuple[str, ...]) -> list[str]:
    probe = (
        f"import sys, json; {statement}; "
        f"print(json.dumps(sorted(n for n in {watched!r} if n in sys.modules)))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_twitter_operators_do_not_import_the_hook_at_parse_time():
    watched = ("airflow_provider_social.hooks.twitter", *HEAVY)
    assert _loaded_after("import airflow_provider_social.operators.twitter", watched) == []
