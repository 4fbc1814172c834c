"""Issue 20's bad-input suite, shared by the services' operator tests: a garbage table per operator (field ->
rendered garbage values) expanded into test cases, and the assertion every case makes."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import pytest

from airflow_provider_social.core.errors import ValidationError


def garbage_cases(table: Mapping[type, Mapping[str, Sequence[Any]]]) -> Iterator[Any]:
    """One ``pytest.param(operator, field, value)`` per garbage value of every field of every operator."""
    for operator, fields in table.items():
        for field, values in fields.items():
            for number, value in enumerate(values):
                yield pytest.param(operator, field, value, id=f"{operator.__name__}-{field}-{number}")


def assert_refused_before_any_request(sandbox: Any, build: Callable[[], Any], field: str, service: str) -> None:
    """``build()`` fails with an input error naming ``field`` (not a raw Python error), and no request reached the
    sandbox."""
    before = sandbox.control.requests()["total"]
    with pytest.raises(ValidationError) as refused:
        build()
    assert str(refused.value).startswith(f"{service}: {field}"), str(refused.value)
    assert sandbox.control.requests()["total"] == before
