"""The registry of sandbox services: every emulated service's :class:`~.state.ServiceSpec`, in mount order.

The one place that names the service packages. :mod:`.app` and :mod:`.server` read it to build a sandbox;
:mod:`.state` never does (a :class:`~.state.SandboxState` is given its services), so the service packages, which
import :mod:`.state`, import nothing that imports them back. Adding a service: write its package under
``sandbox/<service>/`` exposing its ``ServiceSpec`` values and append them here.
"""

from __future__ import annotations

from . import ok, twitter, vk, vk_vision, yandex
from .state import ServiceSpec

DEFAULT_SERVICES: tuple[ServiceSpec, ...] = (
    yandex.ID_SERVICE,
    yandex.SERVICE,
    yandex.UPLOADER,
    yandex.DOWNLOADER,
    twitter.SERVICE,
    twitter.UPLOAD_SERVICE,
    twitter.WEB_SERVICE,
    vk.SERVICE,
    vk.VK_ID_SERVICE,
    vk.LEGACY_OAUTH_SERVICE,
    vk.UPLOAD_SERVICE,
    vk_vision.SERVICE,
    vk_vision.AUTH_SERVICE,
    ok.SERVICE,
    ok.CONNECT_SERVICE,
    ok.UPLOAD_SERVICE,
)

__all__ = ["DEFAULT_SERVICES"]
