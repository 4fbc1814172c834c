"""Yandex: Yandex ID OAuth, the Disk REST API (``https://cloud-api.yandex.net``) and its uploader/downloader hosts,
strict.

Four services, four prefixes (each a :class:`ServiceSpec`, so fault rules can target each one); the uploader and
the downloader are other hosts at Yandex and are served on the sandbox's storage listener (another port):

=====================  =======================  =============================================================
Prefix                 Service name             What
=====================  =======================  =============================================================
``/yandex-oauth``      ``yandex_oauth``         Yandex ID (``oauth.yandex.ru``, oauth key ``yandex``): authorize,
                                                token, device/code, revoke_token, device page (:mod:`.oauth`)
``/yandex-disk``       ``yandex_disk``          REST API ``/v1/disk/...``: resources, uploads, publishing,
                                                trash, operations (reference section 7)
``/yandex-uploader``   ``yandex_uploader``      upload hrefs ``/upload-target/<id>``: one raw ``PUT`` each
``/yandex-downloader`` ``yandex_downloader``    download hrefs ``/disk/<token>`` (302) -> ``/get/<token>``
=====================  =======================  =============================================================

Behaviour (facts from shared/reference/twitter_x_yandex.md section 7; UNCONFIRMED points take the stricter side):

* Every user has an in-memory tree with two roots, ``disk:/`` and ``app:/`` (the app folder, kept as its own root),
  plus ``trash:/``. A path without a scheme is ``disk:``-relative. Names over 255 characters, paths over 32760,
  and ``.``/``..`` segments answer 400 ``FieldValidationError``.
* Status codes: 200 reads, 201 created (Link), 202 accepted (Link to an operation), 204 deleted. Errors are
  ``{"message", "description", "error"}`` with ``content-type: application/json``; successes are
  ``application/json; charset=utf-8``. Unknown paths under a prefix get the Yandex 404 body.
* Upload hrefs (served by :mod:`.uploader` on the storage listener) take exactly one ``PUT`` of raw bytes (a
  multipart body is stored as-is, as the real uploader would), lapse after ``upload_link_ttl`` (30 min) of sandbox
  clock, answer 413 over ``max_file_size`` and 507 over quota, 201 on success, 202 (file in Disk only when the
  upload's operation completes) for large uploads; their errors are bare HTML, not this API's JSON. The body is
  streamed to a temporary file while md5/sha256/size are computed; it is never held in memory.
* Download hrefs redirect once (clients must follow redirects) and stream the file. Their lifetime is UNCONFIRMED;
  the sandbox lets them lapse after ``download_link_ttl`` (30 min) and then answers ``500 text/html`` as observed
  for bad links. A single ``Range`` is answered 206 (UNCONFIRMED at Yandex; see :mod:`.downloader`).
* The upload throttle (yadisk's docs, "Known Issues"): a link issued for a name whose media type is ``data``,
  ``compressed`` or ``video`` is throttled to ``upload_throttle_rate`` (128 KiB/s) whatever is sent to it; its PUT
  is answered no sooner than size / rate x ``upload_throttle_time_scale`` real seconds after it began, and the
  ``upload`` event reports ``throttled`` and ``throttled_seconds`` (tests set the scale to 0 and read those).
* Asynchronous operations (non-empty folder copy/move/delete, upload from URL, save public folder, restore of a
  folder, emptying the trash, and anything with ``force_async=true``) stay ``in-progress`` for
  ``operation_duration`` sandbox seconds (default 2), and only then take effect and become ``success`` (or
  ``failed``, when ``fail_next_operations`` asks for it or the effect is impossible by then).
* Upload from URL does not reach the internet: a sandbox download href (``/yandex-downloader/...``) is copied
  byte for byte; any other ``http(s)`` URL becomes a file whose content is the deterministic text
  ``sandbox upload of <url>\\n``.
* The public API (``/v1/disk/public/resources``) needs no token. Public URLs look like ``https://yadi.sk/d/<id>``
  and are accepted as ``public_key`` too.

Settings (per sandbox, all users) via ``POST /_control/state/yandex_disk`` with a JSON object of any of
``total_space``, ``max_file_size``, ``operation_duration``, ``fail_next_operations``, ``upload_link_ttl``,
``download_link_ttl``, ``upload_async_over``, ``upload_async_next``, ``upload_throttle_rate``,
``upload_throttle_time_scale``, ``download_ranges``; ``GET /_control/state/yandex_disk`` shows them
with every disk's tree.

Modules: :mod:`.constants`, :mod:`.errors` (the API's error and JSON answers), :mod:`.records` (blobs, nodes,
accounts, path rules), :mod:`.state` (disks, upload targets, operations, signed links), :mod:`.views` (query
parameters, links, resource views, the endpoint wrapper), one module per API area (:mod:`.resources`,
:mod:`.links`, :mod:`.public`, :mod:`.trash`) and their table :mod:`.routes`; the storage hosts :mod:`.uploader`
and :mod:`.downloader`; Yandex ID :mod:`.oauth`.
"""

from __future__ import annotations

from ..oauth_server.mount import mounted_oauth
from ..state import ServiceSpec
from .constants import DOWNLOADER_NAME, DOWNLOADER_PREFIX, NAME, PREFIX, UPLOADER_NAME, UPLOADER_PREFIX
from .downloader import _downloader_routes
from .oauth import DISK_SCOPE, OAUTH_NAME, make_server, yandex_oauth_config
from .oauth import NAME as ID_NAME
from .oauth import PREFIX as ID_PREFIX
from .routes import _routes
from .state import YandexDiskState
from .uploader import _uploader_routes

ID_SERVICE = ServiceSpec(
    name=ID_NAME, prefix=ID_PREFIX, routes=mounted_oauth(ID_PREFIX, OAUTH_NAME), oauth_factory=make_server,
    description="Yandex ID OAuth",
)
SERVICE = ServiceSpec(
    name=NAME,
    prefix=PREFIX,
    routes=_routes,
    state_factory=YandexDiskState,
    description="Yandex Disk REST API",
)
UPLOADER = ServiceSpec(
    name=UPLOADER_NAME, prefix=UPLOADER_PREFIX, routes=_uploader_routes, description="Yandex Disk upload hrefs",
    listener="storage",
)
DOWNLOADER = ServiceSpec(
    name=DOWNLOADER_NAME, prefix=DOWNLOADER_PREFIX, routes=_downloader_routes,
    description="Yandex Disk download hrefs", listener="storage",
)

__all__ = [
    "DISK_SCOPE", "DOWNLOADER", "ID_SERVICE", "NAME", "OAUTH_NAME", "PREFIX", "SERVICE", "UPLOADER",
    "YandexDiskState", "yandex_oauth_config",
]
