"""The VKScript subset the sandbox runs in ``execute``: what clients send, nothing more.

VKScript is a JavaScript-like language (dev.vk.ru/ru/method/execute). The subset covers the two shapes clients
generate: the batch ``return [API.a.b({...}), ...];`` (vk_api's ``requests_pool``, our hook) and the paging loop of
vk_api's ``VkTools.get_all`` (``var`` lists, ``while``/``if``/``else``, assignments to variables and object
fields, ``== != < <= > >= && || ! ?:``, ``+ - * / %`` with ``+`` joining arrays and texts, ``.length``,
``.slice(a, b)``, ``.push(x)``, object and array literals with quoted or bare keys, ``null``/``true``/``false``,
``return``; a name must be declared with ``var`` before it is used). Anything else (functions, ``for``, ``@.``,
``Args``, other methods) answers error 12 as VK answers code it cannot compile; a run that makes more than 25
API calls or more than :data:`MAX_STEPS` steps answers error 13.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .errors import VkError

MAX_STEPS = 10_000
COMPILE = "Unable to compile code"
_TOKEN_RE = re.compile(r"""\s+|(?P<num>\d+(?:\.\d+)?)|(?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
                       r"""|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op>==|!=|<=|>=|&&|\|\||[-+*/%<>!=?:.,;(){}\[\]])""")
_METHODS = {"slice", "push"}
_KEYWORDS = {"var", "while", "if", "else", "return", "null", "true", "false"}


class _Compile(Exception):
    pass


@dataclass
class Program:
    """A compiled script: run it with the function that makes one API call."""

    body: list[Callable[[_Run], None]]
    api_calls: int  # call sites in the text
    loops: bool

    def run(self, call_api: Callable[[str, dict[str, Any]], Any]) -> Any:
        state = _Run(call_api)
        try:
            for statement in self.body:
                statement(state)
        except _Return as done:
            return done.value
        return None


class _Return(Exception):  # noqa: N818 - control flow, not an error
    def __init__(self, value: Any) -> None:
        self.value = value


class _Run:
    def __init__(self, call_api: Callable[[str, dict[str, Any]], Any]) -> None:
        self.vars: dict[str, Any] = {}
        self.call_api = call_api
        self.calls = 0
        self.steps = 0

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_STEPS:
            raise VkError(13, "Runtime error occurred during code invocation: Too many operations")


def tokenize(code: str) -> list[tuple[str, str]]:
    tokens, pos = [], 0
    while pos < len(code):
        match = _TOKEN_RE.match(code, pos)
        if match is None:
            raise VkError(12, f"{COMPILE}: unexpected character {code[pos]!r} at {pos}")
        pos = match.end()
        kind = match.lastgroup
        if kind is not None:
            tokens.append((kind, match.group()))
    return tokens


def _truthy(value: Any) -> bool:
    if isinstance(value, (list, dict)):
        return True  # as in JavaScript, an empty array or object is true
    return value not in (None, False, 0, "")


def _number(value: Any) -> float | int:
    if value is None or value is False:
        return 0
    if value is True:
        return 1
    if isinstance(value, (int, float)):
        return value
    raise VkError(13, f"Runtime error occurred during code invocation: {type(value).__name__} is not a number")


def _tidy(value: float | int) -> float | int:
    return int(value) if isinstance(value, float) and value.is_integer() else value


def _plus(left: Any, right: Any) -> Any:
    if isinstance(left, list) and isinstance(right, list):
        return left + right
    if isinstance(left, str) or isinstance(right, str):
        return f"{'' if left is None else left}{'' if right is None else right}"
    return _tidy(_number(left) + _number(right))


def _divide(left: Any, right: Any) -> Any:
    divisor = _number(right)
    if divisor == 0:
        raise VkError(13, "Runtime error occurred during code invocation: division by zero")
    return _tidy(_number(left) / divisor)


_BINARY: dict[str, Callable[[Any, Any], Any]] = {
    "+": _plus,
    "-": lambda a, b: _tidy(_number(a) - _number(b)),
    "*": lambda a, b: _tidy(_number(a) * _number(b)),
    "/": _divide,
    "%": lambda a, b: _tidy(_number(a) % _number(b)) if _number(b) else 0,
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: _number(a) < _number(b),
    "<=": lambda a, b: _number(a) <= _number(b),
    ">": lambda a, b: _number(a) > _number(b),
    ">=": lambda a, b: _number(a) >= _number(b),
}
_LEVELS = [("==", "!="), ("<", "<=", ">", ">="), ("+", "-"), ("*", "/", "%")]

Expr = Callable[[_Run], Any]


def _member(target: Any, name: str) -> Any:
    if isinstance(target, dict):
        return target.get(name)
    if name == "length" and isinstance(target, (list, str)):
        return len(target)
    return None


