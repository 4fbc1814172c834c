"""A service in one place: get_provider_info() and the CLI only assemble what each service declares."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import import_module

import pytest

from airflow_provider_social.cli.definition import get_cli_commands
from airflow_provider_social.core.declaration import AUTH_COMMON_ARGS
from airflow_provider_social.get_provider_info import get_provider_info
from airflow_provider_social.services import SERVICES


def test_connection_types_are_the_declared_forms_in_registry_order():
    assert get_provider_info()["connection-types"] == [service.connection.provider_info() for service in SERVICES]


def test_auth_commands_are_the_declared_ones():
    (group,) = get_cli_commands()
    auth = next(command for command in group.subcommands if command.name == "auth")
    declared = [service.auth for service in SERVICES if service.auth]
    assert [c.name for c in auth.subcommands] == [d.name for d in declared]
    for command, declaration in zip(auth.subcommands, declared, strict=True):
        assert command.help == declaration.help
        # --conn-id and the declared options, then the ones every auth command shares; help texts end with the default.
        expected = [*declaration.arguments, *AUTH_COMMON_ARGS]
        assert [a.flags for a in command.args] == [a.flags for a in expected]
        for arg, declared in zip(command.args, expected, strict=True):
            assert {k: v for k, v in arg.kwargs.items() if k != "help"} == {
                k: v for k, v in declared.kwargs.items() if k != "help"}
            assert arg.kwargs.get("help", "").startswith(declared.kwargs.get("help", ""))
        module, _, name = declaration.func.rpartition(".")
        assert callable(getattr(import_module(module), name))


def test_each_declaration_sits_beside_its_hook():
    for service in SERVICES:
        hook_module, _, hook_name = service.connection.hook_class_name.rpartition(".")
        # hooks/<service>_connection.py beside a hook module; <package>/connection.py inside a hook package
        package = hasattr(import_module(hook_module), "__path__")
        beside = import_module(f"{hook_module}.connection" if package else f"{hook_module}_connection")
        assert beside.SERVICE is service
        hook = getattr(import_module(hook_module), hook_name)
        assert hook.conn_type == service.connection.conn_type and hook.hook_name == service.connection.hook_name


@pytest.mark.slow  # starts processes
def test_provider_info_imports_nothing_heavy():
    probe = (
        "import sys, json; import airflow_provider_social.get_provider_info as m; m.get_provider_info(); "
        "print(json.dumps(sorted(n for n in ('requests', 'starlette', 'oauthlib', 'uvicorn', 'airflow') "
        "if n in sys.modules)))"
    )
    loaded = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(loaded.stdout) == []


def test_the_providers_page_lists_the_installed_services_only():
    from airflow_provider_social.get_provider_info import describe

    info = get_provider_info()
    for service in SERVICES:
        assert service.connection.hook_name in info["description"], service.name
        assert service.connection.hook_name in info["name"], service.name
    name, description = describe(SERVICES[:2])  # a provider with two services names just those two
    assert description.startswith("Post, upload and keep credentials fresh on Yandex Disk and Twitter/X;")
    assert "VK" not in name + description and "Odnoklassniki" not in name + description
