"""The block size media is read in, and the checks every media input passes before anything is sent (the file
exists, its size is within the service's limit). Only :mod:`~airflow_provider_social.core.errors` below it, so
both :mod:`~airflow_provider_social.core.sources` and :mod:`~airflow_provider_social.core.uploads` build on it.
"""

from __future__ import annotations

import os
from pathlib import Path

from airflow_provider_social.core.errors import PayloadTooLargeError, input_error

CHUNK_SIZE = 1024 * 1024  # large enough for throughput, small enough to keep memory flat


def check_local_file(path: str | os.PathLike[str], *, field: str = "local_path", service: str = "") -> Path:
    """The path as a file that exists, or a ValidationError naming ``field``."""
    p = Path(path)
    shown = str(p) if len(str(p)) <= 200 else str(p)[:199] + "…"
    try:
        p = p.expanduser()
        exists, is_dir = p.exists(), p.is_dir()
    except (OSError, ValueError, RuntimeError) as exc:  # a name too long, a NUL byte, '~user' of no user
        raise input_error(field, f"{shown!r} is not a usable file path ({type(exc).__name__})",
                          service=service) from None
    if not exists:
        raise input_error(field, f"file {shown!r} does not exist", service=service)
    if is_dir:
        raise input_error(field, f"{shown!r} is a directory, a file is expected", service=service)
    return p


def check_size(
    size: int, limit: int | None, *, field: str, what: str = "file", service: str = "", operation: str = "",
    at_least: bool = False,
) -> None:
    """A PayloadTooLargeError naming ``field`` and the limit when ``size`` is over ``limit``.

    :param at_least: ``size`` is what was read before stopping (a stream of unknown length), not the whole.
    """
    if limit is not None and size > limit:
        shown = f"over {human_size(limit)} (stopped reading at {human_size(size)})" if at_least else human_size(size)
        raise PayloadTooLargeError(
            f"{field}: the {what} is {shown}, over the {human_size(limit)} limit",
            service=service,
            operation=operation,
        )


def human_size(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if n < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n} B"  # pragma: no cover


__all__ = ["CHUNK_SIZE", "check_local_file", "check_size", "human_size"]
