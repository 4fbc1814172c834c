"""X's OAuth 2.0 server (authorize on x.com, token and revoke on api.x.com) and its X-worded refusals."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from starlette.routing import Router
from starlette.types import Message, Receive, Scope, Send

from ..clock import SandboxClock
from ..oauth_server import OAuthPaths, OAuthServer, OAuthServerConfig
from .constants import DEFAULT_SCOPE, NAME, OAUTH_NAME, TWO_HOURS
from .state import _service

if TYPE_CHECKING:
    from ..state import SandboxState


def x_oauth_config() -> OAuthServerConfig:
    return OAuthServerConfig(
        service=OAUTH_NAME,
        paths=OAuthPaths(authorize="/i/oauth2/authorize", token="/2/oauth2/token", device_code=None,
                         revoke="/2/oauth2/revoke"),
        access_prefix="xat_",
        refresh_prefix="xrt_",
        code_ttl=30,  # "the code expires after 30 seconds"
        access_ttl=TWO_HOURS,
        refresh_ttl=None,
        rotate_refresh=True,
        # UNCONFIRMED (reference section 11.1): single use and family revocation on reuse are community reports.
        # The sandbox takes the strict reading; only clients that never replay a spent token pass.
        refresh_single_use=True,
        revoke_family_on_reuse=True,
        require_pkce=True,
        pkce_methods=("S256", "plain"),
        token_requires_redirect_uri=True,
        include_scope=True,
        default_scope=DEFAULT_SCOPE,
        refusals=X_REFUSALS,
    )


# X words refusals its own way: HTTP 400 "invalid_request" naming the value, where RFC 6749 says invalid_grant.
# Recorded by clients that talk to X (node-twitter-api-v2 #496 for codes, the twitter-api-typescript-sdk #26 for
# PKCE); the refresh-token wording is the one X answers for a spent, revoked or unknown refresh token.
_X_TOKEN_INVALID = ("invalid_request", "Value passed for the token was invalid.")
_X_CODE_INVALID = ("invalid_request", "Value passed for the authorization code was invalid.")
X_REFUSALS: dict[str, tuple[str, str]] = {
    "code_invalid": _X_CODE_INVALID,
    "code_used": _X_CODE_INVALID,
    "code_other_client": _X_CODE_INVALID,
    "code_expired": _X_CODE_INVALID,
    "verifier_mismatch": ("invalid_request", "Value passed for the code verifier did not match the code challenge."),
    "refresh_invalid": _X_TOKEN_INVALID,
    "refresh_other_client": _X_TOKEN_INVALID,
    "refresh_used": _X_TOKEN_INVALID,
    "refresh_revoked": _X_TOKEN_INVALID,
    "refresh_expired": _X_TOKEN_INVALID,
}


def make_oauth_server(clock: SandboxClock) -> OAuthServer:
    return OAuthServer(x_oauth_config(), clock)



def _oauth_mount(state: SandboxState, paths: tuple[str, ...], rate_group: str | None):
    """Dispatch to the current X OAuth server's routes among ``paths`` (looked up per request for reset)."""

    async def dispatch(scope: Scope, receive: Receive, send: Send) -> None:
        server = state.oauth[OAUTH_NAME]
        routers = server.__dict__.setdefault("_x_routers", {})
        if paths not in routers:
            routers[paths] = Router(routes=[r for r in server.routes() if getattr(r, "path", None) in paths])
        if rate_group is None:
            await routers[paths](scope, receive, send)
            return
        client = scope.get("client") or ("-", 0)
        _, headers = _service(state).hit(rate_group, f"anon:{client[0]}")
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def send_adjusted(message: Message) -> None:
            # Buffer the (small) token answer: X issues a refresh token only when offline.access was granted.
            if message["type"] == "http.response.start":
                start.update(message)
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            if start.get("status") == 200:
                try:
                    payload = json.loads(body)
                except ValueError:
                    payload = None
                if isinstance(payload, dict) and "refresh_token" in payload and "offline.access" not in str(
                    payload.get("scope", "")
                ).split():
                    del payload["refresh_token"]
                    body = json.dumps(payload, separators=(",", ":")).encode()
                if isinstance(payload, dict) and payload.get("access_token"):  # the log shows no token values
                    state.record(NAME, "oauth2 token", scope=payload.get("scope"),
                                 refresh_token_issued="refresh_token" in payload)
            head = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            head += [(b"content-length", str(len(body)).encode())] + raw
            await send({**start, "headers": head})
            await send({"type": "http.response.body", "body": body})

        await routers[paths](scope, receive, send_adjusted)

    return dispatch