def _method(target: Any, name: str, args: list[Any]) -> Any:
    if not isinstance(target, list):
        raise VkError(13, f"Runtime error occurred during code invocation: {name} of a non-array")
    if name == "push":
        target.extend(args)
        return len(target)
    start = int(_number(args[0])) if args else 0
    end = int(_number(args[1])) if len(args) > 1 else None
    return target[start:end]


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.api_calls = 0
        self.loops = False
        self.declared: set[str] = set()

    def peek(self, offset: int = 0) -> str:
        index = self.pos + offset
        return self.tokens[index][1] if index < len(self.tokens) else ""

    def take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Compile("unexpected end of code")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise _Compile(f"expected {expected!r}, got {token[1]!r}")
        self.pos += 1
        return token

    def name(self) -> str:
        kind, text = self.take()
        if kind != "name" or text in _KEYWORDS:
            raise _Compile(f"expected a name, got {text!r}")
        return text

    # -------------------------------------------------------------- statements
    def program(self) -> list[Callable[[_Run], None]]:
        body = []
        while self.pos < len(self.tokens):
            body.append(self.statement())
        return body

    def block(self) -> list[Callable[[_Run], None]]:
        if self.peek() != "{":
            return [self.statement()]
        self.take("{")
        body = []
        while self.peek() != "}":
            body.append(self.statement())
        self.take("}")
        if self.peek() == ";":
            self.take()
        return body

    def statement(self) -> Callable[[_Run], None]:
        word = self.peek()
        if word == "var":
            self.take()
            decls = [self.declaration()]
            while self.peek() == ",":
                self.take()
                decls.append(self.declaration())
            self.end()

            def declare(run: _Run) -> None:
                for name, value in decls:
                    run.step()
                    run.vars[name] = value(run) if value is not None else None
            return declare
        if word == "while":
            self.take()
            self.loops = True
            condition, body = self.condition(), self.block()

            def loop(run: _Run) -> None:
                while _truthy(condition(run)):
                    run.step()
                    for statement in body:
                        statement(run)
            return loop
        if word == "if":
            self.take()
            condition, then = self.condition(), self.block()
            otherwise: list[Callable[[_Run], None]] = []
            if self.peek() == "else":
                self.take()
                otherwise = self.block()

            def branch(run: _Run) -> None:
                run.step()
                for statement in then if _truthy(condition(run)) else otherwise:
                    statement(run)
            return branch
        if word == "return":
            self.take()
            value = self.expression()
            self.end()

            def give(run: _Run) -> None:
                raise _Return(value(run))
            return give
        if self.peek(1) == "=" or (self.peek(1) == "." and self.peek(3) == "="):
            return self.assignment()
        effect = self.expression()  # a call made for its effect: API.x(...); or list.push(...);
        self.end()

        def evaluate(run: _Run) -> None:
            run.step()
            effect(run)
        return evaluate

    def declaration(self) -> tuple[str, Expr | None]:
        name = self.name()
        self.declared.add(name)
        if self.peek() == "=":
            self.take()
            return name, self.expression()
        return name, None

    def known(self, name: str) -> str:
        if name not in self.declared:
            raise _Compile(f"{name} is not defined")
        return name

    def condition(self) -> Expr:
        self.take("(")
        value = self.expression()
        self.take(")")
        return value

    def end(self) -> None:
        if self.peek() == ";":
            self.take()
        elif self.peek() not in ("}", ""):
            raise _Compile(f"expected ';', got {self.peek()!r}")

    def assignment(self) -> Callable[[_Run], None]:
        name = self.known(self.name())
        field = None
        if self.peek() == ".":
            self.take()
            field = self.name()
        self.take("=")
        value = self.expression()
        self.end()

        def assign(run: _Run) -> None:
            run.step()
            result = value(run)
            if field is None:
                run.vars[name] = result
            elif isinstance(run.vars.get(name), dict):
                run.vars[name][field] = result
            else:
                raise VkError(13, f"Runtime error occurred during code invocation: {name} is not an object")
        return assign

    # -------------------------------------------------------------- expressions
    def expression(self) -> Expr:
        test = self.logical("||")
        if self.peek() != "?":
            return test
        self.take()
        yes = self.expression()
        self.take(":")
        no = self.expression()
        return lambda run: yes(run) if _truthy(test(run)) else no(run)

    def logical(self, op: str) -> Expr:
        inner = (lambda: self.logical("&&")) if op == "||" else (lambda: self.binary(0))
        left = inner()
        while self.peek() == op:
            self.take()
            left = _either(left, inner()) if op == "||" else _both(left, inner())
        return left

    def binary(self, level: int) -> Expr:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while self.peek() in _LEVELS[level]:
            op = _BINARY[self.take()[1]]
            left = _apply(op, left, self.binary(level + 1))
        return left

    def unary(self) -> Expr:
        if self.peek() == "!":
            self.take()
            inner = self.unary()
            return lambda run: not _truthy(inner(run))
        if self.peek() == "-":
            self.take()
            inner = self.unary()
            return lambda run: _tidy(-_number(inner(run)))
        return self.postfix(self.primary())

    def postfix(self, value: Expr) -> Expr:
        while self.peek() in (".", "["):
            if self.take()[1] == "[":
                index = self.expression()
                self.take("]")
                value = _apply(_index, value, index)
                continue
            name = self.name()
            if self.peek() == "(":
                if name not in _METHODS:
                    raise _Compile(f"unknown method {name}")
                value = _call_method(value, name, self.arguments())
            else:
                value = _get_member(value, name)
        return value

    def arguments(self) -> list[Expr]:
        self.take("(")
        return self.listed(")")

    def listed(self, close: str) -> list[Expr]:
        """Comma-separated expressions up to ``close`` (taken); a trailing comma is allowed."""
        values = []
        while self.peek() != close:
            values.append(self.expression())
            if self.peek() == ",":
                self.take()
            elif self.peek() != close:
                raise _Compile(f"expected ',' or {close!r}, got {self.peek()!r}")
        self.take(close)
        return values

    def primary(self) -> Expr:
        kind, text = self.take()
        if kind == "num":
            number = _tidy(float(text))
            return lambda run: number
        if kind == "str":
            literal = json.loads(text if text.startswith('"') else '"' + text[1:-1].replace('"', '\\"') + '"')
            return lambda run: literal
        if text in ("null", "true", "false"):
            constant = {"null": None, "true": True, "false": False}[text]
            return lambda run: constant
        if text == "API":
            return self.api_call()
        if kind == "name" and text not in _KEYWORDS:
            name = self.known(text)
            return lambda run: run.vars.get(name)
        if text == "(":
            inner = self.expression()
            self.take(")")
            return inner
        if text == "[":
            items = self.listed("]")
            return lambda run: [item(run) for item in items]
        if text == "{":
            return self.object_literal()
        raise _Compile(f"unexpected {text!r}")

    def object_literal(self) -> Expr:
        fields: list[tuple[str, Expr]] = []
        while self.peek() != "}":
            kind, key = self.take()
            if kind == "str":
                key = json.loads(key) if key.startswith('"') else key[1:-1]
            elif kind != "name":
                raise _Compile(f"expected a key, got {key!r}")
            self.take(":")
            fields.append((key, self.expression()))
            if self.peek() == ",":
                self.take()
            elif self.peek() != "}":
                raise _Compile(f"expected ',' or '}}', got {self.peek()!r}")
        self.take("}")
        return lambda run: {key: value(run) for key, value in fields}

    def api_call(self) -> Expr:
        self.take(".")
        section = self.name()
        self.take(".")
        method = f"{section}.{self.name()}"
        args = self.arguments()
        if len(args) > 1:
            raise _Compile(f"API.{method} takes one object of parameters")
        self.api_calls += 1

        def call(run: _Run) -> Any:
            run.calls += 1
            if run.calls > 25:
                raise VkError(13, "Runtime error occurred during code invocation: Too many API calls")
            params = args[0](run) if args else {}
            if not isinstance(params, dict):
                raise VkError(13, f"Runtime error occurred during code invocation: API.{method} takes an object")
            return run.call_api(method, params)
        return call


