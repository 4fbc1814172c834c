"""The device flow (RFC 8628): device code endpoint and the verification page."""

from __future__ import annotations

import html
import secrets

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from .base import ServerBase
from .forms import _page, _printable_ascii, _read_form, _user_code
from .records import _DeviceAuth
from .refusals import OAuthError


class DeviceEndpoints(ServerBase):
    """Device authorization and the page where the user enters the user code."""

    async def _device_code_endpoint(self, request: Request) -> Response:
        try:
            form = await _read_form(request)
            client_id = form.get("client_id")
            if not client_id:
                raise OAuthError("invalid_request", "Missing client_id")
            if client_id not in self.config.clients:
                raise OAuthError("invalid_client", "Unknown client_id", 401)
            device_id, device_name = form.get("device_id"), form.get("device_name")
            if device_id is not None and not (6 <= len(device_id) <= 50 and _printable_ascii(device_id)):
                raise OAuthError("invalid_request", "device_id must be 6-50 printable ASCII characters")
            if device_name is not None and len(device_name) > 100:
                raise OAuthError("invalid_request", "device_name must be at most 100 characters")
        except OAuthError as exc:
            return exc.response()
        with self._lock:
            user_code = _user_code(self._user_codes)
            device = _DeviceAuth(
                device_code=secrets.token_hex(16),
                user_code=user_code,
                client_id=client_id,
                scope=self._scope(form.get("scope")),
                expires_at=self.clock.now() + self.config.device_expires_in,
                device_id=device_id,
                device_name=device_name,
                interval=float(self.config.interval),
            )
            self._devices[device.device_code] = device
            self._user_codes[user_code] = device.device_code
        return JSONResponse(
            {
                "device_code": device.device_code,
                "expires_in": self.config.device_expires_in,
                "interval": self.config.interval,
                "user_code": user_code,
                self.config.verification_field: self._verification_url(request),
            }
        )

    def _verification_url(self, request: Request) -> str:
        # The page lives under this server's mount prefix, on whatever host/port the client reached us at.
        base = str(request.base_url).rstrip("/")
        app_root = request.scope.get("app_root_path", "")
        mount = request.scope.get("root_path", "")[len(app_root) :]
        return f"{base}{mount}{self.config.paths.verification}"

    @staticmethod
    def _verification_form(code: str = "", message: str = "") -> str:
        """The code entry form; after a refused code, again with the message and the code as typed (a real
        verification page answers a mistyped code by asking again, not with a bare error)."""
        notice = f'<p role="alert" class="error">{html.escape(message)}</p>' if message else ""
        return (
            notice + '<form method="post"><label>Code: <input name="user_code" value="' + html.escape(code)
            + '" autofocus></label> <button name="decision" value="approve">Allow</button> '
            '<button name="decision" value="deny">Deny</button></form>'
        )

    async def _verification_get(self, request: Request) -> Response:
        body = self._verification_form(request.query_params.get("user_code", ""))
        return HTMLResponse(_page(f"{self.name}: connect a device", body))

    async def _verification_post(self, request: Request) -> Response:
        form = await _read_form(request, strict=False)
        deny = form.get("decision") != "approve"
        typed = form.get("user_code", "")
        try:
            self.approve_device(typed, deny=deny)
        except KeyError:
            message = "No such code: check the code shown on the device and enter it again."
        except ValueError as exc:
            message = f"This code cannot be used ({exc}): get a new code on the device."
        else:
            return HTMLResponse(_page("Device authorization",
                                      "Access denied." if deny else "Done, return to the device."))
        # Refused: the form again, with what went wrong (the status stays 400 for scripts).
        body = self._verification_form(typed, message)
        return HTMLResponse(_page(f"{self.name}: connect a device", body), status_code=400)

    def approve_device(self, user_code: str, deny: bool = False, user_id: str | None = None) -> None:
        with self._lock:
            device = self._devices.get(self._user_codes.get(user_code.strip().lower(), ""))
            if device is None:
                raise KeyError(f"unknown user_code {user_code!r}")
            if device.expires_at <= self.clock.now():
                raise ValueError("device code has expired")
            if device.status != "pending":
                raise ValueError(f"device authorization is already {device.status}")
            device.status = "denied" if deny else "approved"
            device.user_id = user_id or self.config.default_user_id
