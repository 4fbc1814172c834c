"""The public API (``/v1/disk/public/resources``, no token) and saving a public resource to a disk."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response

from .constants import MAX_NAME
from .errors import DiskError, field_error, not_found
from .records import DiskAccount, Node, join_path, split_path
from .state import YandexDiskState
from .views import _bool, _storage_base, fields, finish, resource


def public_node(ydisk: YandexDiskState, request: Request) -> tuple[str, Node, str, str, DiskAccount]:
    """(uid, node, public path shown to clients, owner path, owner account) for public_key [+ path]."""
    key = request.query_params.get("public_key")
    if not key:
        raise field_error("public_key")
    if key.startswith("http"):  # the public URL works as a key too
        key = next((k for k, (uid, p) in ydisk.public.items()
                    if (n := ydisk.find(ydisk.account(uid), *split_path(p))) and n.public_url == key), "")
    owner = ydisk.public.get(key)
    if owner is None:
        raise not_found()
    uid, root_path = owner
    account = ydisk.account(uid)
    scheme, parts = split_path(root_path)
    inner = [p for p in (request.query_params.get("path") or "/").split("/") if p]
    if any(p in (".", "..") for p in inner):
        raise field_error("path", "Path segments '.' and '..' are not allowed.")
    node = ydisk.find(account, scheme, parts + inner)
    if node is None:
        raise not_found()
    return uid, node, "/" + "/".join(inner), key, account

async def public_meta(request: Request, ydisk: YandexDiskState, account: DiskAccount | None) -> Response:
    uid, node, inner, key, owner = public_node(ydisk, request)
    data = resource(owner, ydisk, node, inner, request, uid=uid, embedded=True)
    data.setdefault("public_key", key)
    root = ydisk.find(owner, *split_path(ydisk.public[key][1]))
    data.setdefault("public_url", root.public_url if root else None)
    data.pop("custom_properties", None)
    return fields(request, data)

async def public_download(request: Request, ydisk: YandexDiskState, account: DiskAccount | None) -> Response:
    _uid, node, _inner, _key, _owner = public_node(ydisk, request)
    if node.blob is None:
        raise DiskError(400, "DiskNotAFileError", "Downloading folders is not supported by the sandbox.",
                        "Скачивание папок в песочнице не поддерживается.")
    return fields(request, {"href": ydisk.download_href(_storage_base(request), node.blob, node.name),
                            "method": "GET", "templated": False})

async def save_public(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    _uid, node, _inner, _key, _owner = public_node(ydisk, request)
    name = request.query_params.get("name") or node.name
    if "/" in name or len(name) > MAX_NAME:
        raise field_error("name", "Must be a file name.")
    save_path = request.query_params.get("save_path")
    if save_path:
        scheme, folder = split_path(save_path, param="save_path")
    else:
        scheme, folder = "disk", ["Загрузки"]
        downloads = account.roots["disk"].children
        assert downloads is not None
        if "Загрузки" not in downloads:
            now = ydisk.clock.now()
            downloads["Загрузки"] = Node("Загрузки", "dir", now, now, ydisk.new_id(), children={})
    parts = [*folder, name]
    ydisk.check_target(account, scheme, parts, overwrite=False)
    ydisk.check_room(account, node.size)
    path = join_path(scheme, parts)

    def save() -> None:
        parent = ydisk.check_target(account, scheme, parts, overwrite=False)
        ydisk.place(parent, name, ydisk.clone(node))
        ydisk.record("save_public", path=path)

    if _bool(request, "force_async") or node.type == "dir":
        op = ydisk.start_operation(account.user.uid, "save_public", save)
        return finish(request, op, path)
    save()
    return finish(request, None, path)
