"""Disk paths and the small argument checks every Yandex Disk call makes before any network call."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from airflow_provider_social.core.errors import (
    input_error,
)
from airflow_provider_social.hooks.yandex_disk.connection import SERVICE_NAME as SERVICE

MAX_PATH = 32760  # characters, documented on the upload page


MAX_NAME = 255


MEDIA_TYPES = frozenset({
    "audio", "backup", "book", "compressed", "data", "development", "diskimage", "document", "encoded",
    "executable", "flash", "font", "image", "settings", "spreadsheet", "text", "unknown", "video", "web",
})



def disk_path(path: Any, field: str = "path") -> str:
    """A Disk path in canonical form (``disk:/a/b`` or ``app:/a``), or a ValidationError naming ``field``.

    Checked before any network call: empty paths, paths over 32760 characters, names over 255, ``.``/``..``.
    """
    if not isinstance(path, str) or not path.strip():
        raise input_error(field, "a remote path is required", service=SERVICE)
    if len(path) > MAX_PATH:
        raise input_error(field, f"the path is {len(path)} characters, over the {MAX_PATH} limit", service=SERVICE)
    scheme, sep, rest = path.partition(":")
    if not (sep and scheme in ("disk", "app")):
        if sep and scheme.isalpha() and rest.startswith("/"):
            raise input_error(field, f"unknown scheme {scheme!r}; use disk:/ or app:/", service=SERVICE)
        scheme, rest = "disk", path
    parts = [p for p in rest.split("/") if p]
    for part in parts:
        if part in (".", ".."):
            raise input_error(field, "relative segments (a dot or two dots) are not allowed", service=SERVICE)
        if len(part) > MAX_NAME:
            problem = f"the name starting {part[:20]!r} is {len(part)} characters, over the {MAX_NAME} limit"
            raise input_error(field, problem, service=SERVICE)
    return f"{scheme}:/" + "/".join(parts)



def parent_path(path: str) -> str:
    scheme, _, rest = path.partition(":/")
    head = rest.rstrip("/").rsplit("/", 1)[0] if "/" in rest.rstrip("/") else ""
    return f"{scheme}:/{head}"



def safe_local_target(local_path: str | os.PathLike[str], remote: str) -> Path:
    """Where a download lands: ``local_path``, or ``local_path/<remote name>`` for a directory, never outside it."""
    if local_path is None or not str(local_path).strip():
        # Path("") is the current directory: the file would land wherever the worker happens to run.
        raise input_error("local_path", f"a local file path or an existing directory is required, got {local_path!r}",
                          service=SERVICE)
    local = Path(local_path).expanduser()
    if local.is_dir() or str(local_path).endswith(os.sep):
        name = remote.rstrip("/").rsplit("/", 1)[-1]
        if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
            raise input_error("remote_path", f"cannot derive a safe local file name from {remote!r}", service=SERVICE)
        directory = local.resolve()
        target = (directory / name).resolve()
        if target.parent != directory:
            raise input_error("local_path", f"{name!r} would land outside {str(directory)!r}", service=SERVICE)
        return target
    if local.name in ("", ".", ".."):
        raise input_error("local_path", f"{str(local)!r} is not a file path", service=SERVICE)
    directory = local.parent.resolve()
    if not directory.is_dir():
        raise input_error("local_path", f"the directory {str(directory)!r} does not exist", service=SERVICE)
    return directory / local.name



def register_secret_url(href: str) -> None:
    """Upload/download hrefs are credentials (anyone holding one can write/read the file): mask them."""
    from airflow_provider_social.core.masking import register_secret

    register_secret(href, "href")
    path = urlsplit(href).path
    register_secret(path.rsplit("/", 1)[-1], "href")



def _path_from_link(href: str) -> str | None:
    values = parse_qs(urlsplit(href).query).get("path")
    return values[0] if values else None



def _trash_path(path: Any) -> str:
    if not isinstance(path, str) or not path.strip():
        raise input_error("trash_path", "a trash:/ path is required", service=SERVICE)
    rest = path[len("trash:"):] if path.startswith("trash:") else path
    name = rest.strip("/")
    if not name or "/" in name or len(name) > MAX_PATH:
        raise input_error("trash_path", f"expected trash:/<name> as list_trash() returns it, got {path!r}",
                          service=SERVICE)
    return f"trash:/{name}"



def _public_key(value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        raise input_error("public_key", "the public key or public URL is required", service=SERVICE)
    return value.strip()



def _media_types(value: str | list[str] | None) -> str | None:
    if value is None:
        return None
    items = [v.strip() for v in (value.split(",") if isinstance(value, str) else value) if v.strip()]
    unknown = sorted(set(items) - MEDIA_TYPES)
    if unknown:
        raise input_error("media_type", f"unknown {unknown}; one of {sorted(MEDIA_TYPES)}", service=SERVICE)
    return ",".join(items) or None



def _fields(fields: str | list[str] | None) -> str | None:
    if fields is None:
        return None
    return fields if isinstance(fields, str) else ",".join(fields)



def _check_page_size(value: int, field: str = "page_size") -> None:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 10_000:
        raise input_error(field, f"must be an integer from 1 to 10000, got {value!r}", service=SERVICE)



def _flag(value: bool) -> str:
    return "true" if value else "false"



def _clean(params: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in params.items() if v is not None}



def _human(size: float) -> str:
    from airflow_provider_social.core.uploads import human_size

    return human_size(size)


#: What a path sensor or trigger waits for: anything there, a file, or a folder.
PATH_KINDS = ("exists", "file", "dir")


def path_matches(found: str | None, kind: str) -> bool:
    """Whether a resource type (``"file"``, ``"dir"`` or None for nothing) satisfies ``kind``.

    :param found: what :meth:`YandexDiskHook.get_type` returned.
    :param kind: one of :data:`PATH_KINDS`.
    """
    return found is not None and (kind == "exists" or found == kind)
