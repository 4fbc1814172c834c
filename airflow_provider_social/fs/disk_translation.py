"""What ``yadisk://`` translates between fsspec and Yandex Disk: paths (``/a/b`` <-> ``disk:/a/b``) and the API's
errors (as the OSErrors fsspec users expect).

Shared by the filesystem (:mod:`.yadisk`) and its file objects (:mod:`.yadisk_files`), so neither imports the other.
"""

from __future__ import annotations

import errno
from collections.abc import Iterator
from contextlib import contextmanager


def to_disk(path: str) -> str:
    """``/a/b`` (an fsspec path of this filesystem) -> ``disk:/a/b``.

    :param path: a stripped path (:meth:`.YandexDiskFileSystem._strip_protocol`).
    """
    return "disk:/" + path.strip("/")


def from_disk(path: str) -> str:
    """``disk:/a/b`` (as Disk answers) -> ``/a/b``; the root is ``""`` (fsspec's convention, as ``memory://``).

    :param path: a Disk path.
    """
    rest = path.partition(":")[2] if path.startswith("disk:") else path
    rest = rest.strip("/")
    return "/" + rest if rest else ""


@contextmanager
def os_errors(path: str) -> Iterator[None]:
    """The API's errors as the OSErrors fsspec users expect (others pass as the provider's errors).

    :param path: the fsspec path the errors name.
    """
    from airflow_provider_social.core.errors import ConflictError, NotFoundError

    try:
        yield
    except NotFoundError:
        raise FileNotFoundError(errno.ENOENT, "not on Yandex Disk", path) from None
    except ConflictError as exc:
        if exc.api_code == "DiskPathDoesntExistsError":
            raise FileNotFoundError(errno.ENOENT, "the parent folder does not exist", path) from None
        if exc.api_code in ("DiskResourceAlreadyExistsError", "DiskPathPointsToExistentDirectoryError"):
            raise FileExistsError(errno.EEXIST, "already on Yandex Disk", path) from None
        raise
