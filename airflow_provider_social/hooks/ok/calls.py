"""Every call the OK hook makes, declared once (:class:`~airflow_provider_social.core.calls.ApiCall`).

API methods all go to ``POST {api_base_url}/fb.do`` with ``method=<name>``; :data:`METHODS` says which are safe
to repeat when an answer is lost. ``mediatopic.post`` is not: a lost answer is handled by looking for the topic
(see :mod:`.posting`), never by blind repetition.
"""

from __future__ import annotations

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.hooks.ok.policy import OkPolicy

FB_DO = "/fb.do"

#: OK method name -> its declared call.
METHODS: dict[str, ApiCall] = {
    "users.getCurrentUser": ApiCall("get current user", "POST", FB_DO, idempotent=True),
    "group.getInfo": ApiCall("get group info", "POST", FB_DO, idempotent=True),
    "photosV2.getUploadUrl": ApiCall("get photo upload URL", "POST", FB_DO, idempotent=True),
    "mediatopic.post": ApiCall("post to group", "POST", FB_DO, idempotent=False),
    "mediatopic.getTopics": ApiCall("list group topics", "POST", FB_DO, idempotent=True),
    "mediatopic.deleteTopic": ApiCall("delete topic", "POST", FB_DO, idempotent=False),
    "group.getStatTopics": ApiCall("read group topic statistics", "POST", FB_DO, idempotent=True),
    "group.getStatTrends": ApiCall("read group daily statistics", "POST", FB_DO, idempotent=True),
}

#: Any other method (``OkHook.call``): not repeated after a lost answer unless the caller says it is safe.
GENERIC = ApiCall("call method", "POST", FB_DO, idempotent=False)

#: The ``upload_url`` of photosV2.getUploadUrl: the URL is a credential (only its host is logged), no token is
#: sent, and it is used once: a failed upload is retried from a fresh URL (the whole two-step attempt repeats).
UPLOAD = ApiCall("upload photos", "POST", "", token=None, signed_url=True, idempotent=False, policy=OkPolicy())
