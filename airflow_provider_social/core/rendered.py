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
import re
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
    except (ValueError, RecursionError):  # RecursionError: brackets nested deeper than the interpreter's stack
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


def rendered_scalar(value: Any, field: str, *, service: str = "", expected: str = "one value") -> Any:
    """``value`` unless it is a list or dict, or a rendered string that spells one.

    A field that takes one value (a path, an id, a name) refuses ``{{ params.paths }}`` rendered into it, rather
    than using the list's repr as the value. Brackets around text that is not a literal (``[draft]``) are text.

    :param value: the rendered value.
    :param field: the operator parameter, named in errors.
    :param service: the service, named in errors.
    :param expected: what the field takes, for the error (``"one path"``).
    """
    parsed = value
    if isinstance(value, str):
        try:
            parsed = rendered_value(value, field, service=service)
        except ValueError:  # the input error of text in brackets that is not a literal: a name, kept
            return value
    if isinstance(parsed, (list, tuple, set, Mapping)):
        kind = "dict" if isinstance(parsed, Mapping) else "list"
        raise input_error(field, f"expected {expected}, got a {kind} {_preview(repr(value))}", service=service)
    return value


#: Airflow's own rule for a connection id (``airflow.models.connection.RE_SANITIZE_CONN_ID``, ``CONN_ID_MAX_LEN``).
CONN_ID_PATTERN = re.compile(r"[\w#!()\-.:/\\]{1,250}")


def conn_id_value(value: Any, field: str, *, service: str = "") -> str:
    """A rendered connection id, or an input error naming ``field`` (empty, not text, characters or length Airflow
    does not allow in a connection id): a template that rendered to nothing must not fall back to another
    connection, and junk must not be looked up as one.

    :param value: the rendered value.
    :param field: the operator parameter (``yandex_disk_conn_id``), named in errors.
    :param service: the service, named in errors.
    """
    if not isinstance(value, str):
        raise input_error(field, f"a connection id is text, got {type(value).__name__} {_preview(repr(value))}",
                          service=service)
    if not CONN_ID_PATTERN.fullmatch(value):
        raise input_error(field, "a connection id has 1-250 letters, digits and the characters _#!()-.:/\\ "
                          f"(got {_preview(value)})", service=service)
    return value


def _preview(text: str, limit: int = 60) -> str:
    return repr(text) if len(text) <= limit else repr(text[: limit - 1] + "…")


__all__ = ["CONN_ID_PATTERN", "MAX_LITERAL_CHARS", "as_list", "as_mapping", "conn_id_value", "rendered_scalar",
           "rendered_value"]
