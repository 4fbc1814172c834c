"""Implementations of ``airflow social ...`` (argument parsing lives in definition.py)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from airflow_provider_social.cli.connections import env_line, upsert_connection


def _emit_connections(conns: dict[str, dict[str, Any]], *, write: bool, print_lines: bool) -> None:
    for conn_id, conn in conns.items():
        if write:
            created = upsert_connection(
                conn_id, conn["conn_type"], password=conn.get("password"), extra=conn.get("extra")
            )
            print(f"{'created' if created else 'updated'} connection {conn_id}", file=sys.stderr)
        if print_lines:
            print(env_line(conn_id, conn))


def sandbox(args: argparse.Namespace) -> None:
    """Run the sandbox in the foreground until interrupted."""
    from airflow_provider_social.sandbox.connections import sandbox_connections
    from airflow_provider_social.sandbox.server import is_loopback, run_in_thread

    if not is_loopback(args.host):
        raise SystemExit(f"--host {args.host}: the sandbox has no authentication; listen on loopback only")
    running = run_in_thread(args.host, args.port)
    print(f"SANDBOX_URL={running.base_url}", flush=True)
    if args.print_connections or args.write_connections:
        conns = sandbox_connections(running.base_url, running.control)
        _emit_connections(conns, write=args.write_connections, print_lines=args.print_connections)
    sys.stdout.flush()
    try:
        while running._thread.is_alive():
            running._thread.join(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        running.stop()


def sandbox_connections(args: argparse.Namespace) -> None:
    """Print (and optionally write) connections for a sandbox that is already running."""
    from airflow_provider_social.sandbox.connections import sandbox_connections as build
    from airflow_provider_social.sandbox.control import SandboxControl

    url = args.url.rstrip("/")
    conns = build(url, SandboxControl(url))
    _emit_connections(conns, write=args.write_connections, print_lines=True)


def _existing_extra(conn_id: str) -> tuple[str | None, dict[str, Any]]:
    """The connection's type and extras, from the secrets backends *and the metadata database*.

    Outside a task the Task SDK's ``BaseHook.get_connection`` does not read the database, so a connection created
    in the UI would look missing (its client credentials and base URLs silently ignored). The CLI has database
    access: ``Connection.get_connection_from_secrets`` searches env vars, secrets backends and the metastore.
    """
    conn: Any
    try:
        from airflow.models.connection import Connection

        conn = Connection.get_connection_from_secrets(conn_id)
    except Exception:
        try:
            from airflow.sdk import BaseHook

            conn = BaseHook.get_connection(conn_id)
        except Exception:
            return None, {}
    return conn.conn_type, dict(conn.extra_dejson or {})


def auth_yandex(args: argparse.Namespace, *, sleep=time.sleep) -> None:
    """Yandex ID device-code flow: show the code, wait for approval, save the tokens into the connection."""
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

    conn_type, extra = _existing_extra(args.conn_id)
    client_id = args.client_id or extra.get("client_id")
    client_secret = args.client_secret or extra.get("client_secret")
    if not client_id or not client_secret:
        raise SystemExit(
            f"--client-id/--client-secret: connection {args.conn_id!r} has no client_id/client_secret; pass them "
            "(ClientID and Client secret from your app page at https://oauth.yandex.ru/)"
        )
    hook = YandexDiskHook.for_authorization(
        conn_id=args.conn_id,
        client_id=client_id,
        client_secret=client_secret,
        oauth_base_url=extra.get("oauth_base_url"),
        sleep=sleep,
    )

    def show(device: Any) -> None:
        print(
            f"Open {device.verification_url} and enter the code {device.user_code} "
            f"(valid for {int(device.expires_in)} s). Waiting for approval...",
            flush=True,
        )

    tokens = hook.authorize_device(on_code=show)
    new_extra = {**extra, "client_id": client_id, "client_secret": client_secret,
                 "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at}
    _save_authorised(args, conn_type or YandexDiskHook.conn_type, new_extra, password=tokens.access_token)


def _save_authorised(
    args: argparse.Namespace, conn_type: str, extra: dict[str, Any], *, password: str | None = None, announce=print
) -> None:
    """Write the new tokens into the connection, or with ``--print-only`` print its AIRFLOW_CONN_* line."""
    extra = {k: v for k, v in extra.items() if v is not None}
    if args.print_only:
        conn: dict[str, Any] = {"conn_type": conn_type, "extra": extra}
        if password is not None:
            conn["password"] = password
        announce(env_line(args.conn_id, conn))
        return
    created = upsert_connection(args.conn_id, conn_type, password=password, extra=extra)
    announce(f"Authorised. {'Created' if created else 'Updated'} connection {args.conn_id!r} with new tokens.")


def _serve_callback(redirect_uri: str, timeout: float) -> tuple[Any, Any, Any]:
    """A one-shot HTTP server on the loopback redirect URI. Returns (server, received queue, reply queue)."""
    import http.server
    import queue
    import threading
    from urllib.parse import parse_qs, urlsplit

    parts = urlsplit(redirect_uri)
    received: queue.Queue[dict[str, str]] = queue.Queue()
    replies: queue.Queue[tuple[int, str]] = queue.Queue()

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
            body = f"<!doctype html><title>X authorisation</title><p>{message}</p>".encode()
            self.send_response(status)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # the query carries the code: never log it
            return

    server = http.server.HTTPServer((parts.hostname or "127.0.0.1", parts.port or 80), Callback)
    server.timeout = timeout
    threading.Thread(target=server.serve_forever, name="x-auth-callback", daemon=True).start()
    return server, received, replies


def auth_twitter(args: argparse.Namespace, *, announce=print, read_line=input) -> None:
    """X OAuth 2.0 authorization code flow with PKCE (S256) and a random state; writes the tokens.

    The authorize URL is printed; the browser comes back to the redirect URI, which this command serves when it is
    a loopback ``http://`` URI (else, or with ``--paste``, the user pastes the URL the browser landed on). The
    ``state`` is checked, then the code is exchanged at once: X codes live 30 seconds.
    """
    import secrets
    from urllib.parse import parse_qs, quote, urlencode, urlsplit

    from airflow_provider_social.core.errors import SocialApiError
    from airflow_provider_social.core.oauth import new_state, pkce_pair
    from airflow_provider_social.hooks.twitter import DEFAULT_SCOPES, TwitterHook

    def is_loopback(host: str) -> bool:
        import ipaddress

        try:
            return host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    conn_type, extra = _existing_extra(args.conn_id)
    client_id = args.client_id or extra.get("client_id")
    if not client_id:
        raise SystemExit(
            f"--client-id: connection {args.conn_id!r} has no client_id; pass it (developer portal -> your app -> "
            "Keys and tokens -> OAuth 2.0 Client ID and Client Secret)"
        )
    client_secret = args.client_secret or extra.get("client_secret") or None
    redirect_uri = args.redirect_uri or extra.get("redirect_uri") or "http://127.0.0.1:8765/callback"
    scope = " ".join((args.scope or extra.get("scope") or DEFAULT_SCOPES).split())
    authorize_url = extra.get("authorize_url") or TwitterHook.default_endpoints["authorize_url"]
    hook = TwitterHook.for_authorization(conn_id=args.conn_id, client_id=client_id, client_secret=client_secret,
                                         api_base_url=extra.get("api_base_url"))
    verifier, challenge = pkce_pair("S256")
    state = new_state()
    query = urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": redirect_uri, "scope": scope,
         "state": state, "code_challenge": challenge, "code_challenge_method": "S256"},
        quote_via=quote,  # spaces as %20, as X expects
    )
    url = f"{authorize_url}?{query}"
    target = urlsplit(redirect_uri)
    listen = not args.paste and target.scheme == "http" and is_loopback(target.hostname or "")
    server = replies = None
    if listen:
        try:
            server, received, replies = _serve_callback(redirect_uri, args.timeout)
        except OSError as exc:
            raise SystemExit(f"--redirect-uri: cannot listen on {target.netloc} ({exc}); free the port or use "
                             "--paste") from None
    announce(f"Open this URL in a browser, sign in to X and allow access:\n{url}")
    try:
        if listen:
            import queue

            announce(f"Waiting up to {args.timeout} s for the browser to return to {redirect_uri} ...")
            try:
                params = received.get(timeout=args.timeout)
            except queue.Empty:
                raise SystemExit(
                    f"no answer at {redirect_uri} within {args.timeout} s; run the command again"
                ) from None
        else:
            pasted = read_line("Paste the full URL the browser was sent to: ").strip()
            params = {k: v[0] for k, v in parse_qs(urlsplit(pasted).query).items()}

        def fail(message: str) -> SystemExit:
            if replies is not None:
                replies.put((400, message))
            return SystemExit(message)

        if params.get("error"):
            raise fail(f"X refused the authorisation: {params.get('error')} {params.get('error_description', '')}")
        if not secrets.compare_digest(params.get("state", ""), state):
            raise fail("the state in the answer does not match this request (a stale or forged callback); "
                       "run the command again")
        if not params.get("code"):
            raise fail("the answer carries no code; paste the whole URL, including ?state=...&code=...")
        try:
            tokens = hook.oauth_client.exchange_code(params["code"], redirect_uri=redirect_uri,
                                                     code_verifier=verifier)
        except SocialApiError as exc:
            raise fail(f"the code exchange failed: {exc.api_message}. X codes live 30 seconds; run the command "
                       "again and return to the terminal promptly") from None
        if replies is not None:
            replies.put((200, "Authorised. You can close this tab and return to the terminal."))
    finally:
        if server is not None:
            server.shutdown()
            server.server_close()
    new_extra = {**extra, "client_id": client_id, "client_secret": client_secret, "redirect_uri": redirect_uri,
                 "scope": tokens.scope or scope, "access_token": tokens.access_token,
                 "refresh_token": tokens.refresh_token, "expires_at": tokens.expires_at}
    if not tokens.refresh_token:
        announce("Warning: no refresh token was issued (is offline.access among the scopes?); the access token "
                 "expires in 2 hours and cannot be renewed.")
    _save_authorised(args, conn_type or "twitter", new_extra, announce=announce)
