"""Yandex Disk REST API (``https://cloud-api.yandex.net``) and its uploader/downloader hosts, strict.

Three services, three prefixes (each a :class:`ServiceSpec`, so fault rules can target each one); the uploader and
the downloader are other hosts at Yandex and are served on the sandbox's storage listener (another port):

=====================  =======================  =============================================================
Prefix                 Service name             What
=====================  =======================  =============================================================
``/yandex-disk``       ``yandex_disk``          REST API ``/v1/disk/...``: resources, uploads, publishing,
                                                trash, operations (reference section 7)
``/yandex-uploader``   ``yandex_uploader``      upload hrefs ``/upload-target/<id>``: one raw ``PUT`` each
``/yandex-downloader`` ``yandex_downloader``    download hrefs ``/disk/<token>`` (302) -> ``/get/<token>``
=====================  =======================  =============================================================

Behaviour (facts from shared/reference/twitter_x_yandex.md section 7; UNCONFIRMED points take the stricter side):

* Every user has an in-memory tree with two roots, ``disk:/`` and ``app:/`` (the app folder, kept as its own root),
  plus ``trash:/``. A path without a scheme is ``disk:``-relative. Names over 255 characters, paths over 32760,
  and ``.``/``..`` segments answer 400 ``FieldValidationError``.
* Status codes: 200 reads, 201 created (Link), 202 accepted (Link to an operation), 204 deleted. Errors are
  ``{"message", "description", "error"}`` with ``content-type: application/json``; successes are
  ``application/json; charset=utf-8``. Unknown paths under a prefix get the Yandex 404 body.
* Upload hrefs (served by yandex_uploader.py on the storage listener) take exactly one ``PUT`` of raw bytes (a
  multipart body is stored as-is, as the real uploader would), lapse after ``upload_link_ttl`` (30 min) of sandbox
  clock, answer 413 over ``max_file_size`` and 507 over quota, 201 on success, 202 (file in Disk only when the
  upload's operation completes) for large uploads; their errors are bare HTML, not this API's JSON. The body is
  streamed to a temporary file while md5/sha256/size are computed; it is never held in memory.
* Download hrefs redirect once (clients must follow redirects) and stream the file. Their lifetime is UNCONFIRMED;
  the sandbox lets them lapse after ``download_link_ttl`` (30 min) and then answers ``500 text/html`` as observed
  for bad links.
* Asynchronous operations (non-empty folder copy/move/delete, upload from URL, save public folder, restore of a
  folder, emptying the trash, and anything with ``force_async=true``) stay ``in-progress`` for
  ``operation_duration`` sandbox seconds (default 2), and only then take effect and become ``success`` (or
  ``failed``, when ``fail_next_operations`` asks for it or the effect is impossible by then).
* Upload from URL does not reach the internet: a sandbox download href (``/yandex-downloader/...``) is copied
  byte for byte; any other ``http(s)`` URL becomes a file whose content is the deterministic text
  ``sandbox upload of <url>\\n``.
* The public API (``/v1/disk/public/resources``) needs no token. Public URLs look like ``https://yadi.sk/d/<id>``
  and are accepted as ``public_key`` too.

Settings (per sandbox, all users) via ``POST /_control/state/yandex_disk`` with a JSON object of any of
``total_space``, ``max_file_size``, ``operation_duration``, ``fail_next_operations``, ``upload_link_ttl``,
``download_link_ttl``, ``upload_async_over``, ``upload_async_next``; ``GET /_control/state/yandex_disk`` shows them
with every disk's tree.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import mimetypes
import os
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote, unquote, urlsplit

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from .oauth_server import SANDBOX_USER_ID
from .state import ServiceSpec
from .yandex_id import OAUTH_NAME

if TYPE_CHECKING:
    from .state import SandboxState

NAME = "yandex_disk"
PREFIX = "/yandex-disk"
UPLOADER_NAME = "yandex_uploader"
UPLOADER_PREFIX = "/yandex-uploader"
DOWNLOADER_NAME = "yandex_downloader"
DOWNLOADER_PREFIX = "/yandex-downloader"
GIB = 1024**3
MAX_PATH = 32760
MAX_NAME = 255
CHUNK = 1024 * 1024
ALL_METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]

# Successes and errors differ in content type at the real API (reference §7).
_OK_TYPE = "application/json; charset=utf-8"
_ERROR_TYPE = "application/json"

_MEDIA_TYPES = {
    "image": "image", "video": "video", "audio": "audio",
}
_EXT_MEDIA = {
    ".zip": "compressed", ".gz": "compressed", ".tgz": "compressed", ".rar": "compressed", ".7z": "compressed",
    ".bz2": "compressed", ".xz": "compressed", ".tar": "compressed",
    ".doc": "document", ".docx": "document", ".pdf": "document", ".odt": "document", ".rtf": "document",
    ".xls": "spreadsheet", ".xlsx": "spreadsheet", ".ods": "spreadsheet", ".csv": "spreadsheet",
    ".ppt": "development", ".txt": "text", ".md": "text", ".log": "text", ".json": "text", ".xml": "text",
    ".bin": "data", ".dat": "data", ".iso": "diskimage", ".exe": "executable", ".py": "development",
}


# ---------------------------------------------------------------------------------------------------- errors


class DiskError(Exception):
    """An API error answer; raised anywhere in a handler and turned into the Yandex error body."""

    def __init__(self, status: int, error: str, description: str, message: str) -> None:
        super().__init__(description)
        self.status, self.error, self.description, self.message = status, error, description, message

    def response(self) -> Response:
        return disk_error(self.status, self.error, self.description, self.message)


def not_found() -> DiskError:
    return DiskError(404, "DiskNotFoundError", "Resource not found.", "Не удалось найти запрошенный ресурс.")


def field_error(name: str, problem: str = "This field is required.") -> DiskError:
    ru = "Это поле является обязательным." if problem == "This field is required." else problem
    return DiskError(
        400, "FieldValidationError", f'Error validating field "{name}": {problem}',
        f'Ошибка проверки поля "{name}": {ru}',
    )


def path_doesnt_exist(path: str) -> DiskError:
    return DiskError(
        409, "DiskPathDoesntExistsError", f'Specified path "{path}" doesn\'t exists.',
        f'Указанного пути "{path}" не существует.',
    )


def points_to_directory(path: str) -> DiskError:
    return DiskError(
        409, "DiskPathPointsToExistentDirectoryError", f'Specified path "{path}" points to existent directory.',
        f'Указанный путь "{path}" указывает на существующую папку.',
    )


def already_exists(path: str) -> DiskError:
    # The exact wording is UNCONFIRMED (reference §7); the error name is documented.
    return DiskError(
        409, "DiskResourceAlreadyExistsError", f'Resource "{path}" already exists.',
        f'Ресурс "{path}" уже существует.',
    )


def too_large() -> DiskError:
    return DiskError(413, "PayloadTooLargeError", "Payload Too Large", "Размер файла превышает допустимый.")


def insufficient_storage() -> DiskError:
    return DiskError(507, "InsufficientStorageError", "Insufficient Storage", "Недостаточно свободного места.")


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
    groups: dict[str, list[str]] = {}
    for spec in filter(None, (f.strip() for f in fields.split(","))):
        head, _, rest = spec.partition(".")
        groups.setdefault(head, []).append(rest)
    out: dict[str, Any] = {}
    for head, rests in groups.items():
        if head not in data:
            continue
        value = data[head]
        inner = ",".join(rests)
        if "" in rests or not isinstance(value, (dict, list)):
            out[head] = value
        elif isinstance(value, dict):
            out[head] = select_fields(value, inner)
        else:
            out[head] = [select_fields(v, inner) if isinstance(v, dict) else v for v in value]
    return out


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, tz=timezone.utc).isoformat(timespec="seconds")


# ---------------------------------------------------------------------------------------------------- model


@dataclass
class Blob:
    """File content, shared by copies (reference counted).

    Kept in an anonymous temporary file (unlinked at creation, in ``$TMPDIR``): the bytes live in the file system,
    not in the heap, and vanish when the last copy is released or the process ends, however it ends.
    """

    id: str
    file: IO[bytes]
    size: int
    md5: str
    sha256: str
    refs: int = 0


@dataclass
class Node:
    name: str
    type: str  # "dir" | "file"
    created: float
    modified: float
    resource_id: str
    children: dict[str, Node] | None = None
    blob: Blob | None = None
    public_key: str | None = None
    public_url: str | None = None
    custom_properties: dict[str, Any] = field(default_factory=dict)
    uploaded: float | None = None
    revision: int = 0

    def walk(self) -> Iterator[Node]:
        yield self
        for child in (self.children or {}).values():
            yield from child.walk()

    @property
    def size(self) -> int:
        return sum(n.blob.size for n in self.walk() if n.blob is not None)


@dataclass
class TrashItem:
    node: Node
    origin_path: str
    deleted: float


@dataclass
class UploadTarget:
    uid: str
    path: str
    overwrite: bool
    expires_at: float
    operation_id: str
    used: bool = False


@dataclass
class Operation:
    id: str
    uid: str
    kind: str
    created: float
    due_at: float | None  # None: completes on an event (the upload PUT)
    action: Callable[[], None] | None = None
    fail: bool = False
    status: str = "in-progress"


@dataclass
class Settings:
    total_space: int = 10 * GIB
    max_file_size: int = 1_073_741_824
    operation_duration: float = 2.0
    fail_next_operations: int = 0
    upload_link_ttl: float = 1800.0  # "lapses if not used within 30 minutes" [OFFICIAL]
    # The uploader answers 202 (received, not yet in Disk) for uploads over this size and for the next N uploads
    # (see yandex_uploader.py). 1 GiB: above the free accounts' limit, where 202s were reported (rclone #8994).
    upload_async_over: int = GIB
    upload_async_next: int = 0
    download_link_ttl: float = 1800.0  # UNCONFIRMED; the sandbox picks a short life

    def update(self, data: dict[str, Any]) -> None:
        for key, value in data.items():
            if key not in self.__dataclass_fields__:
                raise ValueError(f"unknown yandex_disk setting {key!r}; known: {sorted(self.__dataclass_fields__)}")
            kind = type(getattr(self, key))
            if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
                raise ValueError(f"{key} must be a non-negative number")
            setattr(self, key, kind(value))


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
    settings: Settings
    clock: Callable[[], float]
    paid_max_file_size: int = 53_687_091_200
    is_paid: bool = False
    system_folders: dict[str, str] = field(default_factory=_default_system_folders)
    reg_time: str = "2020-01-01T00:00:00+00:00"
    roots: dict[str, Node] = field(default_factory=dict)
    trash: dict[str, TrashItem] = field(default_factory=dict)

    def __post_init__(self) -> None:
        now = self.clock()
        for scheme in ("disk", "app"):
            self.roots[scheme] = Node(scheme, "dir", now, now, secrets.token_hex(16), children={})

    @property
    def total_space(self) -> int:
        return self.settings.total_space

    @property
    def max_file_size(self) -> int:
        return self.settings.max_file_size

    @property
    def trash_size(self) -> int:
        return sum(item.node.size for item in self.trash.values())

    @property
    def used_space(self) -> int:  # the trash counts against the quota, as at Yandex
        return sum(root.size for root in self.roots.values()) + self.trash_size

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


# ---------------------------------------------------------------------------------------------------- paths


def split_path(raw: str | None, *, param: str = "path", default_scheme: str = "disk",
               schemes: tuple[str, ...] = ("disk", "app")) -> tuple[str, list[str]]:
    """``disk:/a/b`` | ``/a/b`` | ``a/b`` | ``app:/a`` -> (scheme, ["a", "b"]); 400 for anything invalid."""
    if raw is None or raw == "":
        raise field_error(param)
    if len(raw) > MAX_PATH:
        raise field_error(param, f"Path is longer than {MAX_PATH} characters.")
    scheme, sep, rest = raw.partition(":")
    if sep and scheme.isalpha():
        if scheme not in schemes:
            raise field_error(param, f"Unsupported path scheme {scheme!r}.")
    else:
        scheme, rest = default_scheme, raw
    parts = [p for p in rest.split("/") if p]
    for part in parts:
        if part in (".", ".."):
            raise field_error(param, "Path segments '.' and '..' are not allowed.")
        if len(part) > MAX_NAME:
            raise field_error(param, f"Resource name is longer than {MAX_NAME} characters.")
    return scheme, parts


def join_path(scheme: str, parts: list[str]) -> str:
    return f"{scheme}:/" + "/".join(parts)


def media_type(name: str) -> tuple[str, str]:
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    ext = os.path.splitext(name)[1].lower()
    kind = _MEDIA_TYPES.get(mime.split("/")[0]) or _EXT_MEDIA.get(ext) or ("text" if mime.startswith("text/") else
                                                                           "unknown")
    return mime, kind


# ---------------------------------------------------------------------------------------------------- state


class YandexDiskState:
    """Per-user disks (created on first use), upload targets, operations and blobs for one sandbox."""

    def __init__(self, state: SandboxState) -> None:
        self.clock = state.clock
        self._record = state.record
        self._lock = threading.RLock()
        self.settings = Settings()
        self.accounts: dict[str, DiskAccount] = {}
        self.uploads: dict[str, UploadTarget] = {}
        self.operations: dict[str, Operation] = {}
        self.public: dict[str, tuple[str, str]] = {}  # public key -> (uid, path)
        self.blobs: dict[str, Blob] = {}
        self.secret = secrets.token_bytes(32)
        self._ids = itertools.count(1)
        self.account(SANDBOX_USER_ID)  # the seeded user exists from the start

    # -- control API
    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.settings.update(data)
            return self.dump()

    def dump(self) -> dict[str, Any]:
        with self._lock:
            self.settle()
            return {
                "settings": dict(self.settings.__dict__),
                "disks": {uid: acc.info() for uid, acc in self.accounts.items()},
                "trees": {uid: self._tree(acc) for uid, acc in self.accounts.items()},
                "operations": {op.id: op.status for op in self.operations.values() if op.kind != "upload"},
            }

    def _tree(self, account: DiskAccount) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for scheme, root in account.roots.items():
            for path, node in self._paths(scheme, root):
                out[path] = {"type": node.type, "size": node.blob.size if node.blob else None,
                             "md5": node.blob.md5 if node.blob else None}
        for name, item in account.trash.items():
            out[f"trash:/{name}"] = {"type": item.node.type, "origin_path": item.origin_path}
        return out

    def _paths(self, scheme: str, root: Node, parts: list[str] | None = None) -> Iterator[tuple[str, Node]]:
        parts = parts or []
        for name, child in (root.children or {}).items():
            yield join_path(scheme, [*parts, name]), child
            yield from self._paths(scheme, child, [*parts, name])

    # -- accounts and tree
    def account(self, uid: str) -> DiskAccount:
        with self._lock:
            if uid not in self.accounts:
                suffix = "" if uid == SANDBOX_USER_ID else f"-{uid}"
                self.accounts[uid] = DiskAccount(DiskUser(uid=uid, login=f"sandbox-user{suffix}"),
                                                 self.settings, self.clock.now)
            return self.accounts[uid]

    def new_id(self) -> str:
        return secrets.token_hex(16)

    def find(self, account: DiskAccount, scheme: str, parts: list[str]) -> Node | None:
        node = account.roots[scheme]
        for part in parts:
            if node.children is None or part not in node.children:
                return None
            node = node.children[part]
        return node

    def get(self, account: DiskAccount, raw: str | None, param: str = "path") -> tuple[str, list[str], Node]:
        scheme, parts = split_path(raw, param=param)
        node = self.find(account, scheme, parts)
        if node is None:
            raise not_found()
        return scheme, parts, node

    def parent_of(self, account: DiskAccount, scheme: str, parts: list[str]) -> Node:
        """The existing folder that will hold ``parts``, or 409 DiskPathDoesntExistsError."""
        if not parts:
            raise field_error("path", "The root cannot be changed.")
        parent = self.find(account, scheme, parts[:-1])
        if parent is None or parent.type != "dir":
            raise path_doesnt_exist(join_path(scheme, parts[:-1]))
        return parent

    def check_target(self, account: DiskAccount, scheme: str, parts: list[str], overwrite: bool) -> Node:
        """Parent of a new resource at ``parts``; 409s for a missing parent or an existing resource."""
        parent = self.parent_of(account, scheme, parts)
        existing = (parent.children or {}).get(parts[-1])
        if existing is not None and not overwrite:
            raise already_exists(join_path(scheme, parts))
        return parent

    def place(self, parent: Node, name: str, node: Node) -> None:
        assert parent.children is not None
        old = parent.children.get(name)
        if old is not None:
            self.release(old)
        node.name = name
        parent.children[name] = node
        parent.modified = self.clock.now()

    def release(self, node: Node) -> None:
        """Drop a subtree for good: unpublish it and free blobs nobody else references."""
        for n in node.walk():
            if n.public_key:
                self.public.pop(n.public_key, None)
            if n.blob is not None:
                n.blob.refs -= 1
                if n.blob.refs <= 0:
                    self.blobs.pop(n.blob.id, None)
                    n.blob.file.close()

    def clone(self, node: Node) -> Node:
        now = self.clock.now()
        copy = Node(node.name, node.type, now, now, self.new_id(), blob=node.blob,
                    custom_properties=dict(node.custom_properties), uploaded=node.uploaded,
                    children={} if node.children is not None else None)
        if node.blob is not None:
            node.blob.refs += 1
        for name, child in (node.children or {}).items():
            assert copy.children is not None
            copy.children[name] = self.clone(child)
        return copy

    def check_room(self, account: DiskAccount, size: int) -> None:
        if account.used_space + size > account.total_space:
            raise insufficient_storage()

    # -- blobs
    def new_blob_file(self) -> tuple[str, IO[bytes]]:
        return self.new_id(), tempfile.TemporaryFile(prefix="yandex-disk-sandbox-")  # noqa: SIM115 - the Blob owns it

    def blob_from_bytes(self, data: bytes) -> Blob:
        blob_id, fh = self.new_blob_file()
        fh.write(data)
        fh.flush()
        blob = Blob(blob_id, fh, len(data), hashlib.md5(data).hexdigest(),  # noqa: S324 - Yandex's integrity tag
                    hashlib.sha256(data).hexdigest())
        self.blobs[blob_id] = blob
        return blob

    # -- operations
    def start_operation(self, uid: str, kind: str, action: Callable[[], None] | None,
                        due_in: float | None = None) -> Operation:
        fail = False
        if self.settings.fail_next_operations > 0 and kind != "upload":
            self.settings.fail_next_operations -= 1
            fail = True
        now = self.clock.now()
        due = None if action is None else now + (self.settings.operation_duration if due_in is None else due_in)
        op = Operation(secrets.token_hex(32), uid, kind, now, due, action, fail)
        self.operations[op.id] = op
        return op

    def settle(self) -> None:
        """Complete every operation whose time has come (called at the start of every request)."""
        now = self.clock.now()
        for op in sorted(self.operations.values(), key=lambda o: o.created):
            if op.status != "in-progress" or op.due_at is None or op.due_at > now or op.action is None:
                continue
            if op.fail:
                op.status = "failed"
                continue
            try:
                op.action()
                op.status = "success"
            except DiskError:
                op.status = "failed"

    # -- links
    def sign(self, payload: dict[str, Any]) -> str:
        raw = base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).rstrip(b"=").decode()
        mac = hmac.new(self.secret, raw.encode(), hashlib.sha256).hexdigest()[:32]
        return f"{raw}.{mac}"

    def unsign(self, token: str) -> dict[str, Any] | None:
        raw, _, mac = token.partition(".")
        expected = hmac.new(self.secret, raw.encode(), hashlib.sha256).hexdigest()[:32]
        if not mac or not hmac.compare_digest(mac, expected):
            return None
        try:
            data = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    def download_href(self, base: str, blob: Blob, name: str) -> str:
        token = self.sign({"b": blob.id, "e": self.clock.now() + self.settings.download_link_ttl})
        return (f"{base}{DOWNLOADER_PREFIX}/disk/{token}?filename={quote(name)}&disposition=attachment"
                f"&fsize={blob.size}&etag={blob.md5}")


def _disk(state: SandboxState) -> YandexDiskState:
    disk = state.services[NAME]
    assert isinstance(disk, YandexDiskState)
    return disk


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


# ---------------------------------------------------------------------------------------------------- routes


def _routes(state: SandboxState) -> list[BaseRoute]:  # noqa: C901 - one closure per endpoint keeps them together
    Handler = Callable[..., Any]

    def endpoint(methods: dict[str, Handler], *, public: bool = False):  # type: ignore[no-untyped-def]
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

    # ---- /v1/disk
    async def disk_info(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        return fields(request, account.info())

    # ---- /v1/disk/resources
    async def get_resource(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts, node = ydisk.get(account, request.query_params.get("path"))
        path = join_path(scheme, parts)
        return fields(request, resource(account, ydisk, node, path, request, uid=account.user.uid, embedded=True))

    async def create_folder(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts = split_path(request.query_params.get("path"))
        parent = ydisk.parent_of(account, scheme, parts)
        existing = (parent.children or {}).get(parts[-1])
        path = join_path(scheme, parts)
        if existing is not None:
            raise points_to_directory(path) if existing.type == "dir" else already_exists(path)
        now = ydisk.clock.now()
        ydisk.place(parent, parts[-1], Node(parts[-1], "dir", now, now, ydisk.new_id(), children={}))
        state.record(NAME, "folder", path=path)
        return fields(request, _link(request, path), 201)

    async def patch_resource(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts, node = ydisk.get(account, request.query_params.get("path"))
        try:
            body = json.loads(await request.body() or b"null")
        except ValueError:
            raise field_error("body", "Must be JSON.") from None
        if not isinstance(body, dict) or not isinstance(body.get("custom_properties"), dict):
            raise field_error("custom_properties")
        for key, value in body["custom_properties"].items():
            if value is None:
                node.custom_properties.pop(key, None)
            else:
                node.custom_properties[key] = value
        path = join_path(scheme, parts)
        return fields(request, resource(account, ydisk, node, path, request, uid=account.user.uid))

    def trash_name(name: str) -> str:
        return f"{name}_{secrets.token_hex(20)}"

    async def delete_resource(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts, node = ydisk.get(account, request.query_params.get("path"))
        if not parts:
            raise field_error("path", "The root cannot be deleted.")
        permanently = _bool(request, "permanently")
        force_async = _bool(request, "force_async")
        md5 = request.query_params.get("md5")
        if md5 and (node.blob is None or node.blob.md5 != md5.lower()):
            raise DiskError(409, "MD5DifferError", "MD5 checksum of the resource doesn't match.",
                            "Контрольная сумма MD5 ресурса не совпадает.")
        path = join_path(scheme, parts)

        def remove() -> None:
            parent = ydisk.find(account, scheme, parts[:-1])
            current = (parent.children or {}).get(parts[-1]) if parent else None
            if current is not node or parent is None or parent.children is None:
                raise not_found()
            del parent.children[parts[-1]]
            if permanently:
                ydisk.release(node)
            else:
                for n in node.walk():
                    if n.public_key:
                        ydisk.public.pop(n.public_key, None)
                        n.public_key = n.public_url = None
                account.trash[trash_name(node.name)] = TrashItem(node, path, ydisk.clock.now())

        if force_async or (node.type == "dir" and node.children):
            op = ydisk.start_operation(account.user.uid, "delete", remove)
            return fields(request, _operation_link(request, op), 202)
        remove()
        return Response(status_code=204)

    # ---- flat lists
    def all_files(account: DiskAccount) -> list[tuple[str, Node]]:
        out = []
        for scheme, root in account.roots.items():
            out += [(p, n) for p, n in _disk(state)._paths(scheme, root) if n.type == "file"]
        return out

    def filter_media(request: Request, items: list[tuple[str, Node]]) -> list[tuple[str, Node]]:
        wanted = {m.strip() for m in (request.query_params.get("media_type") or "").split(",") if m.strip()}
        return [(p, n) for p, n in items if not wanted or media_type(n.name)[1] in wanted]

    async def list_files(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        items = _sorted(filter_media(request, all_files(account)), request.query_params.get("sort"))
        limit, offset = _int(request, "limit", 20, maximum=10_000), _int(request, "offset", 0)
        return fields(request, {
            "items": [resource(account, ydisk, n, p, request, uid=account.user.uid)
                      for p, n in items[offset: offset + limit]],
            "limit": limit, "offset": offset,
        })

    async def last_uploaded(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        items = [(p, n) for p, n in filter_media(request, all_files(account)) if n.uploaded is not None]
        items.sort(key=lambda pn: (pn[1].uploaded or 0, pn[1].revision), reverse=True)
        limit = _int(request, "limit", 20, maximum=10_000)
        return fields(request, {
            "items": [resource(account, ydisk, n, p, request, uid=account.user.uid) for p, n in items[:limit]],
            "limit": limit,
        })

    # ---- uploads and downloads
    async def upload_link(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts = split_path(request.query_params.get("path"))
        overwrite = _bool(request, "overwrite")
        parent = ydisk.parent_of(account, scheme, parts)
        existing = (parent.children or {}).get(parts[-1])
        path = join_path(scheme, parts)
        if existing is not None and existing.type == "dir":
            raise points_to_directory(path)
        if existing is not None and not overwrite:
            raise already_exists(path)
        op = ydisk.start_operation(account.user.uid, "upload", None)
        target_id = f"{int(ydisk.clock.now())}.utd.{secrets.token_urlsafe(24)}"
        ydisk.uploads[target_id] = UploadTarget(account.user.uid, path, overwrite,
                                                ydisk.clock.now() + ydisk.settings.upload_link_ttl, op.id)
        return fields(request, {
            "operation_id": op.id,
            "href": f"{_storage_base(request)}{UPLOADER_PREFIX}/upload-target/{target_id}",
            "method": "PUT",
            "templated": False,
        })

    async def upload_from_url(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        url = request.query_params.get("url")
        if not url:
            raise field_error("url")
        parts_url = urlsplit(url)
        if parts_url.scheme not in ("http", "https") or not parts_url.netloc:
            raise field_error("url", "Must be an http or https URL.")
        scheme, parts = split_path(request.query_params.get("path"))
        ydisk.check_target(account, scheme, parts, overwrite=False)
        path = join_path(scheme, parts)
        source_blob = None
        if parts_url.path.startswith(f"{DOWNLOADER_PREFIX}/"):
            token = parts_url.path.rsplit("/", 1)[-1]
            data = ydisk.unsign(token)
            source_blob = ydisk.blobs.get(str(data.get("b"))) if data else None

        def fetch() -> None:
            parent = ydisk.check_target(account, scheme, parts, overwrite=False)
            blob = source_blob if source_blob is not None and source_blob.id in ydisk.blobs else None
            if blob is None:
                blob = ydisk.blob_from_bytes(f"sandbox upload of {url}\n".encode())
            ydisk.check_room(account, blob.size)
            blob.refs += 1
            now = ydisk.clock.now()
            ydisk.place(parent, parts[-1], Node(parts[-1], "file", now, now, ydisk.new_id(), blob=blob, uploaded=now,
                                                    revision=next(ydisk._ids)))
            state.record(NAME, "upload_from_url", path=path, size=blob.size, md5=blob.md5)

        op = ydisk.start_operation(account.user.uid, "upload_from_url", fetch)
        return fields(request, _operation_link(request, op), 202)

    async def download_link(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        _scheme, _parts, node = ydisk.get(account, request.query_params.get("path"))
        if node.blob is None:
            # Folders download as zip at Yandex; the sandbox does not build archives (stricter: refuse).
            raise DiskError(400, "DiskNotAFileError", "Downloading folders is not supported by the sandbox.",
                            "Скачивание папок в песочнице не поддерживается.")
        return fields(request, {"href": ydisk.download_href(_storage_base(request), node.blob, node.name),
                                "method": "GET", "templated": False})

    # ---- copy / move
    def transfer(kind: str):  # type: ignore[no-untyped-def]
        async def handler(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
            src_scheme, src_parts, node = ydisk.get(account, request.query_params.get("from"), param="from")
            scheme, parts = split_path(request.query_params.get("path"))
            overwrite = _bool(request, "overwrite")
            force_async = _bool(request, "force_async")
            if not src_parts:
                raise field_error("from", "The root cannot be copied or moved.")
            if src_scheme == scheme and parts[: len(src_parts)] == src_parts:
                raise field_error("path", "Cannot copy or move a resource into itself.")
            ydisk.check_target(account, scheme, parts, overwrite)
            path = join_path(scheme, parts)
            if kind == "copy":
                ydisk.check_room(account, node.size)

            def apply() -> None:
                current = ydisk.find(account, src_scheme, src_parts)
                if current is None:
                    raise not_found()
                parent = ydisk.check_target(account, scheme, parts, overwrite)
                if kind == "copy":
                    ydisk.place(parent, parts[-1], ydisk.clone(current))
                else:
                    source_parent = ydisk.find(account, src_scheme, src_parts[:-1])
                    assert source_parent is not None and source_parent.children is not None
                    del source_parent.children[src_parts[-1]]
                    ydisk.place(parent, parts[-1], current)
                state.record(NAME, kind, path=path, source=join_path(src_scheme, src_parts))

            if force_async or (node.type == "dir" and node.children):
                op = ydisk.start_operation(account.user.uid, kind, apply)
                return finish(request, op, path)
            apply()
            return finish(request, None, path)

        return handler

    # ---- publishing
    async def publish(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts, node = ydisk.get(account, request.query_params.get("path"))
        path = join_path(scheme, parts)
        if not node.public_key:
            key = base64.b64encode(secrets.token_bytes(33)).decode()
            node.public_key, node.public_url = key, f"https://yadi.sk/{'d' if node.type == 'dir' else 'i'}/" + (
                secrets.token_urlsafe(10))
            ydisk.public[key] = (account.user.uid, path)
            state.record(NAME, "publish", path=path, public_url=node.public_url)
        return fields(request, _link(request, path))

    async def unpublish(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        scheme, parts, node = ydisk.get(account, request.query_params.get("path"))
        if node.public_key:
            ydisk.public.pop(node.public_key, None)
            node.public_key = node.public_url = None
        return fields(request, _link(request, join_path(scheme, parts)))

    async def list_public(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        kind = request.query_params.get("type")
        if kind not in (None, "", "file", "dir"):
            raise field_error("type", "Must be 'file' or 'dir'.")
        items = []
        for scheme, root in account.roots.items():
            items += [(p, n) for p, n in ydisk._paths(scheme, root) if n.public_key and (not kind or n.type == kind)]
        items = _sorted(items, "path")
        limit, offset = _int(request, "limit", 20, maximum=10_000), _int(request, "offset", 0)
        body: dict[str, Any] = {
            "items": [resource(account, ydisk, n, p, request, uid=account.user.uid)
                      for p, n in items[offset: offset + limit]],
            "limit": limit, "offset": offset,
        }
        if kind:
            body["type"] = kind
        return fields(request, body)

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
            state.record(NAME, "save_public", path=path)

        if _bool(request, "force_async") or node.type == "dir":
            op = ydisk.start_operation(account.user.uid, "save_public", save)
            return finish(request, op, path)
        save()
        return finish(request, None, path)

    # ---- operations
    async def operation(request: Request, ydisk: YandexDiskState, account: DiskAccount) -> Response:
        op = ydisk.operations.get(request.path_params["op_id"])
        if op is None or op.uid != account.user.uid:
            raise DiskError(404, "DiskOperationNotFoundError", "Operation not found.", "Операция не найдена.")
        return fields(request, {"status": op.status})

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
            state.record(NAME, "restore", path=target)

        if _bool(request, "force_async") or (item.node.type == "dir" and item.node.children):
            op = ydisk.start_operation(account.user.uid, "restore", restore)
            return finish(request, op, target)
        restore()
        return finish(request, None, target)

    async def unknown(request: Request, ydisk: YandexDiskState, account: DiskAccount | None) -> Response:
        raise not_found()

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
        Route(v1 + path, endpoint(handlers, public=public), methods=ALL_METHODS) for path, handlers, public in table
    ]
    not_found_everywhere = {m: unknown for m in ALL_METHODS}
    routes.append(Route(PREFIX + "/{rest:path}", endpoint(not_found_everywhere, public=True), methods=ALL_METHODS))
    return routes


# The uploader (upload hrefs) lives in yandex_uploader.py, on the storage listener.


# ---------------------------------------------------------------------------------------------------- downloader


def _bad_link() -> Response:
    # Observed for expired or bad links: nginx's 500 page.
    return Response(b"<html><head><title>500 Internal Server Error</title></head><body><center><h1>500 Internal "
                    b"Server Error</h1></center><hr><center>nginx</center></body></html>", status_code=500,
                    media_type="text/html")


def _downloader_routes(state: SandboxState) -> list[BaseRoute]:
    def lookup(token: str) -> Blob | None:
        disk = _disk(state)
        data = disk.unsign(token)
        if data is None or float(data.get("e", 0)) <= disk.clock.now():
            return None
        return disk.blobs.get(str(data.get("b")))

    async def redirect(request: Request) -> Response:
        token = request.path_params["token"]
        if lookup(token) is None:
            return _bad_link()
        query = request.url.query
        return RedirectResponse(f"{DOWNLOADER_PREFIX}/get/{token}" + (f"?{query}" if query else ""), status_code=302)

    async def get(request: Request) -> Response:
        blob = lookup(request.path_params["token"])
        if blob is None or blob.file.closed:
            return _bad_link()
        fd, size = blob.file.fileno(), blob.size

        def chunks() -> Iterator[bytes]:
            offset = 0  # pread: concurrent downloads of one blob share the descriptor, not a file position
            while offset < size and (chunk := os.pread(fd, min(CHUNK, size - offset), offset)):
                offset += len(chunk)
                yield chunk

        filename = unquote(request.query_params.get("filename") or "file")
        headers = {
            "content-length": str(blob.size),
            "etag": f'"{blob.md5}"',
            "content-disposition": f"attachment; filename*=UTF-8''{quote(filename)}",
        }
        return StreamingResponse(chunks(), media_type="application/octet-stream", headers=headers)

    return [
        Route(f"{DOWNLOADER_PREFIX}/disk/{{token}}", redirect, methods=["GET"]),
        Route(f"{DOWNLOADER_PREFIX}/get/{{token}}", get, methods=["GET"]),
    ]


SERVICE = ServiceSpec(
    name=NAME,
    prefix=PREFIX,
    routes=_routes,
    state_factory=YandexDiskState,
    description="Yandex Disk REST API",
)
DOWNLOADER = ServiceSpec(
    name=DOWNLOADER_NAME, prefix=DOWNLOADER_PREFIX, routes=_downloader_routes,
    description="Yandex Disk download hrefs", listener="storage",
)
