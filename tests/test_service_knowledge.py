"""Service knowledge lives in the service: the shared modules (``core/``, ``plugins/``, ``cli/`` and the sandbox's
own modules, not its per-service packages) never branch on a service's name and never import a service's modules;
they reach services only through ``services.py``.

The scan reads the source (``ast``): an import of ``airflow_provider_social.hooks.<service>`` or of a per-service
sandbox package (absolute or relative), or a service's name / connection type / auth command name used as a
branch key: compared (``==``, ``!=``, ``in``), matched, a dict literal's key, a subscript or a ``.get()`` key.
"ok" is also the success flag of JSON records (``{"ok": true}``), so it counts only when compared or matched.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import airflow_provider_social
from airflow_provider_social.services import SERVICES

PACKAGE = Path(airflow_provider_social.__file__).parent
SHARED_PACKAGES = ("core", "plugins", "cli")
# "ok" is OK.ru's service name and also every JSON record's success flag.
KEY_ONLY_WORDS = {"ok"}


def service_names() -> set[str]:
    """Every name a service goes by: its name, connection type and auth command's name."""
    names = set()
    for service in SERVICES:
        names |= {service.name, service.connection.conn_type}
        if service.auth:
            names.add(service.auth.name)
    return names


def service_packages(root: Path) -> tuple[set[str], set[str]]:
    """(hook packages, per-service sandbox packages) found under ``root``."""
    hooks = {path.parent.name for path in (root / "hooks").glob("*/__init__.py")}
    shared_sandbox = {"oauth_server"}
    sandbox = {path.parent.name for path in (root / "sandbox").glob("*/__init__.py")} - shared_sandbox
    return hooks, sandbox


def shared_modules(root: Path) -> list[Path]:
    """The modules that must know no service: core/, plugins/, cli/, and the sandbox's shared modules."""
    _, sandbox_packages = service_packages(root)
    found = [path for package in SHARED_PACKAGES for path in sorted((root / package).rglob("*.py"))]
    for path in sorted((root / "sandbox").rglob("*.py")):
        relative = path.relative_to(root / "sandbox")
        if len(relative.parts) == 1 or relative.parts[0] not in sandbox_packages:
            found.append(path)
    return found


def _string(node: ast.AST | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _strings(node: ast.AST) -> list[str]:
    """The string constants a comparison side holds (itself, or the items of a literal tuple/list/set)."""
    items = node.elts if isinstance(node, ast.Tuple | ast.List | ast.Set) else [node]
    return [value for value in map(_string, items) if value is not None]


def branch_keys(tree: ast.AST, names: set[str]) -> list[tuple[int, str]]:
    """(line, name) for every service name used as a branch key in ``tree``."""
    keys = names - KEY_ONLY_WORDS
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Compare):
            for side in (node.left, *node.comparators):
                found += [(node.lineno, value) for value in _strings(side) if value in names]
        elif isinstance(node, ast.MatchValue):
            value = _string(node.value)
            if value in names:
                found.append((node.lineno, value))
        elif isinstance(node, ast.Dict):
            found += [(node.lineno, value) for value in map(_string, node.keys) if value in keys]
        elif isinstance(node, ast.Subscript):
            value = _string(node.slice)
            if value in keys:
                found.append((node.lineno, value))
        elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "get":
            value = _string(node.args[0]) if node.args else None
            if value in keys:
                found.append((node.lineno, value))
    return found


def service_imports(path: Path, tree: ast.AST, root: Path) -> list[tuple[int, str]]:
    """(line, module) for every import of a service's hook package or sandbox package in ``tree``."""
    hooks, sandbox = service_packages(root)
    forbidden = ({f"airflow_provider_social.hooks.{name}" for name in hooks}
                 | {f"airflow_provider_social.sandbox.{name}" for name in sandbox})
    package = ".".join(("airflow_provider_social", *path.relative_to(root).parent.parts))
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        modules: list[str] = []
        if isinstance(node, ast.Import):
            modules = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            module = ".".join(part for part in (base, node.module or "") if part)
            # "from . import vk" imports the module "<package>.vk"
            modules = [module, *(f"{module}.{alias.name}" for alias in node.names)]
        for module in modules:
            if any(module == name or module.startswith(name + ".") for name in forbidden):
                found.append((node.lineno, module))
                break
    return found


def violations(root: Path) -> list[str]:
    """Every service name used as a branch key, and every service import, in the shared modules under ``root``."""
    names = service_names()
    found = []
    for path in shared_modules(root):
        tree = ast.parse(path.read_text(), filename=str(path))
        where = path.relative_to(root)
        found += [f"{where}:{line}: branches on {name!r}" for line, name in branch_keys(tree, names)]
        found += [f"{where}:{line}: imports {module}" for line, module in service_imports(path, tree, root)]
    return found


def test_shared_modules_know_no_service_by_name():
    assert violations(PACKAGE) == []


def test_the_scan_covers_the_shared_sandbox_modules_and_not_the_service_packages():
    scanned = {str(path.relative_to(PACKAGE)) for path in shared_modules(PACKAGE)}
    assert {"sandbox/app.py", "sandbox/connections.py", "sandbox/control.py", "sandbox/registry.py",
            "sandbox/oauth_server/server.py", "cli/options.py", "plugins/health.py", "core/http.py"} <= scanned
    assert not any(name.startswith(("sandbox/vk/", "sandbox/yandex/", "hooks/")) for name in scanned)


@pytest.mark.parametrize(("source", "expected"), [
    ('if conn.conn_type == "vk_vision":\n    pass', [(1, "vk_vision")]),
    ('if conn_type in ("yandex_disk", "vk"):\n    pass', [(1, "yandex_disk"), (1, "vk")]),
    ('ADAPTERS = {"twitter": 1, "ok": 2}', [(1, "twitter")]),
    ('target = state.services.get("vk")', [(1, "vk")]),
    ('x = settings["odnoklassniki"]', [(1, "odnoklassniki")]),
    ('if name == "ok":\n    pass', [(1, "ok")]),
    ('record = {"ok": True}\nflag = record.get("ok")', []),
    ('call("vk")', []),
])
def test_the_branch_scan_sees_each_form(source, expected):
    assert branch_keys(ast.parse(source), service_names()) == expected


@pytest.mark.parametrize(("relative", "source", "flagged"), [
    ("cli/x.py", "from airflow_provider_social.hooks.vk.connection import AUTH_FLOW", True),
    ("plugins/x.py", "import airflow_provider_social.hooks.yandex_disk", True),
    ("sandbox/x.py", "from . import ok, twitter", True),
    ("sandbox/x.py", "from .yandex import OAUTH_NAME", True),
    ("sandbox/x.py", "from .oauth_server import SANDBOX_CLIENT_ID", False),
    ("cli/x.py", "from airflow_provider_social.services import service_for", False),
    ("cli/x.py", "from airflow_provider_social.hooks.base import SocialHook", False),
])
def test_the_import_scan_sees_each_form(relative, source, flagged):
    assert bool(service_imports(PACKAGE / relative, ast.parse(source), PACKAGE)) is flagged
