"""The Disk API's route table (``/yandex-disk/v1/disk/...``), operations status and the 404 for the rest."""

from __future__ import annotations

from typing import TYPE_CHECKING

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from .constants import ALL_METHODS, PREFIX
from .errors import DiskError, not_found
from .links import download_link, upload_from_url, upload_link
from .public import public_download, public_meta, save_public
from .records import DiskAccount
from .resources import (
    create_folder,
    delete_resource,
    disk_info,
    get_resource,
    last_uploaded,
    list_files,
    list_public,
    patch_resource,
    publish,
    transfer,
    unpublish,
)
from .state import YandexDiskState
from .trash import trash_delete, trash_list, trash_restore
from .views import Handler, endpoint, fields

if TYPE_CHECKING:
    from ..state import SandboxState


# ---- operations
async def operation(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
    op = ydisk.operations.get(request.path_params["op_id"])
    if op is None or op.uid != account.user.uid:
        raise DiskError(404, "DiskOperationNotFoundError", "Operation not found.", "Операция не найдена.")
    return fields(request, {"status": op.status})



async def unknown(request: Request, ydisk: YandexDiskState, account: DiskAccount | None) -> Response:
    raise not_found()


def _routes(state: SandboxState) -> list[BaseRoute]:
    v1 = f"{PREFIX}/v1/disk"
    table: list[tuple[str, dict[str, Handler], bool]] = [
        ("", {"GET": disk_info}, False),
        ("/resources", {"GET": get_resource, "PUT": create_folder, "DELETE": delete_resource,
                        "PATCH": patch_resource}, False),
        ("/resources/files", {"GET": list_files}, False),
        ("/resources/last-uploaded", {"GET": last_uploaded}, False),
        ("/resources/upload", {"GET": upload_link, "POST": upload_from_url}, False),
        ("/resources/download", {"GET": download_link}, False),
        ("/resources/copy", {"POST": transfer("copy")}, False),
        ("/resources/move", {"POST": transfer("move")}, False),
        ("/resources/publish", {"PUT": publish}, False),
        ("/resources/unpublish", {"PUT": unpublish}, False),
        ("/resources/public", {"GET": list_public}, False),
        ("/public/resources", {"GET": public_meta}, True),
        ("/public/resources/download", {"GET": public_download}, True),
        ("/public/resources/save-to-disk", {"POST": save_public}, False),
        ("/operations/{op_id}", {"GET": operation}, False),
        ("/trash/resources", {"GET": trash_list, "DELETE": trash_delete}, False),
        ("/trash/resources/restore", {"PUT": trash_restore}, False),
    ]
    routes: list[BaseRoute] = [
        Route(v1 + path, endpoint(state, handlers, public=public), methods=ALL_METHODS)
        for path, handlers, public in table
    ]
    not_found_everywhere = {m: unknown for m in ALL_METHODS}
    routes.append(
        Route(PREFIX + "/{rest:path}", endpoint(state, not_found_everywhere, public=True), methods=ALL_METHODS)
    )
    return routes
