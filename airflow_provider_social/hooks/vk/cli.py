"""``airflow social auth vk``: VK ID OAuth 2.1 (default), the legacy token link (``--implicit``), or a community key
(``--community-token``). Tokens are written into the connection (or printed with ``--print-only``), never echoed.

* VK ID: PKCE S256, a random ``state``, the browser returns to a loopback redirect URI served here (or the user
  pastes the URL); the redirect's ``device_id`` is kept with the tokens (refreshes need it).
* ``--implicit``: prints the seed guide's link (``oauth.vk.ru/authorize?...response_type=token``, scopes
  ``offline,wall,groups,photos,stats,stories,video,docs,market,ads``); the user pastes the
  ``blank.html#access_token=...`` URL. With ``offline`` the token does not expire (``expires_in=0``).
* ``--community-token``: the community key (Manage -> API usage -> Create key), read from a hidden prompt.
"""

from __future__ import annotations

import argparse
import getpass
import secrets
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from airflow_provider_social.core.setup import NO_OVERRIDES, Overrides
from airflow_provider_social.core.setup.connections import existing_extra, save_authorised
from airflow_provider_social.hooks.vk.connection import (
    AUTH_FLOW,
    CONNECTION_FORM,
    DEFAULT_API_VERSION,
    DEFAULT_ENDPOINTS,
    IMPLICIT_SCOPES,
)


def auth_vk(args: argparse.Namespace, *, overrides: Overrides = NO_OVERRIDES, announce: Callable[[str], None] = print,
            read_line: Callable[[str], str] = input, read_secret: Callable[[str], str] = getpass.getpass) -> None:
    """Authorise ``args.conn_id`` by VK ID, the token link (``--implicit``) or a community key.

    :param args: the parsed command line (see ``connection.AUTH_COMMAND`` and ``cli/options.py``).
    :param announce: where messages go (tests capture them).
    :param read_line: reads a pasted URL.
    :param read_secret: reads the community key without echo.
    :param overrides: the command line's endpoint overrides (computed by the CLI layer, ``cli/options.py``).
    """
    conn_type, extra = existing_extra(args.conn_id)
    conn_type = conn_type or CONNECTION_FORM.conn_type
    extra = overrides.apply(extra)
    if getattr(args, "community_token", False):
        return _community_token(args, conn_type, extra, announce, read_secret)
    if getattr(args, "implicit", False):
        return _implicit(args, conn_type, extra, announce, read_line)
    return _vk_id(args, conn_type, extra, announce, read_line)


def _app_id(args: argparse.Namespace, extra: dict[str, Any]) -> str:
    app_id = getattr(args, "app_id", None) or extra.get("app_id")
    if not app_id:
        raise SystemExit(f"--app-id: connection {args.conn_id!r} has no app_id; pass it (the App ID on your app's "
                         "page at https://id.vk.com/business/go)")
    return str(app_id)


def _community_token(args: argparse.Namespace, conn_type: str, extra: dict[str, Any],
                     announce: Callable[[str], None], read_secret: Callable[[str], str]) -> None:
    token = read_secret("Community key (community -> Manage -> API usage -> Create key): ").strip()
    if not token:
        raise SystemExit("no key entered; nothing was saved")
    save_authorised(args, conn_type, {**extra, "community_token": token}, announce=announce)


def implicit_link(app_id: str, *, oauth_base_url: str, version: str, state: str, scope: str = IMPLICIT_SCOPES) -> str:
    """The seed guide's token link (legacy implicit flow), on the configured OAuth host."""
    query = urlencode({"client_id": app_id, "display": "page", "redirect_uri": f"{oauth_base_url}/blank.html",
                       "scope": scope, "response_type": "token", "v": version, "state": state}, safe=",:/")
    return f"{oauth_base_url}/authorize?{query}"


