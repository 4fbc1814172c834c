"""X's call table: every API call the hook makes, declared once, and the one way they are sent.

Each row is an :class:`~airflow_provider_social.core.calls.ApiCall`; its name is the operation shown in errors.
The v1.1 upload rows go to ``upload_base_url`` signed with OAuth 1.0a (token kind ``oauth1``) whatever the
connection's ``auth_mode``; every other row uses the connection's credentials (token kind ``user``). What a refused
credential means is the policy's to say (:func:`.policy.refused_hint`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.hooks.twitter.auth import OAUTH1

if TYPE_CHECKING:
    import requests

_V1_UPLOAD = "/1.1/media/upload.json"

#: Key -> call. Appends re-send a segment index (which replaces it) and initialize only creates an id that expires
#: unused, so both are safe to repeat; a create or a FINALIZE is not (see TwitterMedia._finalize).
CALLS: dict[str, ApiCall] = {
    "get me": ApiCall("get me", "GET", "/2/users/me"),
    "recent posts": ApiCall("look for an earlier identical post", "GET", "/2/users/{user_id}/tweets"),
    "user posts": ApiCall("read posts", "GET", "/2/users/{user_id}/tweets"),
    "mentions": ApiCall("read mentions", "GET", "/2/users/{user_id}/mentions"),
    "search recent": ApiCall("search recent posts", "GET", "/2/tweets/search/recent"),
    "create tweet": ApiCall("create tweet", "POST", "/2/tweets", idempotent=False),
    "delete tweet": ApiCall("delete tweet", "DELETE", "/2/tweets/{tweet_id}"),
    "upload media": ApiCall("upload media", "POST", "/2/media/upload", idempotent=True),
    "initialize": ApiCall("initialize media upload", "POST", "/2/media/upload/initialize", idempotent=True),
    "append": ApiCall("append media segment", "POST", "/2/media/upload/{media_id}/append", idempotent=True),
    "finalize": ApiCall("finalize media upload", "POST", "/2/media/upload/{media_id}/finalize", idempotent=False),
    "media status": ApiCall("get media status", "GET", "/2/media/upload"),
    "initialize v1.1": ApiCall("initialize media upload (v1.1)", "POST", _V1_UPLOAD, endpoint="upload_base_url",
                               token=OAUTH1, idempotent=True),
    "append v1.1": ApiCall("append media segment", "POST", _V1_UPLOAD, endpoint="upload_base_url", token=OAUTH1,
                           idempotent=True),
    "finalize v1.1": ApiCall("finalize media upload (v1.1)", "POST", _V1_UPLOAD, endpoint="upload_base_url",
                             token=OAUTH1, idempotent=False),
    "media status v1.1": ApiCall("get media status", "GET", _V1_UPLOAD, endpoint="upload_base_url", token=OAUTH1),
}


class TwitterClient:
    """The one way an X API call is sent: the declared calls of :data:`CALLS`, by key.

    :param send: runs a declared call through the connection's transport with the credentials of its token kind
        (the hook's :meth:`~airflow_provider_social.hooks.base.SocialHook.call_api`).
    """

    def __init__(self, send: Callable[..., Any]) -> None:
        self._send = send

    def call(self, key: str, **options: Any) -> requests.Response:
        """Run the declared call ``key`` with its data (``params``, ``json``, ``body``, ``path_params``, ...).

        :param key: a key of :data:`CALLS`.
        """
        return self._send(CALLS[key], **options)
