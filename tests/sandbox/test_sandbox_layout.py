"""The sandbox's shape: no import circle between its modules, and every module small enough to hold in mind.

Imports are read from the source (``ast``), including imports inside functions and under ``TYPE_CHECKING``: a late
import only hides a circle from the interpreter, not from the reader.
"""

from __future__ import annotations

import ast
from pathlib import Path

import airflow_provider_social.sandbox as sandbox_pkg

ROOT = Path(sandbox_pkg.__file__).parent
PACKAGE = "airflow_provider_social.sandbox"
MAX_LINES = 500


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join([PACKAGE, *parts])


def _modules() -> dict[str, Path]:
    return {_module_name(path): path for path in sorted(ROOT.rglob("*.py"))}


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """Sandbox modules that ``name`` imports anywhere in its source (``from . import x`` counts as ``.x``)."""
    is_package = path.name == "__init__.py"
    package = name if is_package else name.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = package
            for _ in range(node.level - 1):
                base = base.rpartition(".")[0]
            module = (f"{base}.{node.module}" if node.module else base) if node.level else (node.module or "")
            submodules = [f"{module}.{alias.name}" for alias in node.names]
            # ``from pkg import sub`` imports pkg/__init__ too; ``from . import sub`` inside pkg does not add an
            # arrow back to pkg/__init__ unless it takes a name that is no submodule.
            takes_names = any(sub not in known for sub in submodules)
            targets = submodules + ([module] if takes_names or not name.startswith(module + ".") else [])
        else:
            continue
        found |= {target for target in targets if target in known and target != name}
    return found


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of the graph, or None."""
    done: set[str] = set()
    stack: list[str] = []
    on_stack: set[str] = set()

    def visit(node: str) -> list[str] | None:
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt in on_stack:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in done:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        on_stack.discard(node)
        done.add(node)
        return None

    for start in sorted(graph):
        if start not in done:
            found = visit(start)
            if found:
                return found
    return None


def test_cycle_finder_sees_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": set()}) is None


def test_sandbox_modules_import_no_circle():
    modules = _modules()
    graph = {name: _imports(name, path, set(modules)) for name, path in modules.items()}
    assert _cycle(graph) is None, " -> ".join(_cycle(graph) or [])


def test_state_does_not_read_the_registry():
    modules = _modules()
    state = f"{PACKAGE}.state"
    assert _imports(state, modules[state], set(modules)) & {f"{PACKAGE}.app", f"{PACKAGE}.registry"} == set()


def test_sandbox_modules_are_small():
    too_big = {
        str(path.relative_to(ROOT)): lines
        for path in ROOT.rglob("*.py")
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert too_big == {}
