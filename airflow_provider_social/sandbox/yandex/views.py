"""Shared by the Disk API handlers: query parameters, links, resource views and the endpoint wrapper."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response

from .constants import PREFIX
from .errors import DiskError, disk_error, disk_json, field_error, iso, select_fields, unauthorized
from .records import DiskAccount, Node, Operation, TrashItem, media_type
from .state import YandexDiskState, _disk, authenticate

Handler = Callable[..., Any]
Endpoint = Callable[[Request], Awaitable[Response]]

if TYPE_CHECKING:
    from ..state import SandboxState


# ---------------------------------------------------------------------------------------------------- helpers


def _bool(request: Request, name: str, default: bool = False) -> bool:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("true", "1", "yes"):
        return True
    if value.lower() in ("false", "0", "no"):
        return False
    raise field_error(name, "Must be a boolean.")


def _int(request: Request, name: str, default: int, *, maximum: int | None = None) -> int:
    value = request.query_params.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError:
        raise field_error(name, "Must be an integer.") from None
    if number < 0 or (maximum is not None and number > maximum):
        raise field_error(name, f"Must be between 0 and {maximum}." if maximum else "Must not be negative.")
    return number


def _base(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def _storage_base(request: Request) -> str:
    """Where upload and download hrefs point: the storage listener, or this port when there is none."""
    return getattr(request.app.state, "storage_base_url", None) or _base(request)


def _link(request: Request, path: str) -> dict[str, Any]:
    return {"href": f"{_base(request)}{PREFIX}/v1/disk/resources?path={quote(path, safe='')}",
            "method": "GET", "templated": False}


def _operation_link(request: Request, op: Operation) -> dict[str, Any]:
    return {"href": f"{_base(request)}{PREFIX}/v1/disk/operations/{op.id}", "method": "GET", "templated": False}


_SORT_KEYS: dict[str, Callable[[tuple[str, Node]], Any]] = {
    "name": lambda pn: pn[1].name,
    "path": lambda pn: pn[0],
    "created": lambda pn: pn[1].created,
    "modified": lambda pn: pn[1].modified,
    "size": lambda pn: pn[1].size,
}


def _sorted(items: list[tuple[str, Node]], sort: str | None) -> list[tuple[str, Node]]:
    key = (sort or "name").lstrip("-")
    if key not in _SORT_KEYS:
        raise field_error("sort", f"Unsupported sort key {key!r}.")
    return sorted(items, key=_SORT_KEYS[key], reverse=bool(sort and sort.startswith("-")))



def endpoint(state: SandboxState, methods: dict[str, Handler], *, public: bool = False) -> Endpoint:
    async def handle(request: Request) -> Response:
        handler = methods.get(request.method)
        if handler is None:
            return disk_error(405, "MethodNotAllowedError", "Method Not Allowed", "Метод не поддерживается.")
        uid = authenticate(state, request)
        if uid is None and not public:
            return unauthorized()
        disk = _disk(state)
        try:
            with disk._lock:
                disk.settle()
                account = disk.account(uid) if uid is not None else None
                return await handler(request, disk, account)
        except DiskError as exc:
            return exc.response()

    return handle

def resource(disk: DiskAccount | None, ydisk: YandexDiskState, node: Node, path: str, request: Request,
             *, uid: str, embedded: bool = False, trash: TrashItem | None = None) -> dict[str, Any]:
    rid = f"{uid}:{node.resource_id}"
    data: dict[str, Any] = {
        "name": node.name,
        "exif": {},
        "created": iso(node.created),
        "resource_id": rid,
        "modified": iso(node.modified),
        "path": path,
        "comment_ids": {"private_resource": rid, "public_resource": rid},
        "type": node.type,
        "revision": node.revision,
    }
    if node.blob is not None:
        mime, kind = media_type(node.name)
        data.update(
            antivirus_status="clean", size=node.blob.size, mime_type=mime, media_type=kind,
            md5=node.blob.md5, sha256=node.blob.sha256,
            file=ydisk.download_href(_storage_base(request), node.blob, node.name),
        )
    if node.public_key:
        data.update(public_key=node.public_key, public_url=node.public_url)
    if node.custom_properties:
        data["custom_properties"] = dict(node.custom_properties)
    if trash is not None:
        data.update(origin_path=trash.origin_path, deleted=iso(trash.deleted))
    if embedded and node.type == "dir":
        items = _sorted([(f"{path.rstrip('/')}/{name}", child) for name, child in (node.children or {}).items()],
                        request.query_params.get("sort"))
        limit = _int(request, "limit", 20, maximum=10_000)
        offset = _int(request, "offset", 0)
        data["_embedded"] = {
            "sort": request.query_params.get("sort", ""),
            "items": [resource(disk, ydisk, child, p, request, uid=uid)
                      for p, child in items[offset: offset + limit]],
            "limit": limit,
            "offset": offset,
            "path": path,
            "total": len(items),
        }
    return data

def fields(request: Request, data: dict[str, Any], status: int = 200) -> Response:
    return disk_json(select_fields(data, request.query_params.get("fields")), status)

def finish(request: Request, op: Operation | None, path: str, status: int = 201) -> Response:
    """201 Link to the resource, or 202 Link to the operation."""
    if op is not None:
        return fields(request, _operation_link(request, op), 202)
    return fields(request, _link(request, path), status)
