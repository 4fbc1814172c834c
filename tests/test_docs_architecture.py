"""The Architecture docs say what the code is: every path they name exists, and the "How to add a service" recipe
lists exactly the files and declaration entries a service provides, checked against the extra service that
``tests/plugins/test_extra_service.py`` registers from the test tree alone.

The section is read from ``docs/architecture.md`` when that page holds it, else from the README's
"## Architecture" section.
"""

from __future__ import annotations

import dataclasses
import importlib
import re
from pathlib import Path

import pytest

from airflow_provider_social.core.declaration import ServiceDeclaration
from airflow_provider_social.services import SERVICES
from tests.extra_service.connection import SERVICE as EXTRA

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "airflow_provider_social"
TOP_DIRS = ("airflow_provider_social/", "tests/", "scripts/", "benchmarks/", "dags_examples/", "docs/")
RECIPE = "**How to add a service.**"


def architecture_text() -> str:
    """The Architecture section: ``docs/architecture.md`` if it holds the recipe, else the README's section."""
    page = ROOT / "docs" / "architecture.md"
    if page.exists() and RECIPE in page.read_text():
        return page.read_text()
    readme = (ROOT / "README.md").read_text()
    match = re.search(r"^## Architecture\n(.*?)(?=^## )", readme, flags=re.S | re.M)
    assert match, "README.md has no '## Architecture' section and docs/architecture.md has no recipe"
    return match.group(1)


def _placeholder(path: str) -> bool:
    return "<" in path or "svc" in path.split("/") or "*" in path


def _exists(path: str) -> bool:
    """Whether a named path exists: under the repository when it starts with a top directory, else under the
    package (the section writes ``core/http.py`` for ``airflow_provider_social/core/http.py``)."""
    base = ROOT if path.startswith(TOP_DIRS) else PACKAGE
    if (base / path).exists():
        return True
    # a bare name (`declaration.py`): somewhere in the package or a top directory
    return "/" not in path.rstrip("/") and any(any((ROOT / top).rglob(path.rstrip("/"))) for top in TOP_DIRS)


def backticked_paths(text: str) -> set[str]:
    """Backticked names ending in ``.py`` or ``/`` (placeholders such as ``hooks/svc/`` left out)."""
    names = set(re.findall(r"`([\w./<>-]+(?:\.py|/))`", text))
    return {name for name in names if not _placeholder(name)}


def tree_paths(text: str) -> set[str]:
    """The paths the section's layout block names (``core/`` then ``  http.py`` is ``core/http.py``)."""
    block = re.search(r"```\n(airflow_provider_social/.*?)```", text, flags=re.S)
    assert block, "the Architecture section has no layout block"
    paths: set[str] = set()
    parents: list[tuple[int, str]] = []
    for line in block.group(1).splitlines():
        indent = len(line) - len(line.lstrip())
        if not line.strip() or indent >= 12:  # a description's continuation line
            continue
        names = re.split(r"\s{2,}", line.strip(), maxsplit=1)[0].split()
        while parents and parents[-1][0] >= indent:
            parents.pop()
        prefix = parents[-1][1] if parents else ""
        for name in names:
            paths.add(prefix + name)
        if len(names) == 1 and names[0].endswith("/"):
            parents.append((indent, prefix + names[0]))
    return {path.removeprefix("airflow_provider_social/") or "airflow_provider_social/" for path in paths
            if not _placeholder(path)}


def test_every_path_the_architecture_section_names_exists():
    text = architecture_text()
    named = backticked_paths(text) | tree_paths(text)
    assert {"core/tokens/", "core/declaration.py", "services.py", "sandbox/registry.py"} <= named
    assert sorted(path for path in named if not _exists(path)) == []


def test_the_path_check_sees_a_missing_file():
    text = "```\nairflow_provider_social/\n  core/\n    tokens.py   gone\n```\nsee `hooks/base.py`, `core/nope.py`"
    named = backticked_paths(text) | tree_paths(text)
    assert named == {"airflow_provider_social/", "core/", "core/tokens.py", "hooks/base.py", "core/nope.py"}
    assert sorted(path for path in named if not _exists(path)) == ["core/nope.py", "core/tokens.py"]


# ------------------------------------------------------------------------------------------------ the recipe
def recipe_declaration_step() -> str:
    """Step 1 of the recipe: the declaration's files and entries."""
    recipe = architecture_text().split(RECIPE, 1)[1]
    match = re.search(r"^1\. (.*?)(?=^2\. )", recipe, flags=re.S | re.M)
    assert match, "the recipe has no step 1"
    return match.group(1)


def _module_file(module: str, service_package: str) -> str:
    """A module of a service as the recipe writes it: ``hooks/svc/<name>.py`` or ``sandbox/svc/<name>.py``."""
    side = "sandbox" if ".sandbox." in module.removeprefix(service_package) else "hooks"
    return f"{side}/svc/{module.rpartition('.')[2]}.py"


def declared_files(service: ServiceDeclaration, service_package: str) -> set[str]:
    """The files a service's declaration needs: its own module, its hook's, and those its dotted paths name."""
    hook_module, _, hook_name = service.connection.hook_class_name.rpartition(".")
    hook_class = getattr(importlib.import_module(hook_module), hook_name)
    modules = {f"{service_package}.connection", hook_class.__module__}
    if service.auth:
        modules.add(service.auth.func.rpartition(".")[0])
    for dotted in (service.ui_flow, service.sandbox):
        if dotted:
            modules.add(dotted.rpartition(".")[0])
    return {_module_file(module, service_package) for module in modules}


def test_the_recipe_names_every_declaration_entry():
    named = set(re.findall(r"`(\w+)`", recipe_declaration_step()))
    entries = {entry.name for entry in dataclasses.fields(ServiceDeclaration)}
    assert sorted(entries - named) == []


def test_the_recipe_lists_exactly_the_files_the_extra_service_provides():
    recipe_files = {path for path in re.findall(r"`((?:hooks|sandbox)/svc/\w+\.py)`", recipe_declaration_step())}
    assert recipe_files == declared_files(EXTRA, "tests.extra_service")
    # and the test tree holds exactly those modules (besides the packages' __init__.py)
    fake = ROOT / "tests" / "extra_service"
    held = ({f"hooks/svc/{path.name}" for path in fake.glob("*.py")}
            | {f"sandbox/svc/{path.name}" for path in fake.glob("sandbox/*.py")})
    assert held - {"hooks/svc/__init__.py", "sandbox/svc/__init__.py"} == recipe_files


def test_the_extra_service_sets_only_entries_the_recipe_names():
    named = set(re.findall(r"`(\w+)`", recipe_declaration_step()))
    defaults = ServiceDeclaration(name="", connection=EXTRA.connection)
    set_entries = {entry.name for entry in dataclasses.fields(ServiceDeclaration)
                   if getattr(EXTRA, entry.name) != getattr(defaults, entry.name)} | {"name", "connection"}
    assert set_entries <= named


@pytest.mark.parametrize("service", SERVICES, ids=lambda service: service.name)
def test_the_real_services_follow_the_recipe(service):
    package = service.connection.hook_class_name.rpartition(".")[0]
    recipe_files = set(re.findall(r"`((?:hooks|sandbox)/svc/\w+\.py)`", recipe_declaration_step()))
    assert declared_files(service, package) <= recipe_files
