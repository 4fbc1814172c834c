"""The three mounts of the X sandbox: api.x.com, upload.twitter.com and x.com."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from starlette.routing import BaseRoute, Mount, Route, Router
from starlette.types import Receive, Scope, Send

from .constants import PREFIX, UPLOAD_PREFIX, WEB_PREFIX
from .limits import SCOPES_MEDIA, SCOPES_POST, SCOPES_READ, _endpoint, _limit_headers_everywhere
from .media import media_append, media_finalize, media_initialize, media_oneshot, media_status, v1_status, v1_upload
from .oauth import _oauth_mount, x_oauth_config
from .reads import search_recent, user_mentions, user_tweets
from .tweets import create_tweet, delete_tweet, users_me

if TYPE_CHECKING:
    from ..state import SandboxState


class _ASGIEndpoint:
    """Lets a plain ASGI callable be a Route endpoint (Starlette treats functions as request handlers)."""

    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]]) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await self.app(scope, receive, send)


def _api_routes(state: SandboxState) -> list[BaseRoute]:
    paths = x_oauth_config().paths
    e = _endpoint
    api = [
        Route("/2/tweets", e(state, "tweets_create", SCOPES_POST, create_tweet), methods=["POST"]),
        Route("/2/tweets/{id}", e(state, "tweets_delete", SCOPES_POST, delete_tweet), methods=["DELETE"]),
        Route("/2/users/me", e(state, "users_me", SCOPES_READ, users_me), methods=["GET"]),
        Route("/2/users/{id}/tweets", e(state, "users_tweets", SCOPES_READ, user_tweets), methods=["GET"]),
        Route("/2/users/{id}/mentions", e(state, "users_mentions", SCOPES_READ, user_mentions), methods=["GET"]),
        Route("/2/tweets/search/recent", e(state, "tweets_search_recent", SCOPES_READ, search_recent),
              methods=["GET"]),
        Route("/2/media/upload/initialize", e(state, "media_chunked", SCOPES_MEDIA, media_initialize),
              methods=["POST"]),
        Route("/2/media/upload/{id}/append", e(state, "media_chunked", SCOPES_MEDIA, media_append), methods=["POST"]),
        Route("/2/media/upload/{id}/finalize", e(state, "media_chunked", SCOPES_MEDIA, media_finalize),
              methods=["POST"]),
        Route("/2/media/upload", e(state, "media_oneshot", SCOPES_MEDIA, media_oneshot), methods=["POST"]),
        Route("/2/media/upload", e(state, "media_status", SCOPES_MEDIA, media_status), methods=["GET"]),
        Route(paths.token, _ASGIEndpoint(_oauth_mount(state, (paths.token, paths.revoke), "oauth2"))),
        Route(paths.revoke, _ASGIEndpoint(_oauth_mount(state, (paths.token, paths.revoke), "oauth2"))),
    ]
    return [Mount(PREFIX, app=_limit_headers_everywhere(state, Router(routes=api)))]


def _upload_routes(state: SandboxState) -> list[BaseRoute]:
    upload = [
        Route("/1.1/media/upload.json", _endpoint(state, "v1_media_upload", frozenset(), v1_upload, v1=True),
              methods=["POST"]),
        Route("/1.1/media/upload.json", _endpoint(state, "media_status", frozenset(), v1_status, v1=True),
              methods=["GET"]),
    ]
    return [Mount(UPLOAD_PREFIX, app=_limit_headers_everywhere(state, Router(routes=upload)))]


def _web_routes(state: SandboxState) -> list[BaseRoute]:
    paths = x_oauth_config().paths
    return [Mount(WEB_PREFIX, app=_oauth_mount(state, (paths.authorize,), None))]
