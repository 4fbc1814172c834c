"""Hook packages export their names on first use (PEP 562).

``get_provider_info`` reads each service's ``connection`` module at every Airflow start-up and DAG files import the
hook packages; neither should load Airflow's SDK, requests and the transport through a package's ``__init__``.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(package: str, modules: Mapping[str, tuple[str, ...]]) -> Callable[[str], Any]:
    """A module ``__getattr__`` that imports ``package.<module>`` when one of its names is first read.

    :param package: the package's ``__name__``.
    :param modules: submodule (relative to ``package``) -> the exported names it defines.
    """
    module_of = {name: module for module, names in modules.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = module_of.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(f"{package}.{module}"), name)

    return __getattr__
