"""The plugin's FastAPI app, mounted on the API server at ``/social-auth``.

Every route depends on :func:`plugins.security.connection_editor` (an authenticated user the auth manager lets
edit connections). "Authorize" starts the service's flow (``core/setup/ui.py``) and keeps it in a
:class:`~plugins.pending.PendingStore` bound to the user; the callback takes it (single-use, expiring), exchanges
the code server-side, writes the tokens with the CLI's save step and redirects to a result page that shows the
account the new tokens reach (or the refusal and "Try again") however often it is reloaded.
Nothing this app renders, logs or redirects to carries a token, a secret or a PKCE verifier.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse

from airflow_provider_social.core.declaration import ServiceDeclaration
from airflow_provider_social.core.errors import SocialApiError
from airflow_provider_social.core.setup.ui import CodeFlowAdapter, DeviceFlowAdapter, StoredConnection, ui_flow
from airflow_provider_social.plugins import pages
from airflow_provider_social.plugins.health import CheckRecords, health_row, run_check
from airflow_provider_social.plugins.pending import PendingRefused, PendingStore, default_directory
from airflow_provider_social.plugins.security import connection_editor, user_key
from airflow_provider_social.plugins.storage import get_connection, list_connections, save_credentials
from airflow_provider_social.services import all_services, service_for

URL_PREFIX = "/social-auth"
RESULT_LIFETIME = 86400.0  # seconds a callback's result page can be reloaded


def _message(exc: Exception) -> str:
    return str(getattr(exc, "api_message", None) or exc)


def service_named(name: str) -> ServiceDeclaration | None:
    """The registered service called ``name`` (a pending authorisation records it).

    :param name: the service's name.
    """
    return next((service for service in all_services() if service.name == name), None)


def create_app(state_dir: str | Path | None = None, *, clock: Callable[[], float] = time.time,
               lifetime: float = 600.0) -> FastAPI:
    """The plugin's app.

    :param state_dir: where pending authorisations and check records live (default :func:`default_directory`).
    :param clock: epoch seconds (tests inject one to expire a state).
    :param lifetime: seconds a started authorisation waits for its answer.
    """
    directory = Path(state_dir) if state_dir else None
    app = FastAPI(title="Social credentials", dependencies=[Depends(connection_editor)], docs_url=None,
                  redoc_url=None, openapi_url=None)

    def pending() -> PendingStore:
        return PendingStore(directory or default_directory(), lifetime=lifetime, clock=clock)

    def results() -> PendingStore:
        # What a callback ended with, kept for its result page (reloadable); bound to the user, no secret in it.
        return PendingStore((directory or default_directory()) / "results", lifetime=RESULT_LIFETIME, clock=clock)

    def checks() -> CheckRecords:
        return CheckRecords(directory or default_directory())

    def base(request: Request) -> str:
        return str(request.scope.get("root_path", "")) or "/"

    def redirect_uri(request: Request) -> str:
        from airflow.configuration import conf

        configured = conf.get("api", "base_url", fallback="") or ""
        if configured.startswith(("http://", "https://")):
            return f"{configured.rstrip('/')}{URL_PREFIX}/callback"
        return str(request.url_for("social_auth_callback"))

    def index(request: Request, message: str = "", ok: bool = True, status_code: int = 200,
              retry: str | None = None) -> HTMLResponse:
        rows = []
        for conn in list_connections():
            service = service_for(conn.conn_type)
            adapter = ui_flow(service)
            rows.append((conn.conn_id, service.connection.hook_name if service else conn.conn_type,
                         adapter.kind if adapter else None))
        return HTMLResponse(pages.connections_page(rows, redirect_uri(request), base=base(request), message=message,
                                                   ok=ok, retry=retry), status_code=status_code)

    def account_of(conn_id: str) -> tuple[bool, str]:
        conn = get_connection(conn_id)
        service = service_for(conn.conn_type) if conn else None
        if conn is None or service is None:
            return False, f"connection {conn_id!r} is gone"
        ok, message = run_check(conn, service.connection.hook_class_name)
        checks().record(conn_id, ok=ok, message=message, at=clock())
        return ok, message

    def saved(conn: StoredConnection, new: Any) -> str:
        save_credentials(conn, new)
        ok, message = account_of(conn.conn_id)
        done = f"Authorised. Connection {conn.conn_id!r} now holds new tokens"
        done += f"; connected account: {message}." if ok else f", but the check failed: {message}."
        return f"{done} {new.warning}".strip()

    @app.get("/", response_class=HTMLResponse)
    def connections(request: Request) -> HTMLResponse:
        """The provider's connections, an "Authorize" button on each, and the redirect URI to register.

        :param request: the request.
        """
        return index(request)

    @app.post("/connections/{connection_id}/authorize", response_model=None)
    def authorize(connection_id: str, request: Request, user: Any = Depends(connection_editor)
                  ) -> HTMLResponse | RedirectResponse:
        """Start the service's flow: redirect to its consent page, or show Yandex's device code.

        :param connection_id: the connection to authorise.
        :param request: the request.
        :param user: the Airflow user (bound to the pending authorisation).
        """
        conn = get_connection(connection_id)
        service = service_for(conn.conn_type) if conn else None
        adapter = ui_flow(service)
        if conn is None or service is None or adapter is None:
            return index(request, f"{connection_id!r} is not a social connection that can be authorised here",
                         ok=False, status_code=404)
        try:
            if isinstance(adapter, CodeFlowAdapter):
                flow = adapter.build(conn, redirect_uri(request))
                url, started = flow.start()
                pending().add(user=user_key(user), conn_id=conn.conn_id, service=service.name, state=started.state,
                              data={"redirect_uri": started.redirect_uri, "scope": started.scope,
                                    "code_verifier": started.code_verifier})
                return RedirectResponse(url, status_code=303)
            assert isinstance(adapter, DeviceFlowAdapter)
            device = adapter.hook(conn).oauth_client.start_device_flow()
        except SocialApiError as exc:
            return index(request, f"Cannot start the authorisation of {connection_id!r}: {_message(exc)}", ok=False,
                         status_code=400)
        entry = pending().add(user=user_key(user), conn_id=conn.conn_id, service=service.name,
                              data={"device_code": device.device_code, "user_code": device.user_code,
                                    "verification_url": device.verification_url, "interval": device.interval,
                                    "expires_in": device.expires_in, "next_poll_at": clock() + device.interval,
                                    "device_expires_at": clock() + device.expires_in})
        return HTMLResponse(pages.device_page(conn.conn_id, device.user_code, device.verification_url, entry.state,
                                              device.expires_in, base=base(request)))

    @app.get("/callback", name="social_auth_callback", response_model=None)
    def callback(request: Request, user: Any = Depends(connection_editor)) -> HTMLResponse | RedirectResponse:
        """Where the service sends the browser back: check the state, exchange the code, save, then redirect to
        the result page (a reload there shows the result again; a reload of the callback would spend no code).

        :param request: the request (``code``, ``state`` or ``error`` in its query).
        :param user: the Airflow user; must be the one who started the authorisation.
        """
        from airflow.api_fastapi.app import get_auth_manager
        from airflow.api_fastapi.auth.managers.models.resource_details import ConnectionDetails

        from airflow_provider_social.core.authflow import AuthorizationFlowError, PendingAuthorization

        params = {key: value for key, value in request.query_params.items()}
        try:
            entry = pending().take(params.get("state", ""), user=user_key(user))
        except PendingRefused as exc:
            return index(request, f"Authorisation refused: {exc}", ok=False, status_code=400)
        if not get_auth_manager().is_authorized_connection(method="PUT", details=ConnectionDetails(
                conn_id=entry.conn_id), user=user):
            return index(request, "Authorisation refused: you may not edit this connection", ok=False,
                         status_code=403)
        conn = get_connection(entry.conn_id)
        adapter = ui_flow(service_named(entry.service))
        if conn is None or not isinstance(adapter, CodeFlowAdapter):
            return index(request, f"Connection {entry.conn_id!r} is gone", ok=False, status_code=404)

        def result(message: str, ok: bool) -> RedirectResponse:
            kept = results().add(user=user_key(user), conn_id=entry.conn_id, service=entry.service,
                                 data={"message": message, "ok": ok})
            return RedirectResponse(f"{base(request).rstrip('/')}/result/{kept.state}", status_code=303)

        started = PendingAuthorization(state=entry.state, redirect_uri=entry.data["redirect_uri"],
                                       scope=entry.data.get("scope") or "", authorize_url="",
                                       code_verifier=entry.data.get("code_verifier"))
        try:
            flow = adapter.build(conn, entry.data["redirect_uri"])
            tokens = flow.finish(started, params=params)
        except (AuthorizationFlowError, SocialApiError) as exc:
            return result(f"Authorisation of {entry.conn_id!r} failed: {_message(exc)}", ok=False)
        return result(saved(conn, adapter.fields(conn, flow, tokens)), ok=True)

    @app.get("/result/{ticket}", name="social_auth_result", response_class=HTMLResponse)
    def result_page(ticket: str, request: Request, user: Any = Depends(connection_editor)) -> HTMLResponse:
        """How an authorisation ended (the callback redirects here), as often as it is reloaded.

        :param ticket: the result's random id (from the redirect).
        :param request: the request.
        :param user: the Airflow user; must be the one who authorised.
        """
        try:
            kept = results().peek(ticket, user=user_key(user))
        except PendingRefused:
            return index(request, "This result is no longer kept; the connections below show their current "
                         "state", ok=False, status_code=404)
        ok = bool(kept.data.get("ok"))
        return index(request, str(kept.data.get("message", "")), ok=ok, retry=None if ok else kept.conn_id,
                     status_code=200 if ok else 400)


    @app.post("/device/poll")
    async def device_poll(request: Request, user: Any = Depends(connection_editor)) -> JSONResponse:
        """One poll of Yandex's token endpoint for a device code the page shows (at most once per interval).

        :param request: the request (JSON body ``{"ticket": ...}``).
        :param user: the Airflow user; must be the one who started the flow.
        """
        try:
            ticket = str((await request.json()).get("ticket", ""))
        except ValueError:
            ticket = ""
        from starlette.concurrency import run_in_threadpool

        status, message = await run_in_threadpool(_poll_once, ticket, user_key(user))
        return JSONResponse({"status": status, "message": message}, status_code=200 if status != "refused" else 400)

    def _poll_once(ticket: str, user: str) -> tuple[str, str]:
        from airflow_provider_social.core.oauth import AuthorizationPending, DeviceCode

        store = pending()
        try:
            entry = store.peek(ticket, user=user)
        except PendingRefused as exc:
            return "refused", str(exc)
        data = entry.data
        adapter = ui_flow(service_named(entry.service))
        if not isinstance(adapter, DeviceFlowAdapter):
            return "refused", "not a device authorisation"
        if clock() >= data["device_expires_at"]:
            store.discard(ticket)
            return "error", "The code expired before it was approved; press Authorize again."
        if clock() < data["next_poll_at"]:
            return "pending", "Waiting for approval..."
        conn = get_connection(entry.conn_id)
        if conn is None:
            store.discard(ticket)
            return "error", f"Connection {entry.conn_id!r} is gone"
        device = DeviceCode(device_code=data["device_code"], user_code=data["user_code"],
                            verification_url=data["verification_url"], interval=data["interval"],
                            expires_in=data["expires_in"])
        try:
            tokens = adapter.hook(conn).oauth_client.poll_device_token(device, grant_type="device_code",
                                                                       code_param="code")
        except AuthorizationPending as waiting:
            interval = data["interval"] + (5 if waiting.api_code == "slow_down" else 0)
            store.update(entry, data={**data, "interval": interval, "next_poll_at": clock() + interval})
            return "pending", "Waiting for approval..."
        except SocialApiError as exc:
            store.discard(ticket)
            return "error", pages.sentence(f"Authorisation of {entry.conn_id!r} failed: {_message(adapter.error(exc))}")
        try:
            store.take(ticket, user=user)
        except PendingRefused as exc:  # another poll finished it first
            return "refused", str(exc)
        return "done", saved(conn, adapter.fields(conn, tokens))

    @app.get("/health", response_class=HTMLResponse)
    def health(request: Request) -> HTMLResponse:
        """The credentials health page.

        :param request: the request.
        """
        return render_health(request)

    def render_health(request: Request, message: str = "", ok: bool = True) -> HTMLResponse:
        records = checks().all()
        rows = []
        for conn in list_connections():
            service = service_for(conn.conn_type)
            rows.append(health_row(conn, service, records.get(conn.conn_id), now=clock()))
        return HTMLResponse(pages.health_page(rows, base=base(request), now=clock(), message=message, ok=ok))

    @app.post("/connections/{connection_id}/check", response_class=HTMLResponse)
    def check(connection_id: str, request: Request) -> HTMLResponse:
        """Run the connection's ``test_connection()`` on the server and show the health page with the outcome.

        :param connection_id: the connection to check.
        :param request: the request.
        """
        ok, message = account_of(connection_id)
        return render_health(request, f"{connection_id}: {message}", ok)

    return app
