"""Yandex Disk (REST API v1) and Yandex ID OAuth.

Auth: ``Authorization: OAuth <token>``. Tokens live a year; Yandex returns a new refresh token on each refresh and
we keep the newest through the token store. Facts and sources: shared/reference/twitter_x_yandex.md sections 7-8.

The hook is a package split by concern. :class:`YandexDiskHook` is thin: it owns the connection, the transport and
the Yandex ID tokens, and hands each concern object exactly what it needs (``hook.resources``, ``hook.transfers``,
...); its public methods delegate to them:

* :mod:`.connection` -- the declaration (Connection form, ``airflow social auth yandex``); standard library only
* :mod:`.policy` -- the error table and the response policy (Disk's and the upload host's answers)
* :mod:`.paths` -- Disk paths and argument checks made before any network call
* :mod:`.auth` -- Yandex ID's device-code flow (``hook.device_flow``)
* :mod:`.calls` -- the table of declared API calls and :class:`.calls.YandexDiskClient`, the one way they are sent
* :mod:`.operations` -- asynchronous operations (202) and the wait for them (``hook.operations``)
* :mod:`.resources` -- folders, metadata, listings, copy/move/delete (``hook.resources``)
* :mod:`.public` -- publishing and public resources (``hook.public``); :mod:`.trash` -- the trash (``hook.trash``)
* :mod:`.transfers` -- uploads and downloads with a fresh link per attempt (``hook.transfers``); :mod:`.limits` --
  upload checks; :mod:`.throttle` -- the names Yandex throttles on upload and the temporary names that avoid it
* :mod:`.hook` -- :class:`YandexDiskHook` itself
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from airflow_provider_social.core.lazy import lazy_exports

if TYPE_CHECKING:
    from airflow_provider_social.hooks.yandex_disk.hook import YandexDiskHook
    from airflow_provider_social.hooks.yandex_disk.paths import (
        MAX_NAME,
        MAX_PATH,
        MEDIA_TYPES,
        PATH_KINDS,
        disk_path,
        parent_path,
        path_matches,
        register_secret_url,
        safe_local_target,
    )
    from airflow_provider_social.hooks.yandex_disk.policy import (
        LINK_RETRY_STATUSES,
        SERVICE,
        UPLOAD_WAIT_TIMEOUT,
        YANDEX_DISK_ERRORS,
        OperationFailedError,
        YandexDiskPolicy,
        yandex_error_parser,
    )
    from airflow_provider_social.hooks.yandex_disk.transfers import CHUNK_SIZE

# Imported on first use: get_provider_info reads .connection at every Airflow start-up, and DAG files import this
# package; neither should pull in Airflow's SDK, requests and the rest through this __init__.
_LAZY = {
    "hook": ("YandexDiskHook",),
    "paths": (
        "MAX_NAME", "MAX_PATH", "MEDIA_TYPES", "PATH_KINDS", "disk_path", "parent_path", "path_matches",
        "register_secret_url", "safe_local_target",
    ),
    "policy": (
        "LINK_RETRY_STATUSES", "SERVICE", "UPLOAD_WAIT_TIMEOUT", "YANDEX_DISK_ERRORS", "OperationFailedError",
        "YandexDiskPolicy", "yandex_error_parser",
    ),
    "transfers": ("CHUNK_SIZE",),
}


__getattr__ = lazy_exports(__name__, _LAZY)


__all__ = [
    "CHUNK_SIZE",
    "LINK_RETRY_STATUSES",
    "MAX_NAME",
    "MAX_PATH",
    "MEDIA_TYPES",
    "OperationFailedError",
    "PATH_KINDS",
    "SERVICE",
    "UPLOAD_WAIT_TIMEOUT",
    "YANDEX_DISK_ERRORS",
    "YandexDiskHook",
    "YandexDiskPolicy",
    "disk_path",
    "parent_path",
    "path_matches",
    "register_secret_url",
    "safe_local_target",
    "yandex_error_parser",
]
