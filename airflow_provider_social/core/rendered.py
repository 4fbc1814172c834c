"""Values as operators receive them after Jinja rendering.

A templated field renders to a string. ``{{ params.images }}`` of a list renders to its Python repr
(``['a.jpg', 'b.jpg']``), ``{{ params.images | tojson }}`` to JSON (``["a.jpg", "b.jpg"]``); Airflow's
``render_template_as_native_obj`` gives the list itself. Every list or dict field of every operator accepts all three,
so what a DAG author writes first works. Python literals are read with :func:`ast.literal_eval` (plain values only:
strings, numbers, booleans, None, lists, tuples, dicts), never evaluated as code.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Mapping, Sequence
from typing import Any

from airflow_provider_social.core.errors import input_error

#: Longer rendered text is not parsed as a literal (a DAG's parameters are small; a huge nested literal is an attack).
MAX_LITERAL_CHARS = 1_000_000
_BRACKETS = {"[": "]", "{": "}", "(": ")"}


def rendered_value(value: Any, field: str, *, service: str = "") -> Any:
    """``value``, or the list/dict a rendered string spells in JSON or as a Python literal.

    A string counts as spelling a structure when it starts with ``[``, ``{`` or ``(`` and ends with the matching
    bracket; such a string that is neither JSON nor a literal of plain values is refused, naming ``field``.

    :param value: the rendered value.
    :param field: the operator parameter, named in errors.
    :param service: the service, named in errors.
    """
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) < 2 or _BRACKETS.get(text[0]) != text[-1]:
        return value
    if len(text) > MAX_LITERAL_CHARS:
        raise input_error(field, f"a rendered list or dict longer than {MAX_LITERAL_CHARS} characters is not read",
                          service=service)
    import json

    try:
        parsed = json.loads(text)
    except ValueError:
        try:
            parsed = ast.literal_eval(text)
        except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
            raise input_error(
                field,
                "looks like a list or dict but is neither JSON nor a Python literal of plain values "
                f"(got {_preview(text)}); render it with '| tojson', or pass the value itself",
                service=service,
            ) from None
    return list(parsed) if isinstance(parsed, tuple) else parsed


def as_list(value: Any, field: str, *, service: str = "") -> list[Any]:
    """``value`` as a list: None or "" is empty, a single item (a string, a path, bytes) is one, a rendered list
    string is parsed (see :func:`rendered_value`), a sequence is listed.

    :param value: the rendered value.
    :param field: the operator parameter, named in errors.
    :param service: the service, named in errors.
    """
    value = rendered_value(value, field, service=service)
    if value is None or value == "":
        return []
    if isinstance(value, (str, bytes, os.PathLike, Mapping)) or not isinstance(value, Sequence):
        return [value]
    return list(value)


def as_mapping(value: Any, field: str, *, service: str = "") -> dict[str, Any] | None:
    """``value`` as a dict (None when unset); a rendered dict string is parsed; anything else is refused.

    :param value: the rendered value.
    :param field: the operator parameter, named in errors.
    :param service: the service, named in errors.
    """
    value = rendered_value(value, field, service=service)
    if value is None or value == "":
        return None
    if not isinstance(value, Mapping):
        raise input_error(field, f"expected a dict, got {type(value).__name__} {_preview(repr(value))}",
                          service=service)
    return dict(value)


def _preview(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")


__all__ = ["MAX_LITERAL_CHARS", "as_list", "as_mapping", "rendered_value"]
