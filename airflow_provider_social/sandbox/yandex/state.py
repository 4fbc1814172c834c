"""The Yandex Disk sandbox's state: per-user disks, upload targets, operations, blobs; token check."""

from __future__ import annotations

import base64
import hashlib
import hmac
import itertools
import json
import secrets
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import IO, TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import Request

from ..oauth_server import SANDBOX_USER_ID
from .constants import DOWNLOADER_PREFIX, NAME
from .errors import DiskError, already_exists, field_error, insufficient_storage, not_found, path_doesnt_exist
from .oauth import OAUTH_NAME
from .records import Blob, DiskAccount, DiskUser, Node, Operation, Settings, UploadTarget, join_path, split_path

if TYPE_CHECKING:
    from ..state import SandboxState


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

    def record(self, kind: str, **data: Any) -> None:
        """Add a ``yandex_disk`` event to the sandbox's created log (what tests inspect)."""
        self._record(NAME, kind, **data)

    # -- control API
    def configure(self, data: dict[str, Any]) -> dict[str, Any]:
        """Control API ``POST /_control/state/yandex_disk``: settings (:class:`.records.Settings`) and
        ``{"seed": {"files": N, ...}}`` (:mod:`.history`)."""
        with self._lock:
            settings = dict(data)
            if "seed" in settings:
                from .history import seed

                seed(self, settings.pop("seed"))
            self.settings.update(settings)
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
