"""Airflow connections pointing at a running sandbox, as ``AIRFLOW_CONN_<ID>`` JSON."""

from __future__ import annotations

import json
import shlex
from typing import Any
from urllib.parse import urlsplit

from . import ok, twitter, vk, vk_vision
from .control import SandboxControl
from .oauth_server import SANDBOX_CLIENT_ID, SANDBOX_CLIENT_SECRET
from .yandex import OAUTH_NAME as YANDEX_OAUTH

#: Where `airflow social auth twitter|vk|ok` listens for the browser against the sandbox: not the sandbox's own
#: default port (8765, which the real services' default redirect URIs use), or the command could not listen.
SANDBOX_CALLBACK_PORT = 8766


def callback_uri(base_url: str, host: str = "127.0.0.1") -> str:
    """The loopback redirect URI for authorising against the sandbox at ``base_url``, on a port it does not use.

    :param base_url: the sandbox's base URL.
    :param host: the loopback host the redirect URI names.
    """
    sandbox_port = urlsplit(base_url).port
    port = SANDBOX_CALLBACK_PORT if sandbox_port != SANDBOX_CALLBACK_PORT else SANDBOX_CALLBACK_PORT + 1
    return f"http://{host}:{port}/callback"


def sandbox_settings(base_url: str) -> dict[str, dict[str, Any]]:
    """Per connection type, what a connection needs to reach the sandbox at ``base_url`` before any token: its
    endpoints, the redirect URI and the sandbox's own app credentials (sandbox-only values, printed freely).
    ``airflow social auth <service> --sandbox URL`` starts from these; :func:`sandbox_connections` adds tokens.

    :param base_url: the sandbox's base URL.
    """
    base_url = base_url.rstrip("/")
    redirect_uri = callback_uri(base_url)
    return {
        "yandex_disk": {"extra": {
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "api_base_url": f"{base_url}/yandex-disk",
            "oauth_base_url": f"{base_url}/yandex-oauth",
        }},
        "twitter": {"extra": {
            "client_id": SANDBOX_CLIENT_ID,
            "client_secret": SANDBOX_CLIENT_SECRET,
            "redirect_uri": redirect_uri,
            "api_base_url": f"{base_url}/x-api",
            "upload_base_url": f"{base_url}/x-upload",
            "authorize_url": f"{base_url}/x/i/oauth2/authorize",
        }},
        "vk": {"extra": {
            "api_base_url": f"{base_url}/vk-api",
            "vk_id_base_url": f"{base_url}/vk-id",
            "oauth_base_url": f"{base_url}/vk-oauth",
            "group_id": vk.GROUP_ID,
            "app_id": str(vk.APP_ID),
            "redirect_uri": callback_uri(base_url, "localhost"),
            "client_secret": vk.vk_id.CLIENT_SECRET,
        }},
        "vk_vision": {"extra": {
            "api_base_url": f"{base_url}{vk_vision.PREFIX}",
            "oauth_endpoint": f"{base_url}{vk_vision.AUTH_PREFIX}{vk_vision.TOKEN_PATH}",
        }},
        "odnoklassniki": {"password": ok.SANDBOX_APP_SECRET, "extra": {
            "application_id": ok.SANDBOX_APP_ID,
            "application_key": ok.SANDBOX_APP_KEY,
            "redirect_uri": redirect_uri,
            "group_id": ok.SANDBOX_GROUP_ID,
            "api_base_url": f"{base_url}/ok-api",
            "oauth_base_url": f"{base_url}/ok-connect",
        }},
    }


def sandbox_connections(base_url: str, control: SandboxControl) -> dict[str, dict[str, Any]]:
    """One connection per sandbox service, each with freshly minted tokens.

    :param base_url: the sandbox's base URL.
    :param control: the sandbox's control API (mints the tokens).
    """
    settings = sandbox_settings(base_url)
    yandex = control.mint_tokens(YANDEX_OAUTH)
    x = control.mint_tokens(twitter.OAUTH_NAME, scope=twitter.DEFAULT_SCOPE)
    vk_id = control.mint_tokens(vk.OAUTH_NAME)
    odnoklassniki = control.mint_tokens(ok.OAUTH_NAME, client_id=ok.SANDBOX_APP_ID)
    return {
        "yandex_disk_default": {
            "conn_type": "yandex_disk",
            "password": yandex["access_token"],
            "extra": {"refresh_token": yandex["refresh_token"], **settings["yandex_disk"]["extra"]},
        },
        "twitter_default": {
            "conn_type": "twitter",
            "extra": {
                **settings["twitter"]["extra"],
                "scope": twitter.DEFAULT_SCOPE,
                "access_token": x["access_token"],
                "refresh_token": x["refresh_token"],
                "oauth_consumer_key": twitter.SANDBOX_CONSUMER_KEY,
                "oauth_consumer_secret": twitter.SANDBOX_CONSUMER_SECRET,
                "oauth_token": twitter.SANDBOX_OAUTH_TOKEN,
                "oauth_token_secret": twitter.SANDBOX_OAUTH_TOKEN_SECRET,
            },
        },
        "vk_default": {
            "conn_type": "vk",
            "extra": {
                **settings["vk"]["extra"],
                # user 1 (the community's admin), every right, an offline key (never expires)
                "access_token": control.vk_token("user", expires_in=0),
                "community_token": control.vk_token("community"),
                "refresh_token": vk_id["refresh_token"],
                "device_id": vk_id["device_id"],
                "api_version": "5.199",
            },
        },
        "vk_vision_default": {
            "conn_type": "vk_vision",
            "password": vk_vision.SANDBOX_SERVICE_TOKEN,
            "extra": dict(settings["vk_vision"]["extra"]),
        },
        "odnoklassniki_default": {
            "conn_type": "odnoklassniki",
            "password": settings["odnoklassniki"]["password"],
            "extra": {
                **settings["odnoklassniki"]["extra"],
                "access_token": odnoklassniki["access_token"],
                "refresh_token": odnoklassniki["refresh_token"],
                "expires_at": control.now() + odnoklassniki["expires_in"],
                "permissions": odnoklassniki.get("scope") or ok.ALL_PERMISSIONS,
            },
        },
    }


def format_env_lines(conns: dict[str, dict[str, Any]]) -> str:
    """``AIRFLOW_CONN_<ID>='<json>'`` lines, shell-quoted, for ``eval``/``.env`` use."""
    lines = [
        f"AIRFLOW_CONN_{conn_id.upper()}={shlex.quote(json.dumps(conn, separators=(',', ':')))}"
        for conn_id, conn in conns.items()
    ]
    return "\n".join(lines) + ("\n" if lines else "")
