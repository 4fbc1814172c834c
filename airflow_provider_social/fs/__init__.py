"""Airflow object storage filesystems the provider registers (``filesystems`` in ``get_provider_info``).

* :mod:`.yadisk` -- ``yadisk://``: Yandex Disk through the Yandex Disk hook (``schemes`` and ``get_fs`` for
  Airflow; :class:`.yadisk.YandexDiskFileSystem` for fsspec)
* :mod:`.yadisk_files` -- its file objects: reads streamed with ``Range`` on seek, writes streamed to the upload
  host as they are written
* :mod:`.disk_translation` -- what both translate: fsspec paths to Disk paths and back, the API's errors to OSErrors
* :mod:`.yadisk_path` -- the ``universal_pathlib`` path class of ``yadisk://`` (what ``ObjectStoragePath`` wraps)
"""
