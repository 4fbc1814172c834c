"""Endpoint wrapper: authenticate, count against the rate windows (15-minute, and the 24-hour caps of the app and
the user), ``x-rate-limit-*`` on every answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from .records import Principal
from .responses import _Reject, forbidden, problem, v1_error
from .state import TwitterState, _service

if TYPE_CHECKING:
    from ..state import SandboxState


Handler = Callable[[TwitterState, Request, bytes, Principal], Awaitable[Response]]

SCOPES_POST = frozenset({"tweet.read", "tweet.write", "users.read"})
SCOPES_READ = frozenset({"tweet.read", "users.read"})
SCOPES_MEDIA = frozenset({"media.write"})



def _endpoint(state: SandboxState, group: str, scopes: frozenset[str], handler: Handler, *, v1: bool = False):
    """Wrap a handler: authenticate, count against the rate windows, add x-rate-limit-* headers to every answer
    (and the 24-hour caps' headers, :mod:`.daily`)."""

    async def route(request: Request) -> Response:
        service = _service(state)
        body = await request.body()
        principal = service.authenticate(request, body, v1=v1)
        if isinstance(principal, Response):
            key = f"anon:{request.client.host if request.client else '-'}"
        else:
            key = f"user:{principal.user_id}"
        allowed, headers = service.hit(group, key)
        if allowed and not isinstance(principal, Response):
            # The 24-hour caps of the app (every user and token of it) and of the user; a request the 15-minute
            # window refused is not counted in them.
            allowed, daily = service.daily.hit(group, principal.app, principal.user_id)
            headers |= daily
        if isinstance(principal, Response):
            response = principal
        elif not allowed:
            response = (v1_error(429, 88, "Rate limit exceeded") if v1
                        else problem(429, "Too Many Requests", "Too Many Requests"))
        elif principal.kind == "oauth2" and not scopes <= principal.scopes:
            missing = " ".join(sorted(scopes - principal.scopes))
            response = forbidden(f"The access token lacks the scope(s) {missing} this endpoint requires.")
        else:
            try:
                response = await handler(service, request, body, principal)
            except _Reject as reject:
                response = reject.response
            if 200 <= response.status_code < 300:
                service.billing.bill(group, service.clock.now(), getattr(response, "body", b""),
                                     has_link=group == "tweets_create" and _posted_link(body))
        response.headers.update(headers)
        return response

    return route



def _posted_link(body: bytes) -> bool:
    """Whether a created post's text holds a link (X's "Content: Create (with URL)")."""
    import json

    from airflow_provider_social.hooks.twitter.weighted_text import link_spans

    try:
        text = json.loads(body or b"{}").get("text")
    except (ValueError, AttributeError):
        return False
    return isinstance(text, str) and bool(link_spans(text))


def _limit_headers_everywhere(state: SandboxState, app: Router):
    """Answers that no endpoint produced (unknown path 404, wrong method 405) get ``x-rate-limit-*`` too."""

    async def wrapped(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return

        async def send_with_limits(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(k.lower() == b"x-rate-limit-limit" for k, _ in headers):
                    client = scope.get("client") or ("-", 0)
                    _, limits = _service(state).hit("other", f"anon:{client[0]}")
                    headers += [(k.encode(), v.encode()) for k, v in limits.items()]
                    message = {**message, "headers": headers}
            await send(message)

        try:
            await app(scope, receive, send_with_limits)
        except HTTPException as exc:  # Starlette raises 404/405 for the outer app to render; render it here
            await PlainTextResponse(str(exc.detail), exc.status_code, headers=exc.headers)(
                scope, receive, send_with_limits
            )

    return wrapped
