"""The terminal side of the authorization-code flow (``core/authflow.py``): print the authorize URL, then either
serve the loopback redirect URI once or ask the user to paste the URL the browser landed on. Used by every
``airflow social auth <service>`` command whose service declares an :class:`AuthCodeConfig`."""

from __future__ import annotations

import html
import queue
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from airflow_provider_social.core.authflow import AuthCodeFlow, AuthorizationFlowError
from airflow_provider_social.core.loopback import is_loopback_http

if TYPE_CHECKING:
    from airflow_provider_social.core.tokens import TokenSet

# What the user can do next, after the core flow's reason for refusing the answer.
_NEXT_STEP = {
    "state": "; run the command again",
    "spent": "; run the command again",
    "no_code": "; paste the whole URL, including ?state=...&code=...",
    "missing_param": "; paste the whole URL the browser was sent to",
    "exchange": "; run the command again and return to the terminal promptly",
}


def serve_callback(redirect_uri: str, timeout: float, *, title: str = "Authorisation") -> tuple[Any, Any, Any]:
    """A one-shot HTTP server on the loopback redirect URI. Returns (server, received queue, reply queue).

    Each GET of the redirect path puts its query parameters on ``received`` and answers the browser with the
    first (status, message) put on ``replies``. Requests are never logged: the query carries the code.
    """
    import http.server
    import threading

    parts = urlsplit(redirect_uri)
    received: queue.Queue[dict[str, str]] = queue.Queue()
    replies: queue.Queue[tuple[int, str]] = queue.Queue()
    page_title = html.escape(title)

    class Callback(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            url = urlsplit(self.path)
            if url.path != (parts.path or "/"):
                self.send_error(404)
                return
            received.put({k: v[0] for k, v in parse_qs(url.query).items()})
            try:
                status, message = replies.get(timeout=60)
            except queue.Empty:
                status, message = 500, "The command did not answer in time; check the terminal."
            body = f"<!doctype html><title>{page_title}</title><p>{html.escape(message)}</p>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # the query carries the code: never log it
            return

    host = (parts.hostname or "127.0.0.1").strip("[]")
    server_class = http.server.HTTPServer
    if ":" in host:  # an IPv6 literal such as [::1]
        import socket

        class _V6(http.server.HTTPServer):
            address_family = socket.AF_INET6

        server_class = _V6
    server = server_class((host, parts.port or 80), Callback)
    server.timeout = timeout
    threading.Thread(target=server.serve_forever, name="auth-callback", daemon=True).start()
    return server, received, replies


def authorize_in_terminal(
    flow: AuthCodeFlow,
    *,
    paste: bool,
    timeout: float,
    announce: Callable[[str], Any] = print,
    read_line: Callable[[str], str] = input,
) -> TokenSet:
    """Run ``flow`` from a terminal; every refusal becomes ``SystemExit`` with what to do next.

    The redirect URI is served when it is a loopback ``http://`` URI (unless ``paste``); otherwise the user pastes
    the URL the browser landed on. The code is exchanged as soon as the answer arrives (some codes live seconds).
    """
    url, pending = flow.start()
    redirect_uri = flow.redirect_uri
    listen = not paste and is_loopback_http(redirect_uri)
    server = replies = None
    if listen:
        try:
            server, received, replies = serve_callback(redirect_uri, timeout, title=f"{flow.service} authorisation")
        except OSError as exc:
            raise SystemExit(f"--redirect-uri: cannot listen on {urlsplit(redirect_uri).netloc} ({exc}); free the "
                             "port or use --paste") from None
    announce(f"Open this URL in a browser, sign in to {flow.service} and allow access:\n{url}")
    try:
        if listen:
            announce(f"Waiting up to {timeout} s for the browser to return to {redirect_uri} ...")
            try:
                params = received.get(timeout=timeout)
            except queue.Empty:
                raise SystemExit(f"no answer at {redirect_uri} within {timeout} s; run the command again") from None
            answer: dict[str, Any] = {"params": params}
        else:
            answer = {"redirect_url": read_line("Paste the full URL the browser was sent to: ").strip()}
        try:
            tokens = flow.finish(pending, **answer)
        except AuthorizationFlowError as exc:
            message = exc.api_message + _NEXT_STEP.get(exc.reason, "")
            if replies is not None:
                replies.put((400, message))
            raise SystemExit(message) from None
        if replies is not None:
            replies.put((200, "Authorised. You can close this tab and return to the terminal."))
        return tokens
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
