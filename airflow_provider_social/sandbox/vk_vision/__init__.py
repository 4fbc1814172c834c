"""VK Cloud Vision (``smarty.mail.ru``) and its token endpoint (``mcs.mail.ru``), strict. Mounted at:

=====================  ==================  ======================================================================
Prefix                 Service name        Emulates
=====================  ==================  ======================================================================
``/vk-vision``         ``vk_vision``       ``https://smarty.mail.ru``: ``/api/v1/objects/detect``,
                                           ``/adult/detect``, ``/text/recognize``, ``/scene_text/recognize``,
                                           ``/persons/{set,recognize,delete,truncate}``,
                                           ``/video/{subscribe,get,unsubscribe}`` (:mod:`.video`)
``/vk-cloud-auth``     ``vk_cloud_auth``   ``https://mcs.mail.ru``: ``/auth/oauth/v1/token`` (JSON body;
                                           client_credentials and refresh_token grants; 1 h access tokens)
=====================  ==================  ======================================================================

Facts: shared/reference/vk_ok_vision.md section 2 and vkcs-docs ``ml/vision``. Request checks and error wording:
:mod:`.rules`; credentials: :mod:`.tokens`; deterministic recognitions from the image bytes: :mod:`.recognition`;
generated test images: :mod:`.fixtures`. Settings: ``POST /_control/state/vk_vision`` ``{"mirror_http_status"}``.
"""

from __future__ import annotations

from ..state import ServiceSpec
from .routes import AUTH_NAME, AUTH_PREFIX, NAME, PREFIX, TOKEN_PATH, VisionState, auth_routes, vision_routes
from .tokens import SANDBOX_SERVICE_TOKEN

SERVICE = ServiceSpec(name=NAME, prefix=PREFIX, routes=vision_routes, state_factory=VisionState,
                      description="VK Cloud Vision (smarty.mail.ru)")
AUTH_SERVICE = ServiceSpec(name=AUTH_NAME, prefix=AUTH_PREFIX, routes=auth_routes,
                           description="VK Cloud OAuth token endpoint (mcs.mail.ru)")

__all__ = ["AUTH_PREFIX", "AUTH_SERVICE", "NAME", "PREFIX", "SANDBOX_SERVICE_TOKEN", "SERVICE", "TOKEN_PATH"]
