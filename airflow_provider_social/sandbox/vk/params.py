"""Typed access to a VK method's parameters, answering error 100 the way VK words it."""

from __future__ import annotations

import builtins
import json
import re
from typing import Any

from .errors import invalid, missing

_INT_RE = re.compile(r"^-?\d+$")


class Params:
    """The string parameters of one call (query and form merged); every getter validates and names the field."""

    def __init__(self, data: dict[builtins.str, str]) -> None:
        self.data = data

    def has(self, name: builtins.str) -> bool:
        return self.data.get(name, "") != ""

    def str(
        self, name: builtins.str, required: bool = False, max_len: builtins.int | None = None
    ) -> builtins.str | None:
        value = self.data.get(name)
        if value is None or value == "":
            if required:
                raise missing(name)
            return None
        if max_len is not None and len(value) > max_len:
            raise invalid(name, f"is too long (at most {max_len} characters)")
        return value

    def int(
        self, name: builtins.str, required: bool = False, lo: builtins.int | None = None, hi: builtins.int | None = None
    ) -> builtins.int | None:
        value = self.str(name, required)
        if value is None:
            return None
        if not _INT_RE.match(value.strip()):
            raise invalid(name, "not integer")
        number = int(value)
        if (lo is not None and number < lo) or (hi is not None and number > hi):
            raise invalid(name, "is out of range")
        return number

    def req_int(
        self, name: builtins.str, lo: builtins.int | None = None, hi: builtins.int | None = None
    ) -> builtins.int:
        value = self.int(name, True, lo, hi)
        assert value is not None
        return value

    def flag(self, name: builtins.str) -> bool:
        value = self.str(name)
        if value is None:
            return False
        if value not in ("0", "1", "true", "false"):
            raise invalid(name, "should be 0 or 1")
        return value in ("1", "true")

    def int_list(
        self, name: builtins.str, required: bool = False, max_count: builtins.int | None = None
    ) -> list[builtins.int]:
        value = self.str(name, required)
        if value is None:
            return []
        items = [part.strip() for part in value.split(",") if part.strip()]
        if not all(_INT_RE.match(item) for item in items):
            raise invalid(name, "not integer")
        if max_count is not None and len(items) > max_count:
            raise invalid(name, f"is too long (at most {max_count} items)")
        return [builtins.int(item) for item in items]

    def str_list(
        self, name: builtins.str, required: bool = False, max_count: builtins.int | None = None
    ) -> list[builtins.str]:
        value = self.str(name, required)
        items = [part.strip() for part in (value or "").split(",") if part.strip()]
        if max_count is not None and len(items) > max_count:
            raise invalid(name, f"is too long (at most {max_count} items)")
        return items

    def json(self, name: builtins.str, required: bool = False) -> Any:
        value = self.str(name, required)
        if value is None:
            return None
        try:
            return json.loads(value)
        except ValueError:
            raise invalid(name, "is not a valid JSON") from None


def to_param(value: Any) -> str:
    """A VKScript/JSON value as the string VK would receive over HTTP (lists comma-joined, booleans 1/0)."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(to_param(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
