"""Every call the Vision hook makes, declared once (:class:`~airflow_provider_social.core.calls.ApiCall`).

The image calls are a multipart POST of image parts plus a ``meta`` JSON part (:func:`.images.multipart`), the
video calls a JSON body (:mod:`.video`); all under ``api_base_url``, with the ``vision`` token (a service token or an
OAuth client's, :mod:`.auth`).
"""

from __future__ import annotations

from airflow_provider_social.core.calls import ApiCall


def _call(name: str, path: str, *, billed: bool = True) -> ApiCall:
    # Every request that carries images is billed, and a request whose answer was lost was processed (and billed):
    # so it is not repeated blindly; the hook's ``resend_on_lost_answer`` opts in (VisionClient.post). Deleting and
    # truncating face spaces converge and carry no image, so a lost answer may be repeated.
    return ApiCall(name, "POST", path, token="vision", idempotent=not billed)


CALLS = {
    "objects": _call("detect objects", "/api/v1/objects/detect"),
    "adult": _call("detect adult content", "/api/v1/adult/detect"),
    "text": _call("recognize text", "/api/v1/text/recognize"),
    "scene_text": _call("recognize scene text", "/api/v1/scene_text/recognize"),
    "persons_set": _call("set persons", "/api/v1/persons/set"),
    "persons_recognize": _call("recognize persons", "/api/v1/persons/recognize"),
    "persons_delete": _call("delete persons", "/api/v1/persons/delete", billed=False),
    "persons_truncate": _call("truncate persons space", "/api/v1/persons/truncate", billed=False),
    # Subscribing starts billed work and no call lists the tasks: a lost answer is not repeated (the task may run).
    "video_subscribe": _call("subscribe video", "/api/v1/video/subscribe"),
    "video_get": _call("get video results", "/api/v1/video/get", billed=False),
    "video_unsubscribe": _call("unsubscribe video", "/api/v1/video/unsubscribe", billed=False),
}
