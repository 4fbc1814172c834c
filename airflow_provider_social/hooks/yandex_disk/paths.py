"""Disk paths and the small argument checks every Yandex Disk call makes before any network call."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from airflow_provider_social.core.errors import (
    ValidationError,
    input_error,
)
from airflow_provider_social.core.rendered import rendered_scalar
from airflow_provider_social.hooks.yandex_disk.connection import SERVICE_NAME as SERVICE

MAX_PATH = 32760  # characters, documented on the upload page


MAX_NAME = 255

#: ASCII control characters (a NUL, a line break, ...): never part of a Disk name.
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f\x7f]")


MEDIA_TYPES = frozenset({
    "audio", "backup", "book", "compressed", "data", "development", "diskimage", "document", "encoded",
    "executable", "flash", "font", "image", "settings", "spreadsheet", "text", "unknown", "video", "web",
})



def disk_path(path: Any, field: str = "path") -> str:
    """A Disk path in canonical form (``disk:/a/b`` or ``app:/a``), or a ValidationError naming ``field``.

    Checked before any network call: empty paths, a list rendered into the field, paths over 32760 characters,
    names over 255, ``.``/``..``, control characters (a NUL, a line break), another scheme.
    """
    if not isinstance(path, str) or not path.strip():
        raise input_error(field, f"a remote path is required (text), got {_shown(path)}", service=SERVICE)
    rendered_scalar(path, field, service=SERVICE, expected="one path")
    if len(path) > MAX_PATH:
        raise input_error(field, f"the path is {len(path)} characters, over the {MAX_PATH} limit", service=SERVICE)
    scheme, sep, rest = path.partition(":")
    if not (sep and scheme in ("disk", "app")):
        if sep and scheme.isalpha() and rest.startswith("/"):
            raise input_error(field, f"unknown scheme {scheme!r}; use disk:/ or app:/", service=SERVICE)
        scheme, rest = "disk", path
    return f"{scheme}:/" + "/".join(_names(rest, field))


def resource_path(path: Any, field: str = "path") -> str:
    """:func:`disk_path` of a file or folder to act on: the root of the disk or of the app folder is refused
    (nothing deletes, copies, moves, publishes, creates or overwrites it).

    :param path: the path as given.
    :param field: the argument named in errors.
    """
    canonical = disk_path(path, field)
    if canonical in ("disk:/", "app:/"):
        raise input_error(field, f"{path!r} is the root of the disk; name a file or folder in it", service=SERVICE)
    return canonical


def _names(path: str, field: str) -> list[str]:
    """The names of a ``/``-separated path, each checked: no ``.``/``..``, at most 255 characters, no control
    characters."""
    parts = [p for p in path.split("/") if p]
    for part in parts:
        if part in (".", ".."):
            raise input_error(field, "relative segments (a dot or two dots) are not allowed", service=SERVICE)
        if len(part) > MAX_NAME:
            problem = f"the name starting {part[:20]!r} is {len(part)} characters, over the {MAX_NAME} limit"
            raise input_error(field, problem, service=SERVICE)
        if _CONTROL.search(part):
            raise input_error(field, f"the name {part[:40]!r} holds a control character", service=SERVICE)
        _check_unicode(part, field)
    return parts


def _check_unicode(text: str, field: str) -> None:
    """Refuse text that cannot be sent: a lone surrogate (``\\ud800``) has no UTF-8 form."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise input_error(field, f"{text[:40]!r} is not valid Unicode (a lone surrogate)", service=SERVICE) from None


def name_value(name: Any, field: str = "name") -> str:
    """A resource's new name (one path segment), or a ValidationError naming ``field``.

    :param name: the name as given.
    :param field: the argument named in errors.
    """
    if not isinstance(name, str) or not name or "/" in name or len(name) > MAX_NAME:
        raise input_error(field, f"must be a file name of 1-{MAX_NAME} characters without '/', got {_shown(name)}",
                          service=SERVICE)
    rendered_scalar(name, field, service=SERVICE, expected="one name")
    _names(name, field)
    return name


def inner_path(path: Any, field: str = "path") -> str | None:
    """A path inside a public folder (``/sub/file.txt``), checked as a Disk path is; None when unset.

    :param path: the path as given (None or "" when unset).
    :param field: the argument named in errors.
    """
    if path is None or path == "":
        return None
    if not isinstance(path, str):
        raise input_error(field, f"must be a path inside the public folder (text), got {_shown(path)}",
                          service=SERVICE)
    rendered_scalar(path, field, service=SERVICE, expected="one path")
    if len(path) > MAX_PATH:
        raise input_error(field, f"the path is {len(path)} characters, over the {MAX_PATH} limit", service=SERVICE)
    _names(path, field)
    return path


def _shown(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text if len(text) <= 60 else text[:59] + '…'}"


def parent_path(path: str) -> str:
    scheme, _, rest = path.partition(":/")
    head = rest.rstrip("/").rsplit("/", 1)[0] if "/" in rest.rstrip("/") else ""
    return f"{scheme}:/{head}"



