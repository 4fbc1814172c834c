"""The provider's metadata: valid for Airflow, every hook importable and complete, connection forms declarative."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from importlib import import_module, resources
from pathlib import Path

import jsonschema
import pytest

from airflow_provider_social.get_provider_info import get_provider_info

INFO = get_provider_info()
AIRFLOW = str(Path(sys.executable).parent / "airflow")
CONNECTION_TYPES = INFO["connection-types"]


def _import(path: str):
    module, _, name = path.rpartition(".")
    return getattr(import_module(module), name)


def test_metadata_validates_against_airflows_runtime_schema():
    schema = json.loads(resources.files("airflow").joinpath("provider_info.schema.json").read_text())
    jsonschema.validate(INFO, schema)
    assert INFO["package-name"] == "airflow-provider-social"


@pytest.mark.parametrize("conn", CONNECTION_TYPES, ids=lambda c: c["connection-type"])
def test_every_connection_type_has_a_complete_hook(conn):
    hook = _import(conn["hook-class-name"])
    assert hook.conn_type == conn["connection-type"]
    assert hook.hook_name == conn["hook-name"]
    assert hook.conn_name_attr and hook.default_conn_name
    assert callable(getattr(hook, "test_connection", None))


@pytest.mark.parametrize("conn", CONNECTION_TYPES, ids=lambda c: c["connection-type"])
def test_connection_forms_are_declarative_and_mark_secrets(conn):
    for name, field in conn["conn-fields"].items():
        assert field["label"] and "type" in field["schema"], name
        if any(word in name for word in ("secret", "token")) and name != "token_store":
            assert field["schema"].get("format") == "password", f"{name} must be a password field"
    behaviour = conn["ui-field-behaviour"]
    allowed = {"description", "host", "port", "login", "password", "schema", "extra"}
    assert set(behaviour.get("hidden-fields", [])) <= allowed


def test_declared_links_and_notifiers_import():
    for path in INFO.get("extra-links", []) + INFO.get("notifications", []):
        assert _import(path)


def test_declared_trigger_and_sensor_modules_import():
    for entry in INFO.get("triggers", []) + INFO.get("sensors", []):
        for module in entry["python-modules"]:
            import_module(module)


def _defined_in_package(package: str, base: type) -> set[str]:
    """Dotted paths of the public ``base`` subclasses defined in the modules of ``package`` (not imported there)."""
    import inspect
    import pkgutil

    found = set()
    for module_info in pkgutil.iter_modules(import_module(package).__path__):
        module = import_module(f"{package}.{module_info.name}")
        for name, obj in vars(module).items():
            if (inspect.isclass(obj) and issubclass(obj, base) and obj.__module__ == module.__name__
                    and obj.__name__ == name and not inspect.isabstract(obj) and module_info.name != "base"):
                found.add(f"{module.__name__}.{name}")
    return found


def test_every_link_trigger_and_notifier_the_package_defines_is_declared():
    """The lists are assembled from each service's declaration: a class added without declaring it fails here."""
    from airflow.sdk import BaseNotifier, BaseOperatorLink
    from airflow.triggers.base import BaseTrigger

    assert _defined_in_package("airflow_provider_social.links", BaseOperatorLink) == set(INFO["extra-links"])
    assert _defined_in_package("airflow_provider_social.notifications", BaseNotifier) == set(INFO["notifications"])
    trigger_modules = {path.rsplit(".", 1)[0] for path in
                       _defined_in_package("airflow_provider_social.triggers", BaseTrigger)}
    assert trigger_modules == {m for entry in INFO["triggers"] for m in entry["python-modules"]}
    from airflow.sdk import BaseSensorOperator

    sensor_modules = {path.rsplit(".", 1)[0] for path in
                      _defined_in_package("airflow_provider_social.sensors", BaseSensorOperator)}
    assert sensor_modules == {m for entry in INFO["sensors"] for m in entry["python-modules"]}
    assert "airflow_provider_social.triggers.vk_events" in trigger_modules


def test_cli_commands_build():
    (group,) = _import(INFO["cli"][0])()
    names = {c.name for c in group.subcommands}
    assert {"sandbox", "sandbox-connections", "auth"} <= names


def _airflow(*args: str, home: Path) -> str:
    env = dict(os.environ, AIRFLOW_HOME=str(home), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    return subprocess.run([AIRFLOW, *args], env=env, capture_output=True, text=True, check=True, timeout=120).stdout


@pytest.mark.integration
def test_airflow_lists_the_provider_and_imports_every_hook(tmp_path):
    assert "airflow-provider-social" in _airflow("providers", "list", home=tmp_path)
    hooks = _airflow("providers", "hooks", "-o", "json", home=tmp_path)
    for conn in CONNECTION_TYPES:
        assert conn["hook-class-name"] in hooks


@pytest.mark.integration
def test_airflow_social_sandbox_prints_connections_that_work(tmp_path):
    env = dict(os.environ, AIRFLOW_HOME=str(tmp_path), AIRFLOW__CORE__LOAD_EXAMPLES="False")
    proc = subprocess.Popen(
        [AIRFLOW, "social", "sandbox", "--port", "0", "--print-connections"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )
    try:
        url_line = proc.stdout.readline()
        assert url_line.startswith("SANDBOX_URL=http://127.0.0.1:")
        lines = [proc.stdout.readline() for _ in CONNECTION_TYPES]
    finally:
        proc.terminate()
        proc.wait(10)
    ids = sorted(line.split("=", 1)[0] for line in lines)
    assert ids == sorted(f"AIRFLOW_CONN_{c['connection-type'].upper()}_DEFAULT" for c in CONNECTION_TYPES)
