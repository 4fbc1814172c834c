"""``yadisk://``: Yandex Disk as an fsspec filesystem and an Airflow object store.

Airflow finds it through the provider's ``filesystems`` entry (this module's :data:`schemes` and :func:`get_fs`);
fsspec and ``universal_pathlib`` through entry points (``pyproject.toml``), so ``ObjectStoragePath`` accepts the
scheme. Everything goes through :class:`~airflow_provider_social.hooks.yandex_disk.YandexDiskHook`: its transport
and retries, token refresh and store, masking of links, and the upload throttle workaround.

URL form, as Airflow's ``ObjectStoragePath`` parses it: the connection id is the user part and the host is empty,
``yadisk://yandex_disk_default@/backups/db.sql`` (Disk path ``disk:/backups/db.sql``). Without a user part the
connection is ``yandex_disk_default``. fsspec paths are ``/backups/db.sql``; ``disk:/backups/db.sql`` is accepted
too. A host, as in ``yadisk://backups/db.sql``, is read as the first folder (like ``memory://``).
"""

from __future__ import annotations

import errno
import os
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any

from fsspec.spec import AbstractFileSystem
from fsspec.utils import stringify_path

from airflow_provider_social.fs.disk_translation import from_disk, os_errors, to_disk
from airflow_provider_social.fs.yadisk_files import YandexDiskReadFile, YandexDiskWriteFile

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

#: The schemes Airflow maps to :func:`get_fs`.
schemes = ["yadisk"]

DEFAULT_CONN_ID = "yandex_disk_default"

#: The resource keys an fsspec listing or ``info`` reads.
_FIELDS = ("name", "path", "type", "size", "md5", "sha256", "created", "modified", "mime_type", "media_type")


def get_fs(conn_id: str | None, storage_options: dict[str, Any] | None = None) -> YandexDiskFileSystem:
    """The ``yadisk://`` filesystem of a connection (Airflow's ``filesystems`` contract).

    :param conn_id: a ``yandex_disk`` connection (None: ``yandex_disk_default``).
    :param storage_options: :class:`YandexDiskFileSystem` options (``permanently``, ``avoid_throttle``).
    """
    return YandexDiskFileSystem(conn_id=conn_id, **(storage_options or {}))


def _entry(item: dict[str, Any]) -> dict[str, Any]:
    """A Disk resource as fsspec describes a file or directory."""
    is_dir = item.get("type") == "dir"
    entry = {"name": from_disk(str(item.get("path", ""))), "size": 0 if is_dir else int(item.get("size") or 0),
             "type": "directory" if is_dir else "file"}
    for key in ("md5", "sha256", "created", "modified", "mime_type", "media_type"):
        if item.get(key) is not None:
            entry[key] = item[key]
    return entry


