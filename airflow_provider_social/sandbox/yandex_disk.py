"""Yandex Disk REST API (``https://cloud-api.yandex.net``), mounted at ``/yandex-disk``.

Only ``GET /v1/disk`` so far; resources, uploads, trash and operations will grow here. Authentication is
``Authorization: OAuth <token>`` checked against the Yandex ID server of the same sandbox.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .oauth_server import SANDBOX_USER_ID
from .state import ServiceSpec
from .yandex_id import OAUTH_NAME

if TYPE_CHECKING:
    from .state import SandboxState

NAME = "yandex_disk"
PREFIX = "/yandex-disk"
GIB = 1024**3

# Successes and errors differ in content type at the real API (reference §7).
_OK_TYPE = "application/json; charset=utf-8"
_ERROR_TYPE = "application/json"


def _default_system_folders() -> dict[str, str]:
    return {
        "applications": "disk:/Приложения",
        "downloads": "disk:/Загрузки/",
        "photostream": "disk:/Фотокамера/",
        "screenshots": "disk:/Скриншоты/",
        "social": "disk:/Социальные сети/",
        "attach": "disk:/Почтовые вложения",
        "scans": "disk:/Сканы",
    }


@dataclass
class DiskUser:
    uid: str
    login: str = "sandbox-user"
    display_name: str = "Sandbox User"
    country: str = "ru"


@dataclass
class DiskAccount:
    user: DiskUser
    total_space: int = 10 * GIB
    used_space: int = 0
    trash_size: int = 0
    max_file_size: int = 1_073_741_824
    paid_max_file_size: int = 53_687_091_200
    is_paid: bool = False
    system_folders: dict[str, str] = field(default_factory=_default_system_folders)
    reg_time: str = "2020-01-01T00:00:00+00:00"

    def info(self) -> dict[str, Any]:
        return {
            "max_file_size": self.max_file_size,
            "paid_max_file_size": self.paid_max_file_size,
            "total_space": self.total_space,
            "reg_time": self.reg_time,
            "trash_size": self.trash_size,
            "is_paid": self.is_paid,
            "used_space": self.used_space,
            "system_folders": dict(self.system_folders),
            "user": {
                "reg_time": self.reg_time,
                "display_name": self.user.display_name,
                "uid": self.user.uid,
                "country": self.user.country,
                "is_child": False,
                "login": self.user.login,
            },
            "unlimited_autoupload_enabled": False,
        }


class YandexDiskState:
    """Per-user disks, created on first use."""

    def __init__(self, state: SandboxState) -> None:
        self._lock = threading.RLock()
        self.accounts: dict[str, DiskAccount] = {}
        self.account(SANDBOX_USER_ID)  # the seeded user exists from the start

    def account(self, uid: str) -> DiskAccount:
        with self._lock:
            if uid not in self.accounts:
                suffix = "" if uid == SANDBOX_USER_ID else f"-{uid}"
                self.accounts[uid] = DiskAccount(DiskUser(uid=uid, login=f"sandbox-user{suffix}"))
            return self.accounts[uid]

    def dump(self) -> dict[str, Any]:
        with self._lock:
            return {"disks": {uid: acc.info() for uid, acc in self.accounts.items()}}


# ---- responses


def disk_json(data: Any, status: int = 200) -> Response:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
    return Response(body, status_code=status, media_type=_OK_TYPE)


def disk_error(status: int, error: str, description: str, message: str) -> Response:
    body = json.dumps(
        {"message": message, "description": description, "error": error}, ensure_ascii=False, separators=(",", ":")
    )
    return Response(body.encode(), status_code=status, headers={"content-type": _ERROR_TYPE})


def unauthorized() -> Response:
    return disk_error(401, "UnauthorizedError", "Unauthorized", "Не авторизован.")


def select_fields(data: dict[str, Any], fields: str | None) -> dict[str, Any]:
    """Apply the ``fields`` query parameter: comma-separated keys, nested with dots; others dropped."""
    if not fields:
        return data
    out: dict[str, Any] = {}
    for spec in filter(None, (f.strip() for f in fields.split(","))):
        head, _, rest = spec.partition(".")
        if head not in data:
            continue
        value = data[head]
        if rest and isinstance(value, dict):
            out[head] = {**out.get(head, {}), **select_fields(value, rest)}
        elif rest and isinstance(value, list):
            out[head] = [select_fields(v, rest) if isinstance(v, dict) else v for v in value]
        else:
            out[head] = value
    return out


def authenticate(state: SandboxState, request: Request) -> str | None:
    """The user id behind ``Authorization: OAuth <token>``, or None (missing, unknown, expired, revoked).

    Only the documented ``OAuth`` scheme is accepted; whether the real API also takes ``Bearer`` is
    UNCONFIRMED, so the sandbox refuses it.
    """
    scheme, _, token = request.headers.get("authorization", "").partition(" ")
    if scheme != "OAuth" or not token.strip():
        return None
    info, _reason = state.oauth[OAUTH_NAME].validate_access_token(token.strip())
    return info.user_id if info else None


def _disk(state: SandboxState) -> YandexDiskState:
    disk = state.services[NAME]
    assert isinstance(disk, YandexDiskState)
    return disk


# ---- routes


def _routes(state: SandboxState) -> list[BaseRoute]:
    async def disk_info(request: Request) -> Response:
        uid = authenticate(state, request)
        if uid is None:
            return unauthorized()
        info = _disk(state).account(uid).info()
        return disk_json(select_fields(info, request.query_params.get("fields")))

    return [Route(f"{PREFIX}/v1/disk", disk_info, methods=["GET"])]


SERVICE = ServiceSpec(
    name=NAME,
    prefix=PREFIX,
    routes=_routes,
    state_factory=YandexDiskState,
    description="Yandex Disk REST API",
)
