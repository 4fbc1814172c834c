"""What a disk holds: blobs, the tree of nodes, trash, upload targets, operations, settings, accounts;
and the path rules (``disk:``, ``app:``, ``trash:``)."""

from __future__ import annotations

import mimetypes
import os
import secrets
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from .constants import _EXT_MEDIA, _MEDIA_TYPES, GIB, MAX_NAME, MAX_PATH
from .errors import field_error

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
    #: The throttled media type of the name the link was requested for (None: not throttled), and the rate.
    throttle: str | None = None
    throttle_rate: float = 0.0


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
    # (see uploader.py). 1 GiB: above the free accounts' limit, where 202s were reported (rclone #8994).
    upload_async_over: int = GIB
    upload_async_next: int = 0
    download_link_ttl: float = 1800.0  # UNCONFIRMED; the sandbox picks a short life
    # The upload throttle (bytes/s; 0: off) for data/compressed/video names, fixed when the link is requested.
    # 128 KiB/s as yadisk's known issues report. The uploader answers a throttled PUT no sooner than
    # size / rate * upload_throttle_time_scale real seconds after it began (1: as slow as Yandex; tests set 0 and
    # read the time the throttle would have taken from the upload event's ``throttled_seconds``).
    upload_throttle_rate: float = 131072.0
    upload_throttle_time_scale: float = 1.0
    # 1: the download host answers a single Range with 206 (UNCONFIRMED at Yandex); 0: it ignores Range (200, the
    # whole file), so clients can be tested against a host that does not honour it.
    download_ranges: int = 1

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
    # The extension table first: Python's MIME table calls .3gp audio, Yandex (yadisk's known issues) video.
    kind = _EXT_MEDIA.get(ext) or _MEDIA_TYPES.get(mime.split("/")[0]) or ("text" if mime.startswith("text/") else
                                                                           "unknown")
    return mime, kind
