"""``execute``: the VKScript subset ``return API.a.b({...});`` and ``return [API.a.b({...}), ...];``.

Arguments are JSON objects (what clients generate; JS-style unquoted keys are not in the subset) or empty.
Anything else in ``code`` (variables, loops, ``@.``) answers error 12, as VK answers code it cannot compile:
a limit of the sandbox, not of VK. At most 25 API calls (dev.vk.ru/ru/method/execute); more answers error 13
(UNCONFIRMED wording). An inner call that fails yields ``false`` in its place and an entry
``{"method", "error_code", "error_msg"}`` in ``execute_errors``, in call order; like the recorded VK answers
(voronind/vk#42, vkbottle's tests) a last entry with ``"method": "execute"`` repeats the last failure
(UNCONFIRMED where VK puts it with several failures; at the end keeps ordered pairing right).
"""

from __future__ import annotations

import json
import re
from typing import Any

from .errors import VkError, missing
from .methods.registry import Call, method
from .params import to_param
from .routes import ExecuteResult, invoke

MAX_CALLS = 25
_CALL_RE = re.compile(r"API\.([A-Za-z]+)\.([A-Za-z]+)\s*\(")
_DECODER = json.JSONDecoder()


class _Compile(Exception):
    pass


class _ApiCall:
    def __init__(self, name: str, params: dict[str, Any]) -> None:
        self.name = name
        self.params = params


def _skip(code: str, pos: int) -> int:
    while pos < len(code) and code[pos].isspace():
        pos += 1
    return pos


def _expr(code: str, pos: int) -> tuple[Any, int]:
    pos = _skip(code, pos)
    if code.startswith("[", pos):
        items: list[Any] = []
        pos = _skip(code, pos + 1)
        while not code.startswith("]", pos):
            item, pos = _expr(code, pos)
            items.append(item)
            pos = _skip(code, pos)
            if code.startswith(",", pos):
                pos = _skip(code, pos + 1)
            elif not code.startswith("]", pos):
                raise _Compile("expected , or ]")
        return items, pos + 1
    match = _CALL_RE.match(code, pos)
    if match:
        pos = _skip(code, match.end())
        params: Any = {}
        if not code.startswith(")", pos):
            try:
                params, pos = _DECODER.raw_decode(code, pos)
            except ValueError:
                raise _Compile("arguments must be a JSON object") from None
            if not isinstance(params, dict):
                raise _Compile("arguments must be an object")
            pos = _skip(code, pos)
        if not code.startswith(")", pos):
            raise _Compile("expected )")
        return _ApiCall(f"{match.group(1)}.{match.group(2)}", params), pos + 1
    try:
        return _DECODER.raw_decode(code, pos)
    except ValueError:
        raise _Compile(f"unexpected token at {pos}") from None


def compile_code(code: str) -> Any:
    """The returned expression tree; raises error 12 for code outside the subset."""
    pos = _skip(code, 0)
    if not code.startswith("return", pos) or not code[pos + 6 : pos + 7].isspace() and code[pos + 6 : pos + 7] != "[":
        raise VkError(12, "Unable to compile code: return statement expected")
    try:
        tree, pos = _expr(code, pos + 6)
    except _Compile as exc:
        raise VkError(12, f"Unable to compile code: {exc}") from None
    pos = _skip(code, pos)
    if code.startswith(";", pos):
        pos = _skip(code, pos + 1)
    if pos != len(code):
        raise VkError(12, "Unable to compile code: only one return statement is supported")
    return tree


def _count(tree: Any) -> int:
    if isinstance(tree, _ApiCall):
        return 1
    if isinstance(tree, list):
        return sum(_count(item) for item in tree)
    return 0


@method("execute", ("user", "community"))
def execute(call: Call) -> ExecuteResult:
    code = call.params.str("code", required=True)
    if code is None:
        raise missing("code")
    tree = compile_code(code)
    if _count(tree) > MAX_CALLS:
        raise VkError(13, "Runtime error occurred during code invocation: Too many API calls")
    failures: list[dict[str, Any]] = []

    def run(node: Any) -> Any:
        if isinstance(node, list):
            return [run(item) for item in node]
        if not isinstance(node, _ApiCall):
            return node
        data = {str(k): to_param(v) for k, v in node.params.items()}
        try:
            if node.name == "execute":
                raise VkError(3, "Unknown method passed")
            result = invoke(call.vk, call.token, node.name, data, call.v, call.base_url)
        except VkError as exc:
            failures.append(exc.short(node.name))
            return False
        return result.response if isinstance(result, ExecuteResult) else result

    response = run(tree)
    if failures:
        failures.append({**failures[-1], "method": "execute"})
    return ExecuteResult(response, failures)
