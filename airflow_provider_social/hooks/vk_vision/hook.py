"""``VkVisionHook``: objects, scenes, car numbers, document and scene text, 18+ detection, faces; video (:mod:`.video`).

Facts and sources: shared/reference/vk_ok_vision.md section 2 (vkcs-docs ``ml/vision``). Every call is a
multipart POST of image parts plus a ``meta`` JSON part naming them; the token rides in the query string
(:mod:`.auth`), which core.masking redacts from every logged URL. Inputs are checked before anything is sent
(:mod:`.images`); big batches are split into requests within the per-request limits; every request is billed, so
neither a request whose answer was lost nor an image the service reports with per-image ``status`` 2 (temporary)
is sent again unless ``resend_on_lost_answer`` (then the status-2 images go again on their own); status 1
(permanent) is reported with the image's name (:mod:`.sending`). Results are typed dicts (:mod:`.results`), in
the order the images were given.

The hook owns the connection, the transport and the credentials (a service token, or an OAuth client's tokens);
the work is done by plain objects it builds with what each needs: :class:`.client.VisionClient` (the one way a
call is sent), :class:`.sending.VisionImages`, :class:`.recognition.VisionRecognition` and
:class:`.persons.VisionPersons`, :class:`.video.VisionVideo`. Its public methods hand over to them.
"""

from __future__ import annotations

import base64
from functools import cached_property
from typing import Any, ClassVar

from airflow_provider_social.core.errors import SocialApiError, input_error
from airflow_provider_social.core.http import Auth
from airflow_provider_social.core.ratelimit import fingerprint
from airflow_provider_social.core.tokens import TokenSet
from airflow_provider_social.hooks.base import SocialHook, delegate

from .auth import VisionAuth, VkCloudTokenClient
from .calls import CALLS
from .client import VisionClient
from .connection import CONNECTION_FORM, DEFAULT_BASE_URL, DEFAULT_TOKEN_URL
from .params import DEFAULT_SAFE_THRESHOLD, OBJECT_MODES, SERVICE
from .persons import VisionPersons
from .policy import VisionPolicy
from .recognition import VisionRecognition
from .results import VisionImageError, raise_for_errors
from .sending import VisionImages
from .video import VisionVideo

#: Sends of one image that the service keeps answering with per-image status 2 (temporary error).
MAX_IMAGE_ATTEMPTS = 3
#: An 8x8 white PNG: what test_connection sends to the cheapest endpoint.
PROBE_IMAGE = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAD0lEQVR4nGP4jwMwDC0JALoev0Ewkwr8AAAAAElFTkSuQmCC")


