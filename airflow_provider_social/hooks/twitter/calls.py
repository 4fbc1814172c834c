"""X's call table: every API call the hook makes, declared once, and the one way they are sent.

Each row is an :class:`~airflow_provider_social.core.calls.ApiCall`; its name is the operation shown in errors.
The v1.1 upload rows go to ``upload_base_url`` signed with OAuth 1.0a (token kind ``oauth1``) whatever the
connection's ``auth_mode``; every other row uses the connection's credentials (token kind ``user``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_social.core.calls import ApiCall
from airflow_provider_social.core.errors import AuthenticationError
from airflow_provider_social.hooks.twitter.auth import OAUTH1, USER, TwitterAuth

if TYPE_CHECKING:
    import requests

_V1_UPLOAD = "/1.1/media/upload.json"

#: Key -> call. Appends re-send a segment index (which replaces it) and initialize only creates an id that expires
#: unused, so both are safe to repeat; a create or a FINALIZE is not (see TwitterMedia._finalize).
CALLS: dict[str, ApiCall] = {
    "get me": ApiCall("get me", "GET", "/2/users/me"),
    "recent posts": ApiCall("look for an earlier identical post", "GET", "/2/users/{user_id}/tweets"),
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


class TwitterCalls(TwitterAuth):
    """The one way an X API call is sent; the authorised account."""

    calls: ClassVar[dict[str, ApiCall]] = CALLS
    _me: dict[str, Any] | None

    def _call(self, key: str, **options: Any) -> requests.Response:
        """Run the declared call ``key`` with its data (``params``, ``json``, ``body``, ``path_params``, ...); a 401
        that survived the one refresh (or could not be refreshed: no refresh token, or a connection test) says
        what to do about the connection's credentials."""
        call = self.calls[key]
        try:
            return self.call_api(call, **options)
        except AuthenticationError as exc:
            # Only the call's own 401 (after the one refresh): a refused refresh explains itself.
            if (call.token == USER and exc.status_code == 401 and exc.operation == call.name
                    and not exc.hint.startswith("re-authorise")):
                exc.hint = (
                    "the OAuth 1.0a keys were refused; check the consumer key/secret and access token/secret"
                    if self.auth_mode == "oauth1"
                    else f"the token was refused{' even after a refresh' if self.refreshes_when_refused else ''}; "
                    f"run `{self.reauth_hint_command}`"
                )
            raise

    def get_me(self) -> dict[str, Any]:
        """``GET /2/users/me``: ``{"id", "name", "username"}`` of the authorised account."""
        if self._me is None:
            self._me = self._call("get me").json()["data"]
        return dict(self._me)

    def check_connection(self) -> str:
        """Make the cheapest authenticated call (``users/me``); return the account and auth mode."""
        me = self.get_me()
        return f"Connected to X as @{me.get('username')} (id {me.get('id')}, {self.auth_mode})"