def _either(first: Expr, second: Expr) -> Expr:
    def run_or(run: _Run) -> Any:
        value = first(run)
        return value if _truthy(value) else second(run)
    return run_or


def _both(first: Expr, second: Expr) -> Expr:
    def run_and(run: _Run) -> Any:
        value = first(run)
        return second(run) if _truthy(value) else value
    return run_and


def _apply(op: Callable[[Any, Any], Any], left: Expr, right: Expr) -> Expr:
    return lambda run: op(left(run), right(run))


def _call_method(target: Expr, name: str, args: list[Expr]) -> Expr:
    return lambda run: _method(target(run), name, [arg(run) for arg in args])


def _get_member(target: Expr, name: str) -> Expr:
    return lambda run: _member(target(run), name)


def _index(target: Any, key: Any) -> Any:
    if isinstance(target, list) and isinstance(key, int) and not isinstance(key, bool):
        return target[key] if 0 <= key < len(target) else None
    if isinstance(target, dict):
        return target.get(str(key))
    return None


def compile_script(code: str) -> Program:
    """The compiled script, or error 12 for code outside the subset (or without a ``return``)."""
    parser = _Parser(tokenize(code))
    try:
        body = parser.program()
    except _Compile as exc:
        raise VkError(12, f"{COMPILE}: {exc}") from None
    if "return" not in (text for _, text in parser.tokens):
        raise VkError(12, f"{COMPILE}: return statement expected")
    return Program(body, parser.api_calls, parser.loops)


__all__ = ["MAX_STEPS", "Program", "compile_script"]