def safe_local_target(local_path: Any, remote: str) -> Path:
    """Where a download lands: ``local_path``, or ``local_path/<remote name>`` for a directory, never outside it.

    Refused before any request: an empty or relative path (it would land wherever the worker runs), a missing or
    non-directory parent, a target that is an existing directory (the file could only fail after the transfer).
    """
    if not isinstance(local_path, (str, os.PathLike)) or not str(local_path).strip():
        # Path("") is the current directory: the file would land wherever the worker happens to run.
        raise input_error("local_path", "a local file path or an existing directory is required, got "
                          f"{_shown(local_path)}", service=SERVICE)
    rendered_scalar(local_path, "local_path", service=SERVICE, expected="one local path")
    local = Path(local_path)
    shown = str(local) if len(str(local)) <= 200 else str(local)[:199] + "…"
    try:
        local = local.expanduser()
    except RuntimeError:  # '~user' of a user that does not exist
        raise input_error("local_path", f"{shown!r}: its home directory is unknown", service=SERVICE) from None
    if not local.is_absolute():
        raise input_error("local_path", f"{shown!r} is relative: it would land wherever the worker runs; give an "
                          "absolute path", service=SERVICE)
    try:
        if local.is_dir() or str(local_path).endswith(os.sep):
            name = remote.rstrip("/").rsplit("/", 1)[-1]
            if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
                raise input_error("remote_path", f"cannot derive a safe local file name from {remote!r}",
                                  service=SERVICE)
            directory = local.resolve()
            target = (directory / name).resolve()
            if target.parent != directory:
                raise input_error("local_path", f"{name!r} would land outside {str(directory)!r}", service=SERVICE)
        else:
            if local.name in ("", ".", ".."):
                raise input_error("local_path", f"{shown!r} is not a file path", service=SERVICE)
            directory = local.parent.resolve()
            target = directory / local.name
        if not directory.is_dir():
            raise input_error("local_path", f"the directory {str(directory)!r} does not exist", service=SERVICE)
        if target.is_dir():
            raise input_error("local_path", f"{str(target)!r} is an existing directory; the file cannot replace it",
                              service=SERVICE)
    except (OSError, ValueError) as exc:
        if isinstance(exc, ValidationError):
            raise
        # a name too long for the file system, a NUL byte in it
        raise input_error("local_path", f"{shown!r} is not a usable file path ({type(exc).__name__})",
                          service=SERVICE) from None
    return target


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
        raise input_error("trash_path", f"a trash:/ path is required, got {_shown(path)}", service=SERVICE)
    rendered_scalar(path, "trash_path", service=SERVICE, expected="one trash:/ path")
    rest = path[len("trash:"):] if path.startswith("trash:") else path
    name = rest.strip("/")
    if not name or "/" in name or len(name) > MAX_PATH or name in (".", ".."):
        raise input_error("trash_path", f"expected trash:/<name> as list_trash() returns it, got {path[:60]!r}",
                          service=SERVICE)
    _names(name, "trash_path")
    return f"trash:/{name}"


def _public_key(value: Any) -> str:
    """A public key or public URL: text without spaces or control characters; a URL is http(s) with a host."""
    if not isinstance(value, str) or not value.strip():
        raise input_error("public_key", f"the public key or public URL is required, got {_shown(value)}",
                          service=SERVICE)
    rendered_scalar(value, "public_key", service=SERVICE, expected="one key or URL")
    key = value.strip()
    if len(key) > MAX_PATH:
        raise input_error("public_key", f"is {len(key)} characters; a key or public URL is far shorter (the longest "
                          f"Disk path is {MAX_PATH})", service=SERVICE)
    if _SPACE_OR_CONTROL.search(key):
        raise input_error("public_key", "holds spaces or control characters; a key or public URL has none",
                          service=SERVICE)
    _check_unicode(key, "public_key")
    if "://" in key:
        web_url(key, "public_key")
    return key


def web_url(url: Any, field: str = "url") -> str:
    """An ``http://`` or ``https://`` URL with a host name DNS can hold (at most 253 characters, labels of at most
    63), without spaces or control characters; else a ValidationError naming ``field``.

    :param url: the URL as given.
    :param field: the argument named in errors.
    """
    if not isinstance(url, str) or not url.strip():
        raise input_error(field, f"an http:// or https:// URL is required, got {_shown(url)}", service=SERVICE)
    rendered_scalar(url, field, service=SERVICE, expected="one URL")
    if _SPACE_OR_CONTROL.search(url):
        raise input_error(field, "must be an http:// or https:// URL without spaces or control characters",
                          service=SERVICE)
    _check_unicode(url, field)
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:  # an unbalanced [ in the host, a bad port
        host, parts = "", None
    if parts is None or parts.scheme not in ("http", "https") or not host:
        raise input_error(field, f"must be an http:// or https:// URL with a host, got {url[:60]!r}",
                          service=SERVICE)
    if len(host) > 253 or any(len(label) > 63 for label in host.split(".")):
        raise input_error(field, "the host name is longer than DNS allows (253 characters, 63 per label)",
                          service=SERVICE)
    return url


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
