"""The one way a Vision call is sent: a declared call (:mod:`.calls`) with a multipart body of images and meta.

A plain object the hook builds with the transport, its URL resolver and its credentials; the concern objects
(:mod:`.images`, :mod:`.recognition`, :mod:`.persons`) send everything through it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from .calls import CALLS
from .images import ImageSource, multipart

if TYPE_CHECKING:
    from airflow_provider_social.core.http import Auth, Transport


class VisionClient:
    """Vision's declared calls, sent through the hook's transport (retries, the envelope policy, redacted URLs).

    :param transport: the hook's transport.
    :param url: the URL of a path under a named endpoint (the hook's resolver: Connection override or default).
    :param auth_for: the credentials for a call's token kind (``"vision"``: the service token or OAuth token).
    :param resend_on_lost_answer: repeat a billed call whose answer was lost (timeout, dropped connection, 5xx):
        the service may have processed, and billed, it already.
    """

    def __init__(self, transport: Transport, url: Callable[[str, str], str],
                 auth_for: Callable[[str | None], Auth | None], *, resend_on_lost_answer: bool = False) -> None:
        self.transport = transport
        self.url = url
        self.auth_for = auth_for
        self.resend_on_lost_answer = resend_on_lost_answer

    def check_credentials(self) -> None:
        """Raise the error naming the Connection fields to fill when it holds no credentials; sends nothing."""
        self.auth_for("vision")

    def post(self, key: str, meta: dict[str, Any], images: Sequence[tuple[str, ImageSource]] = ()) -> Any:
        """Send the declared call ``key``: one part per image, then ``meta``; the envelope's ``body``.

        :param key: the call's key in :data:`.calls.CALLS`.
        :param meta: the ``meta`` JSON part (it names the image parts).
        :param images: (part name, image) pairs; the files are read afresh for every attempt."""
        body, content_type = multipart(meta, images)
        return self._send(key, body=body, headers={"Content-Type": content_type})

    def post_json(self, key: str, payload: dict[str, Any]) -> Any:
        """Send the declared call ``key`` with a JSON body (the video calls); the envelope's ``body``.

        :param key: the call's key in :data:`.calls.CALLS`.
        :param payload: the JSON body."""
        return self._send(key, json=payload)

    def _send(self, key: str, **options: Any) -> Any:
        call = CALLS[key]
        options.update(call.request_options())
        if self.resend_on_lost_answer:  # the caller accepts paying again for a request whose answer was lost
            options["idempotent"] = True
        return self.transport.request(call.method, self.url(call.endpoint, call.path), auth=self.auth_for(call.token),
                                      **options)