class YandexDiskFileSystem(AbstractFileSystem):
    """Yandex Disk (the user's ``disk:/``) as an fsspec filesystem, over :class:`YandexDiskHook`.

    :param conn_id: the ``yandex_disk`` connection (default ``yandex_disk_default``).
    :param hook: a hook to use instead of building one from ``conn_id`` (tests, or a hook configured in code).
    :param permanently: ``rm`` deletes for good instead of moving to the trash (the trash counts against the quota).
    :param avoid_throttle: upload names Yandex throttles (``.zip``, ``.db``, ``.mp4``, ...) under a temporary name
        and rename them (the hook's ``avoid_throttle``).
    """

    protocol = ("yadisk",)
    root_marker = "/"
    # Each instance holds a hook (its token, its session): never share one between connections or tests.
    cachable = False

    def __init__(self, conn_id: str | None = None, *, hook: YandexDiskHook | None = None, permanently: bool = False,
                 avoid_throttle: bool = True, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.conn_id = conn_id or (hook.conn_id if hook is not None else DEFAULT_CONN_ID)
        self._hook = hook
        self.permanently = permanently
        self.avoid_throttle = avoid_throttle

    @cached_property
    def hook(self) -> YandexDiskHook:
        """The hook every call goes through (built on first use: building reads the Connection)."""
        if self._hook is not None:
            return self._hook
        from airflow_provider_social.hooks.yandex_disk import YandexDiskHook

        return YandexDiskHook(self.conn_id)

    @property
    def fsid(self) -> str:
        return f"yadisk-{self.conn_id}"

    # ---------------------------------------------------------------------------------------------- paths
    @classmethod
    def _strip_protocol(cls, path: Any) -> Any:
        if isinstance(path, list):
            return [cls._strip_protocol(p) for p in path]
        text = stringify_path(path)
        if text.startswith("yadisk://"):
            netloc, _, rest = text[len("yadisk://"):].partition("/")
            host = netloc.rpartition("@")[2]  # a connection id in the user part is Airflow's, not a path
            text = f"{host}/{rest}" if host else rest
        elif text.startswith("disk:"):
            text = text[len("disk:"):]
        text = text.strip("/")
        return "/" + text if text else ""

    @staticmethod
    def _get_kwargs_from_urls(path: str) -> dict[str, Any]:
        netloc = path[len("yadisk://"):].partition("/")[0] if path.startswith("yadisk://") else ""
        user, at, _host = netloc.rpartition("@")
        return {"conn_id": user} if at and user else {}

    # ---------------------------------------------------------------------------------------------- reading the tree
    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        path = self._strip_protocol(path)
        with os_errors(path):
            item = self.hook.get_metadata(to_disk(path), fields=",".join(_FIELDS))
        return _entry(item)

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        from airflow_provider_social.core.errors import ValidationError

        path = self._strip_protocol(path)
        with os_errors(path):
            try:
                entries = [_entry(item) for item in self.hook.iter_folder(to_disk(path), page_size=1000,
                                                                        fields=list(_FIELDS))]
            except ValidationError:  # a file: fsspec lists a file as itself
                entries = [self.info(path)]
        return entries if detail else [entry["name"] for entry in entries]

    def created(self, path: str) -> datetime:
        return datetime.fromisoformat(self.info(path)["created"])

    def modified(self, path: str) -> datetime:
        return datetime.fromisoformat(self.info(path)["modified"])

    def checksum(self, path: str) -> int:
        """The file's md5 as Disk computed it, as an integer (fsspec's contract); folders have none."""
        info = self.info(path)
        if "md5" not in info:
            raise IsADirectoryError(errno.EISDIR, "a folder has no checksum", path)
        return int(info["md5"], 16)

    def ukey(self, path: str) -> str:
        info = self.info(path)
        return str(info.get("sha256") or info.get("md5") or info.get("modified"))

    # ---------------------------------------------------------------------------------------------- changing the tree
    def mkdir(self, path: str, create_parents: bool = True, **kwargs: Any) -> None:
        path = self._strip_protocol(path)
        with os_errors(path):
            created = self.hook.create_folder(to_disk(path), parents=create_parents)
        if not created["created"]:
            raise FileExistsError(errno.EEXIST, "already on Yandex Disk", path)

    def makedirs(self, path: str, exist_ok: bool = False) -> None:
        path = self._strip_protocol(path)
        if not path:
            return
        with os_errors(path):
            created = self.hook.create_folder(to_disk(path), parents=True)
        if not created["created"] and not exist_ok:
            raise FileExistsError(errno.EEXIST, "already on Yandex Disk", path)

    def _delete(self, path: str) -> None:
        with os_errors(path):
            self.hook.delete(to_disk(path), permanently=self.permanently)

    def rm_file(self, path: str) -> None:
        self._delete(self._strip_protocol(path))

    def rmdir(self, path: str) -> None:
        path = self._strip_protocol(path)
        if self.ls(path, detail=False):
            raise OSError(errno.ENOTEMPTY, "the folder is not empty", path)
        self._delete(path)

    def rm(self, path: Any, recursive: bool = False, maxdepth: int | None = None) -> None:
        """Delete files, and folders with ``recursive`` (one call each: Disk deletes a folder with its contents).

        :param path: a path, a glob or a list of them.
        :param recursive: delete folders as well.
        :param maxdepth: not supported beyond None (a folder goes whole).
        """
        if maxdepth is not None:
            raise NotImplementedError("yadisk:// deletes a folder whole; maxdepth is not supported")
        targets = self.expand_path(path, recursive=False)
        for target in sorted(targets, reverse=True):
            if not recursive and self.isdir(target):
                raise IsADirectoryError(errno.EISDIR, "a folder: pass recursive=True", target)
            self._delete(target)

    def _into(self, source: str, destination: str) -> str:
        """Where a copy or move of ``source`` lands: inside ``destination`` when that is a folder (fsspec's rule)."""
        if self.isdir(destination):
            return f"{destination.rstrip('/')}/{source.rstrip('/').rsplit('/', 1)[-1]}"
        return destination

    def cp_file(self, path1: str, path2: str, **kwargs: Any) -> None:
        source, destination = self._strip_protocol(path1), self._strip_protocol(path2)
        with os_errors(source):
            self.hook.copy(to_disk(source), to_disk(destination), overwrite=True)

    def mv(self, path1: Any, path2: Any, recursive: bool = False, maxdepth: int | None = None,
           **kwargs: Any) -> None:
        """Move or rename; a single path is one ``move`` call (a folder moves whole), globs and lists go by file.

        :param path1: the source.
        :param path2: the destination (inside it, when it is an existing folder).
        :param recursive: fsspec's flag (a single folder moves whole either way).
        :param maxdepth: fsspec's bound for globs and lists.
        """
        if isinstance(path1, str) and isinstance(path2, str) and not any(c in path1 for c in "*?["):
            source, destination = self._strip_protocol(path1), self._strip_protocol(path2)
            destination = self._into(source, destination)
            with os_errors(source):
                self.hook.move(to_disk(source), to_disk(destination), overwrite=True)
            return
        super().mv(path1, path2, recursive=recursive, maxdepth=maxdepth, **kwargs)

    # ---------------------------------------------------------------------------------------------- transfers
    def put_file(self, lpath: str, rpath: str, callback: Any = None, mode: str = "overwrite", **kwargs: Any) -> None:
        """Upload a local file (streamed, with the hook's retries and throttle workaround); parents are created.

        :param lpath: the local file (a local folder makes the remote folder).
        :param rpath: where it goes.
        :param callback: fsspec's progress callback (told the size, then that it is done).
        :param mode: ``overwrite`` (default) or ``create`` (FileExistsError if the file is there).
        """
        rpath = self._strip_protocol(rpath)
        if os.path.isdir(lpath):
            self.makedirs(rpath, exist_ok=True)
            return
        size = os.path.getsize(lpath)
        if callback is not None:
            callback.set_size(size)
        with os_errors(rpath):
            self.hook.upload_file(lpath, to_disk(rpath), overwrite=mode == "overwrite", parents=True,
                                  avoid_throttle=self.avoid_throttle)
        if callback is not None:
            callback.relative_update(size)

    def get_file(self, rpath: str, lpath: str, callback: Any = None, outfile: Any = None, **kwargs: Any) -> None:
        """Download a file (streamed to a temporary file renamed into place); a folder makes the local folder.

        :param rpath: the file on Disk.
        :param lpath: the local path.
        :param callback: fsspec's progress callback.
        :param outfile: a binary file object to write into instead of ``lpath``.
        """
        rpath = self._strip_protocol(rpath)
        if self.isdir(rpath):
            os.makedirs(lpath, exist_ok=True)
            return
        if outfile is not None:
            super().get_file(rpath, lpath, callback=callback, outfile=outfile, **kwargs)
            return
        with os_errors(rpath):
            result = self.hook.download_file(to_disk(rpath), lpath, overwrite=True)
        if callback is not None:
            callback.set_size(result["size"])
            callback.relative_update(result["size"])

    def _open(self, path: str, mode: str = "rb", block_size: Any = None, autocommit: bool = True,
              cache_options: dict[str, Any] | None = None, **kwargs: Any) -> Any:
        path = self._strip_protocol(path)
        if mode == "rb":
            return YandexDiskReadFile(self, path, block_size=block_size, cache_options=cache_options, **kwargs)
        if mode in ("wb", "xb"):
            if mode == "xb" and self.exists(path):
                raise FileExistsError(errno.EEXIST, "already on Yandex Disk", path)
            return YandexDiskWriteFile(self, path, mode=mode, block_size=block_size, **kwargs)
        raise NotImplementedError(f"yadisk:// opens files for 'rb', 'wb' or 'xb', not {mode!r}")
