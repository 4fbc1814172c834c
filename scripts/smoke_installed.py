"""Smoke-test the provider as a user installed it (run by `make check-dist` with each matrix virtualenv's Python).

Run from outside the checkout, so ``airflow_provider_social`` comes from the installed wheel. Steps, each printed
with its wall time: the package is the installed one; ``airflow providers list`` shows the provider and its
version; ``get_provider_info()`` validates against the provider-info JSON schema of the installed Airflow; the
metadata DB migrates; the sandbox starts; each named example DAG runs with ``airflow dags test`` against it.
Exits non-zero at the first failure, with the failing command's output tail.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

BIN = Path(sys.executable).parent


def cpu_so_far() -> float:
    usages = resource.getrusage(resource.RUSAGE_CHILDREN), resource.getrusage(resource.RUSAGE_SELF)
    return sum(usage.ru_utime + usage.ru_stime for usage in usages)


_cpu_at_last_step = [0.0]


def step(name: str, started: float) -> None:
    """One passed step, with its wall time and the CPU time its commands used (what it costs on an idle machine)."""
    cpu, _cpu_at_last_step[0] = cpu_so_far() - _cpu_at_last_step[0], cpu_so_far()
    print(f"  ok {name} ({time.monotonic() - started:.1f}s, {cpu:.1f}s CPU)", flush=True)


def fail(name: str, output: str) -> None:
    print(f"  FAILED {name}\n" + "\n".join(output.splitlines()[-30:]), flush=True)
    raise SystemExit(1)


def airflow(env: dict[str, str], *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(BIN / "airflow"), *args], env=env, capture_output=True, text=True, timeout=timeout)


def check_installed_package() -> str:
    import airflow_provider_social

    location = Path(airflow_provider_social.__file__).resolve()
    if Path(sys.prefix).resolve() not in location.parents:
        fail("installed package", f"airflow_provider_social imported from {location}, not from {sys.prefix}")
    return airflow_provider_social.__version__


def check_provider_info(version: str) -> None:
    from importlib import resources

    import jsonschema

    from airflow_provider_social.get_provider_info import get_provider_info

    info = get_provider_info()
    schema = json.loads(resources.files("airflow").joinpath("provider_info.schema.json").read_text())
    try:
        jsonschema.validate(info, schema)
    except jsonschema.ValidationError as error:
        fail("provider info schema", str(error))
    if info.get("versions", [None])[0] != version:
        fail("provider info schema", f"get_provider_info() versions {info.get('versions')} != {version}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dags-folder", type=Path, required=True)
    parser.add_argument("--home", type=Path, required=True, help="AIRFLOW_HOME for this run (created)")
    parser.add_argument("dag_ids", nargs="+")
    args = parser.parse_args()

    started = time.monotonic()
    version = check_installed_package()
    step(f"airflow_provider_social {version} imported from this environment", started)

    args.home.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AIRFLOW", "PYTHONPATH"))}
    env.update(
        PATH=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        AIRFLOW_HOME=str(args.home),
        AIRFLOW__CORE__DAGS_FOLDER=str(args.dags_folder),
        AIRFLOW__CORE__LOAD_EXAMPLES="False",
        AIRFLOW__LOGGING__LOGGING_LEVEL="WARNING",
        SOCIAL_TOKEN_LOCK_DIR=str(args.home / "locks"),
    )

    started = time.monotonic()
    listed = airflow(env, "providers", "list", "--output", "json")
    rows = json.loads(listed.stdout[listed.stdout.find("["):] or "[]") if listed.returncode == 0 else []
    if not any(row.get("package_name") == "airflow-provider-social" and row.get("version") == version for row in rows):
        fail("airflow providers list", listed.stdout + listed.stderr)
    step("airflow providers list shows airflow-provider-social " + version, started)

    started = time.monotonic()
    check_provider_info(version)
    step("get_provider_info() validates against Airflow's provider_info.schema.json", started)

    started = time.monotonic()
    migrated = airflow(env, "db", "migrate")
    if migrated.returncode != 0:
        fail("airflow db migrate", migrated.stdout + migrated.stderr)
    step("airflow db migrate", started)

    from local_airflow import start_sandbox  # scripts/ is this script's directory, first on sys.path

    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.control import SandboxControl

    started = time.monotonic()
    sandbox, url = start_sandbox(env)
    try:
        connections = sandbox_connections(url, SandboxControl(url))
        env.update({f"AIRFLOW_CONN_{cid.upper()}": json.dumps(conn) for cid, conn in connections.items()})
        step(f"sandbox started at {url}", started)
        for dag_id in args.dag_ids:
            started = time.monotonic()
            ran = airflow(env, "dags", "test", dag_id)
            if ran.returncode != 0:
                fail(f"airflow dags test {dag_id}", ran.stdout + ran.stderr)
            step(f"airflow dags test {dag_id}", started)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
