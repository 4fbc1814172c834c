"""Seeded files for the flat listings (``/resources/files``, ``/resources/last-uploaded``) to page through.

Control API (``POST /_control/state/yandex_disk``)::

    {"seed": {"files": 5000, "folder"?: "/seeded", "per_folder"?: 100, "start"?: <unix time>, "step"?: 60,
              "uid"?: "<user>"}}

File ``i`` is ``{folder}/dNNNN/fileNNNNNN.{jpg,txt,pdf,mp4}`` (the extension cycles, so media types differ),
created, modified and uploaded at ``start + i * step`` (default: ending now). All seeded files share one small
content (reference counted like copies), so thousands of them cost no disk space. Seeding appends.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from ..clock import SandboxClock
from ..oauth_server import SANDBOX_USER_ID
from .records import Blob, DiskAccount, Node, split_path


class SeededDisk(Protocol):
    """What seeding uses of the Disk sandbox's state (``YandexDiskState``, which imports this module)."""

    @property
    def clock(self) -> SandboxClock: ...

    @property
    def _ids(self) -> Iterator[int]: ...

    def account(self, uid: str) -> DiskAccount: ...

    def new_id(self) -> str: ...

    def blob_from_bytes(self, data: bytes) -> Blob: ...

    def release(self, node: Node) -> None: ...

SEED_FIELDS = frozenset({"files", "folder", "per_folder", "start", "step", "uid"})
EXTENSIONS = ("jpg", "txt", "pdf", "mp4")


def _number(spec: dict[str, Any], name: str, default: int, low: int) -> int:
    value = spec.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"'seed.{name}' must be an integer >= {low}")
    return value


def seed(disk: SeededDisk, spec: Any) -> None:
    """Add seeded files (see the module's docstring)."""
    if not isinstance(spec, dict) or set(spec) - SEED_FIELDS:
        raise ValueError(f"'seed' must be a mapping of {sorted(SEED_FIELDS)}")
    files = _number(spec, "files", 0, 0)
    per_folder = _number(spec, "per_folder", 100, 1)
    step = _number(spec, "step", 60, 0)
    start = _number(spec, "start", int(disk.clock.now()) - step * files, 0)
    scheme, parts = split_path(str(spec.get("folder", "/seeded")))
    account = disk.account(str(spec.get("uid", SANDBOX_USER_ID)))
    if files == 0:
        return
    blob = disk.blob_from_bytes(b"seeded file\n")
    folder = account.roots[scheme]
    for part in parts:
        assert folder.children is not None
        child = folder.children.get(part)
        if child is None or child.children is None:
            child = Node(part, "dir", start, start, disk.new_id(), children={})
            folder.children[part] = child
        folder = child
    for i in range(files):
        stamp = start + i * step
        sub = f"d{i // per_folder:04d}"
        assert folder.children is not None
        if sub not in folder.children:
            folder.children[sub] = Node(sub, "dir", stamp, stamp, disk.new_id(), children={})
        directory = folder.children[sub]
        name = f"file{i:06d}.{EXTENSIONS[i % len(EXTENSIONS)]}"
        assert directory.children is not None
        if name in directory.children:
            disk.release(directory.children[name])
        blob.refs += 1
        directory.children[name] = Node(name, "file", stamp, stamp, disk.new_id(), blob=blob, uploaded=stamp,
                                        revision=next(disk._ids))