class VkVisionHook(SocialHook, form=CONNECTION_FORM):
    """VK Cloud Vision through a service token (Connection password) or an OAuth client (extras ``client_id`` /
    ``client_secret``; tokens live 1 hour, are kept in the token store and renewed with the refresh token).

    :param vk_vision_conn_id: the Connection ID, default ``vk_vision_default``.
    :param yandex_disk_conn_id: a ``yandex_disk`` connection, needed for images given as ``disk:/...`` paths.
    :param max_image_attempts: sends of an image the service answers with a temporary per-image error (with
        ``resend_on_lost_answer`` only).
    :param resend_on_lost_answer: every request with images is billed. By default a request whose answer was lost
        (timeout, dropped connection, 5xx) is not sent again, nor an image answered with the temporary status 2
        (whether that is billed is UNCONFIRMED: counted as billed); True resends both, each resend billed again.
    """

    service_name = SERVICE
    default_endpoints: ClassVar[dict[str, str]] = {"api_base_url": DEFAULT_BASE_URL,
                                                   "oauth_endpoint": DEFAULT_TOKEN_URL}
    response_policy = VisionPolicy()
    default_timeout: ClassVar[tuple[float, float]] = (10.0, 120.0)

    def __init__(self, vk_vision_conn_id: str | None = None, *, yandex_disk_conn_id: str | None = None,
                 max_image_attempts: int = MAX_IMAGE_ATTEMPTS, resend_on_lost_answer: bool = False,
                 **kwargs: Any) -> None:
        super().__init__(conn_id=vk_vision_conn_id, **kwargs)
        self.vk_vision_conn_id = self.conn_id
        self.yandex_disk_conn_id = yandex_disk_conn_id
        if isinstance(max_image_attempts, bool) or not isinstance(max_image_attempts, int) or not \
                1 <= max_image_attempts <= 10:
            raise input_error("max_image_attempts", f"must be an integer from 1 to 10, got {max_image_attempts!r}",
                              service=SERVICE)
        self.max_image_attempts = max_image_attempts
        if not isinstance(resend_on_lost_answer, bool):
            raise input_error("resend_on_lost_answer", f"must be True or False, got {resend_on_lost_answer!r}",
                              service=SERVICE)
        self.resend_on_lost_answer = resend_on_lost_answer

    # ---------------------------------------------------------------------------------------------- credentials
    @property
    def auth_mode(self) -> str:
        if self.connection.password:
            return "service_token"
        if self.extra("client_id") and self.secret_extra("client_secret"):
            return "oauth"
        raise input_error("password, client_id/client_secret", "the connection needs a service token (password) or "
                          "an OAuth client ID and secret (console -> AI API -> Vision API)", service=SERVICE)

    @cached_property
    def token_client(self) -> VkCloudTokenClient:
        return VkCloudTokenClient(self.transport, self.endpoint("oauth_endpoint"), str(self.extra("client_id")),
                                  str(self.secret_extra("client_secret")))

    @cached_property
    def auth(self) -> Auth:
        if self.auth_mode == "service_token":
            return VisionAuth(service_token=self.connection.password, credential_id=self.conn_id)
        client = self.token_client
        manager = self.make_token_manager(TokenSet(access_token=None), client.refresh, grant=client.client_credentials,
                                          lineage=f"{client.client_id}:{fingerprint(client.client_secret)}")
        return VisionAuth(manager=manager, credential_id=self.conn_id)

    # ---------------------------------------------------------------------------------------------- concerns
    @cached_property
    def client(self) -> VisionClient:
        """Sends Vision's declared calls."""
        return VisionClient(self.transport, self.url, self.auth_for, resend_on_lost_answer=self.resend_on_lost_answer)

    @cached_property
    def images(self) -> VisionImages:
        """Prepares and sends the images of each call (batches, resends after temporary errors)."""
        return VisionImages(self.client, yandex_disk_conn_id=self.yandex_disk_conn_id,
                            max_image_attempts=self.max_image_attempts, clock=self.clock, sleep=self.sleep,
                            backoff=self.transport.retry.backoff, resend_on_lost_answer=self.resend_on_lost_answer)

    @cached_property
    def recognition(self) -> VisionRecognition:
        """Objects, scenes, text and 18+ content."""
        return VisionRecognition(self.images)

    @cached_property
    def persons(self) -> VisionPersons:
        """Face spaces."""
        return VisionPersons(self.client, self.images)

    @cached_property
    def video(self) -> VisionVideo:
        """Video files and streams: subscribe, read results, unsubscribe."""
        return VisionVideo(self.client)

    # ---------------------------------------------------------------------------------------------- checks
    def check_connection(self) -> str:
        """Send one tiny image to the cheapest recognition; say which credentials were used."""
        result = self.detect_adult([("probe.png", PROBE_IMAGE)])[0]
        if not result["ok"]:
            raise SocialApiError(f"the probe image was refused: {result['error']}", service=SERVICE,
                                 operation="test connection")
        how = "service token" if self.auth_mode == "service_token" else "OAuth client credentials"
        return f"Connected to VK Cloud Vision ({how}); a probe image was recognised"

    # ---------------------------------------------------------------------------------------------- public surface
    detect_objects = delegate("recognition", VisionRecognition.detect_objects)
    recognize_text = delegate("recognition", VisionRecognition.recognize_text)
    recognize_scene_text = delegate("recognition", VisionRecognition.recognize_scene_text)
    detect_adult = delegate("recognition", VisionRecognition.detect_adult)

    persons_set = delegate("persons", VisionPersons.persons_set)
    persons_recognize = delegate("persons", VisionPersons.persons_recognize)
    persons_delete = delegate("persons", VisionPersons.persons_delete)
    persons_truncate = delegate("persons", VisionPersons.persons_truncate)

    subscribe_video = delegate("video", VisionVideo.subscribe_video)
    video_results = delegate("video", VisionVideo.video_results)
    unsubscribe_video = delegate("video", VisionVideo.unsubscribe_video)


__all__ = ["CALLS", "DEFAULT_SAFE_THRESHOLD", "OBJECT_MODES", "VisionImageError", "VkVisionHook",
           "raise_for_errors"]