def _implicit(args: argparse.Namespace, conn_type: str, extra: dict[str, Any], announce: Callable[[str], None],
              read_line: Callable[[str], str]) -> None:
    app_id = _app_id(args, extra)
    oauth = str(extra.get("oauth_base_url") or DEFAULT_ENDPOINTS["oauth_base_url"]).rstrip("/")
    state = secrets.token_urlsafe(16)
    version = str(extra.get("api_version") or DEFAULT_API_VERSION)
    link = implicit_link(app_id, oauth_base_url=oauth, version=version, state=state)
    announce("Open this link in a browser signed in as a community admin, allow access, then copy the address "
             f"of the page you land on (…/blank.html#access_token=…):\n{link}")
    pasted = read_line("Paste the full address of that page: ").strip()
    fragment = urlsplit(pasted).fragment or urlsplit(pasted).query
    params = {k: v[0] for k, v in parse_qs(fragment).items()}
    if params.get("error"):
        raise SystemExit(f"VK refused the authorisation: {params.get('error')} "
                         f"{params.get('error_description', '')}".strip())
    if params.get("state") is not None and not secrets.compare_digest(params["state"], state):
        raise SystemExit("the state in the pasted address does not match this link; run the command again")
    token = params.get("access_token")
    if not token:
        raise SystemExit("the pasted address carries no access_token; paste the whole address, including "
                         "#access_token=...")
    new_extra = {**extra, "app_id": app_id, "access_token": token}
    expires_in = params.get("expires_in")
    if expires_in not in (None, "", "0"):
        announce(f"Note: this token expires in {expires_in} s (was 'offline' granted?); VK ID tokens renew "
                 "themselves: `airflow social auth vk` without --implicit.")
    if params.get("user_id"):
        new_extra["user_id"] = params["user_id"]
    for stale in ("refresh_token", "device_id", "expires_at"):  # a static token replaces a VK ID grant
        new_extra.pop(stale, None)
    save_authorised(args, conn_type, new_extra, announce=announce)


def _vk_id(args: argparse.Namespace, conn_type: str, extra: dict[str, Any], announce: Callable[[str], None],
           read_line: Callable[[str], str]) -> None:
    """VK ID through the core authorization-code flow (``core/authflow.py``, configured by
    ``hooks/vk/connection.AUTH_FLOW``: PKCE S256, state, ``device_id`` from the redirect kept with the tokens);
    the terminal part (loopback listener or paste prompt) is ``core/setup/terminal.py``."""
    from airflow_provider_social.core.authflow import AuthCodeFlow
    from airflow_provider_social.core.errors import ValidationError
    from airflow_provider_social.core.setup.terminal import authorize_in_terminal
    from airflow_provider_social.hooks.vk.hook import VkHook

    app_id = _app_id(args, extra)
    vk_id = str(extra.get("vk_id_base_url") or DEFAULT_ENDPOINTS["vk_id_base_url"]).rstrip("/")
    hook = VkHook.for_authorization(conn_id=args.conn_id, extra=extra)
    client = AUTH_FLOW.token_client(hook.transport, token_url=f"{vk_id}/oauth2/auth", client_id=app_id,
                                    client_secret=extra.get("client_secret") or None)
    try:
        flow = AuthCodeFlow(AUTH_FLOW, client, redirect_uri=getattr(args, "redirect_uri", None)
                            or extra.get("redirect_uri"), scopes=getattr(args, "scope", None),
                            authorize_url=f"{vk_id}/authorize")
    except ValidationError as exc:
        raise SystemExit(exc.api_message) from None
    tokens = authorize_in_terminal(flow, paste=bool(getattr(args, "paste", False)),
                                   timeout=int(getattr(args, "timeout", 300) or 300), announce=announce,
                                   read_line=read_line)
    new_extra = {**extra, "app_id": app_id, "access_token": tokens.access_token,
                 "refresh_token": tokens.refresh_token, "device_id": tokens.extra.get("device_id"),
                 "expires_at": tokens.expires_at, "redirect_uri": flow.redirect_uri}
    if tokens.extra.get("user_id"):
        new_extra["user_id"] = tokens.extra["user_id"]
    if not tokens.refresh_token:
        announce("Warning: VK ID issued no refresh token; the access token lives 1 hour and cannot be renewed.")
    save_authorised(args, conn_type, new_extra, announce=announce)
