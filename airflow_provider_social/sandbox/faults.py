"""Fault injection: canned error answers and connections dropped mid-request.

Rules are matched by an ASGI middleware *before* the service sees the request, and each match consumes one of
the rule's ``times``. Three actions:

``status``
    answer with ``status``/``headers``/``body`` instead of the service (5xx, 429 + Retry-After, ...).
``drop``
    read ``drop_after_bytes`` of the request body, send the response head and then abort, so the client sees
    the connection die mid-response. With uvicorn + ``requests`` this surfaces as
    ``requests.exceptions.ChunkedEncodingError`` when the client managed to send its whole body (the head
    arrived, the declared body never did), or ``requests.exceptions.ConnectionError`` when the server hung
    up while the client was still uploading (the socket is reset under it). Both are subclasses of
    ``requests.exceptions.RequestException``; neither is ever a successful response.
``lose_answer``
    let the service handle the request in full (a post is created, an upload finalized), then drop the
    connection after the response head: the client cannot know its request took effect. This is the case
    no-double-post and non-idempotent protocol steps must survive.
"""

from __future__ import annotations

import itertools
import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

ACTIONS = ("status", "drop", "lose_answer")


class SandboxConnectionDrop(Exception):
    """Raised inside the ASGI app after the response head is sent; uvicorn then closes the socket."""


@dataclass
class FaultRule:
    id: str
    service: str = "*"
    method: str | None = None
    path_contains: str | None = None
    times: int = 1
    action: str = "status"
    status: int = 503
    headers: dict[str, str] = field(default_factory=dict)
    body: Any = None
    drop_after_bytes: int = 0

    @classmethod
    def from_dict(cls, rule_id: str, data: dict[str, Any]) -> FaultRule:
        """Build a rule from control-API JSON; raises ValueError on anything malformed."""
        known = {f for f in cls.__dataclass_fields__ if f != "id"}
        unknown = set(data) - known - {"id"}
        if unknown:
            raise ValueError(f"unknown fault rule fields: {sorted(unknown)}")
        rule = cls(id=str(data.get("id") or rule_id), **{k: v for k, v in data.items() if k in known})
        if rule.action not in ACTIONS:
            raise ValueError(f"action must be one of {ACTIONS}")
        if not isinstance(rule.times, int) or rule.times < 1:
            raise ValueError("times must be a positive integer")
        if not isinstance(rule.status, int) or not 100 <= rule.status <= 599:
            raise ValueError("status must be an HTTP status code")
        if not isinstance(rule.drop_after_bytes, int) or rule.drop_after_bytes < 0:
            raise ValueError("drop_after_bytes must be a non-negative integer")
        if not isinstance(rule.headers, dict):
            raise ValueError("headers must be an object")
        rule.headers = {str(k): str(v) for k, v in rule.headers.items()}
        rule.service = normalise_service(rule.service)
        rule.method = rule.method.upper() if rule.method else None
        return rule

    def matches(self, service: str | None, method: str, path: str) -> bool:
        if self.service != "*" and self.service != service:
            return False
        if self.method and self.method != method.upper():
            return False
        return not (self.path_contains and self.path_contains not in path)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def normalise_service(name: str) -> str:
    # Accept both the service name ("yandex_disk") and its URL prefix ("/yandex-disk").
    return name.strip("/").replace("-", "_") or "*"


class FaultInjector:
    """Thread-safe list of rules; ``take`` finds the first matching rule and consumes one use of it."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._ids = itertools.count(1)

    def add(self, data: dict[str, Any]) -> FaultRule:
        with self._lock:
            rule = FaultRule.from_dict(f"fault-{next(self._ids)}", data)
            self._rules.append(rule)
            return rule

    def list(self) -> list[dict[str, Any]]:
        with self._lock:
            return [r.to_dict() for r in self._rules]

    def clear(self) -> None:
        with self._lock:
            self._rules.clear()

    def take(self, service: str | None, method: str, path: str) -> FaultRule | None:
        with self._lock:
            for rule in self._rules:
                if rule.matches(service, method, path):
                    rule.times -= 1
                    if rule.times <= 0:
                        self._rules.remove(rule)
                    return rule
        return None


class FaultMiddleware:
    """ASGI middleware applying :class:`FaultInjector` rules ahead of the services.

    ``resolve_service`` maps a request path to a service name, or None for paths that must never be faulted
    (the control API).
    """

    def __init__(self, app: ASGIApp, injector: FaultInjector, resolve_service: Callable[[str], str | None]) -> None:
        self.app = app
        self.injector = injector
        self.resolve_service = resolve_service

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        service = self.resolve_service(path)
        rule = self.injector.take(service, scope["method"], path) if service else None
        if rule is None:
            await self.app(scope, receive, send)
        elif rule.action == "drop":
            await self._drop(rule, receive, send)
        elif rule.action == "lose_answer":
            await self._lose_answer(rule, scope, receive, send)
        else:
            await self._answer(rule, receive, send)

    async def _answer(self, rule: FaultRule, receive: Receive, send: Send) -> None:
        await _drain(receive, limit=None)  # leave the connection reusable for keep-alive clients
        if rule.body is None:
            body, ctype = b"", None
        elif isinstance(rule.body, str):
            body, ctype = rule.body.encode(), "text/plain; charset=utf-8"
        else:
            body, ctype = json.dumps(rule.body, ensure_ascii=False, separators=(",", ":")).encode(), "application/json"
        headers = {k.lower(): v for k, v in rule.headers.items()}
        if ctype and "content-type" not in headers:
            headers["content-type"] = ctype
        headers["content-length"] = str(len(body))
        raw = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in headers.items()]
        await send({"type": "http.response.start", "status": rule.status, "headers": raw})
        await send({"type": "http.response.body", "body": body})

    async def _drop(self, rule: FaultRule, receive: Receive, send: Send) -> None:
        await _drain(receive, limit=rule.drop_after_bytes)
        # A declared but never-delivered body guarantees the client cannot mistake this for a complete answer.
        headers = [(b"content-type", b"application/json"), (b"content-length", b"1048576")]
        await send({"type": "http.response.start", "status": rule.status, "headers": headers})
        raise SandboxConnectionDrop(f"fault {rule.id}: connection dropped")


    async def _lose_answer(self, rule: FaultRule, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_head_only(message: Message) -> None:
            if message["type"] == "http.response.start":
                # The real head, but a body that never comes: the client sees the connection die.
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"content-length"]
                await send({**message, "headers": [*headers, (b"content-length", b"1048576")]})
            elif message["type"] == "http.response.body" and not message.get("more_body", False):
                raise SandboxConnectionDrop(f"fault {rule.id}: answer lost after the service acted")

        await self.app(scope, receive, send_head_only)


async def _drain(receive: Receive, limit: int | None) -> int:
    """Read the request body until it ends or ``limit`` bytes were seen; returns the byte count."""
    seen = 0
    while limit is None or seen < limit:
        message: Message = await receive()
        if message["type"] != "http.request":
            break
        seen += len(message.get("body", b""))
        if not message.get("more_body", False):
            break
    return seen


class _HideDropTracebacks(logging.Filter):
    """uvicorn logs every app exception with a traceback; an injected drop is expected, not an error."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not (record.exc_info and isinstance(record.exc_info[1], SandboxConnectionDrop))


def quiet_drop_logs() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(f, _HideDropTracebacks) for f in logger.filters):
        logger.addFilter(_HideDropTracebacks())
