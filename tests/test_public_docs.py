"""The documented public surface: every public method of every public hook, operator, sensor, trigger and notifier
class (all subpackages) has a docstring with ``:param x:`` for each of its arguments (a constructor's may sit in
the class docstring, as Airflow's own operators do)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

ROLES = ("hooks", "operators", "sensors", "triggers", "notifications")

def _modules():
    for role in ROLES:
        package = importlib.import_module(f"airflow_provider_social.{role}")
        yield package
        for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
            yield importlib.import_module(info.name)


def _public_methods(module):
    for name, cls in inspect.getmembers(module, inspect.isclass):
        if cls.__module__ != module.__name__ or name.startswith("_"):
            continue
        for method_name, member in vars(cls).items():
            if method_name.startswith("_") and method_name != "__init__":
                continue
            function = member.__func__ if isinstance(member, (staticmethod, classmethod)) else member
            if inspect.isfunction(function):
                yield cls, method_name, function


def undocumented(modules) -> list[str]:
    """``module.Class.method: what is missing`` for every public method short of the rule."""
    missing = []
    for module in modules:
        for cls, method_name, function in _public_methods(module):
            doc = inspect.getdoc(function) or ""
            if method_name == "__init__":
                doc = (inspect.getdoc(cls) or "") + "\n" + doc
            arguments = [
                p.name for p in inspect.signature(function).parameters.values()
                if p.name not in ("self", "cls") and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            lacking = [name for name in arguments if f":param {name}:" not in doc]
            if not doc.strip():
                missing.append(f"{module.__name__}.{cls.__name__}.{method_name}: no docstring")
            elif lacking:
                missing.append(f"{module.__name__}.{cls.__name__}.{method_name}: no :param {', '.join(lacking)}")
    return missing


def test_every_public_method_documents_each_argument():
    checked = list(_modules())
    missing = undocumented(checked)
    assert not missing, f"{len(missing)} public methods lack a docstring or a :param:\n" + "\n".join(missing)


def test_the_rule_catches_a_missing_param():
    import types

    module = types.ModuleType("probe")

    class Probe:
        def documented(self, a):
            """Do it.

            :param a: the thing.
            """

        def half(self, a, b):
            """Do it.

            :param a: the thing.
            """

        def bare(self):
            pass

    Probe.__module__ = "probe"
    module.Probe = Probe  # type: ignore[attr-defined]
    assert sorted(undocumented([module])) == ["probe.Probe.bare: no docstring", "probe.Probe.half: no :param b"]
