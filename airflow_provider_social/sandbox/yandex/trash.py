"""``/v1/disk/trash/resources``: list, empty or delete one, restore."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .constants import MAX_NAME, MAX_PATH
from .errors import field_error, not_found
from .records import DiskAccount, Node, TrashItem, join_path, split_path
from .state import YandexDiskState
from .views import _bool, _int, _operation_link, fields, finish, resource


# ---- trash
def trash_entry(account: DiskAccount, raw: str | None) -> tuple[str, TrashItem | None]:
    value = raw or "trash:/"
    rest = value[len("trash:"):] if value.startswith("trash:") else value
    parts = [p for p in rest.split("/") if p]
    if len(value) > MAX_PATH or any(p in (".", "..") or len(p) > MAX_NAME for p in parts):
        raise field_error("path", "Invalid trash path.")
    if not parts:
        return "trash:/", None
    item = account.trash.get(parts[0])
    if item is None or len(parts) > 1:
        raise not_found()
    return f"trash:/{parts[0]}", item

async def trash_list(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    path, item = trash_entry(account, request.query_params.get("path"))
    uid = account.user.uid
    if item is not None:
        return fields(request, resource(account, ydisk, item.node, path, request, uid=uid, trash=item))
    entries = sorted(account.trash.items(), key=lambda kv: kv[1].deleted)
    limit, offset = _int(request, "limit", 20, maximum=10_000), _int(request, "offset", 0)
    now = ydisk.clock.now()
    root = Node("trash", "dir", now, now, "trash")
    data = resource(account, ydisk, root, "trash:/", request, uid=uid)
    data["_embedded"] = {
        "sort": request.query_params.get("sort", ""),
        "items": [resource(account, ydisk, it.node, f"trash:/{name}", request, uid=uid, trash=it)
                  for name, it in entries[offset: offset + limit]],
        "limit": limit, "offset": offset, "path": "trash:/", "total": len(entries),
    }
    return fields(request, data)

async def trash_delete(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    path, item = trash_entry(account, request.query_params.get("path"))
    force_async = _bool(request, "force_async")
    names = [path[len("trash:/"):]] if item is not None else list(account.trash)

    def purge() -> None:
        for name in names:
            gone = account.trash.pop(name, None)
            if gone is not None:
                ydisk.release(gone.node)

    big = item is None and bool(names) or (item is not None and item.node.type == "dir" and item.node.children)
    if force_async or big:
        op = ydisk.start_operation(account.user.uid, "empty_trash", purge)
        return fields(request, _operation_link(request, op), 202)
    purge()
    return Response(status_code=204)

async def trash_restore(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    path, item = trash_entry(account, request.query_params.get("path"))
    if item is None:
        raise field_error("path", "A resource in the trash is required.")
    name = request.query_params.get("name")
    overwrite = _bool(request, "overwrite")
    scheme, parts = split_path(item.origin_path)
    if name:
        if "/" in name or len(name) > MAX_NAME:
            raise field_error("name", "Must be a file name.")
        parts = [*parts[:-1], name]
    target = join_path(scheme, parts)
    ydisk.check_target(account, scheme, parts, overwrite)
    trash_key = path[len("trash:/"):]

    def restore() -> None:
        current = account.trash.get(trash_key)
        if current is None:
            raise not_found()
        parent = ydisk.check_target(account, scheme, parts, overwrite)
        del account.trash[trash_key]
        ydisk.place(parent, parts[-1], current.node)
        ydisk.record("restore", path=target)

    if _bool(request, "force_async") or (item.node.type == "dir" and item.node.children):
        op = ydisk.start_operation(account.user.uid, "restore", restore)
        return finish(request, op, target)
    restore()
    return finish(request, None, target)
