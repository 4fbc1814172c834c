"""``yadisk://`` as a ``universal_pathlib`` path (registered by the ``universal_pathlib.implementations`` entry point).

Airflow's ``ObjectStoragePath`` wraps a UPath of the URL's scheme; without a registered class UPath refuses an
unknown scheme. Paths are rooted like ``memory://``: ``yadisk:///backups/db.sql`` and ``yadisk://backups/db.sql``
are both ``disk:/backups/db.sql``.
"""

from __future__ import annotations

from fsspec.registry import register_implementation
from upath.core import UPath

from airflow_provider_social.fs.yadisk import YandexDiskFileSystem

# UPath takes a scheme's path rules (how the URL splits, the root) from the fsspec class when it is already
# registered as a class; registered only by name (the entry point), it warns and guesses them.
register_implementation("yadisk", YandexDiskFileSystem, clobber=True)


class YandexDiskPath(UPath):
    """A path on Yandex Disk (``disk:/`` root)."""

    __slots__ = ()

    @property
    def path(self) -> str:
        path = super().path
        return "/" if path in {"", "."} else path

    def is_absolute(self) -> bool:
        if self._relative_base is None and self.__vfspath__() == "/":
            return True
        return super().is_absolute()
